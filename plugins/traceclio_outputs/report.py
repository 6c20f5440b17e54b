"""report.html: one plain page people can browse. The surfaced leaves ranked by size × concern × tenants
(with their outcome where the traces had one), the tree with sizes and tenant counts, each leaf with a few
sanitised example summaries, the outliers as counts of their reasons, suppressed clusters only as counts.
No scripts, no assets."""

from __future__ import annotations

from html import escape

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.hierarchy import ClusterNode, RunResult
    from traceclio_core.settings import Settings

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em;margin-bottom:.2em} .meta{color:#666;margin-bottom:1.5em}
details{margin:.3em 0 .3em 1.2em;border-left:2px solid #e3e3e8;padding-left:.8em}
summary{cursor:pointer} .title{font-weight:600} .count{color:#555;font-variant-numeric:tabular-nums}
.desc{color:#333;margin:.2em 0 .2em} .profile{color:#666;font-size:.9em;margin:0 0 .4em} .concern{display:inline-block;min-width:2.2em;text-align:center;
border-radius:4px;padding:0 .3em;font-size:.85em;margin-left:.4em} .c1{background:#e6f4ea}.c2{background:#fef7e0}
.c3{background:#fde7d6}.c4,.c5{background:#fce8e6} ul.examples{margin:.2em 0 .6em;color:#444}
.suppressed{color:#888;font-style:italic} table{border-collapse:collapse;margin:1em 0}
td,th{padding:.2em .8em;border-bottom:1px solid #eee;text-align:left}
"""


def _concern(node: ClusterNode) -> str:
    level = min(5, max(1, round(node.mean_concern)))
    return f'<span class="concern c{level}" title="mean concern 1-5">{node.mean_concern:.1f}</span>'


def _outcome(node: ClusterNode) -> str:
    if node.outcome_rate is None:
        return ""
    lift = f", {node.outcome_lift:.2f}× the run" if node.outcome_lift is not None else ""
    return f", outcome {node.outcome_rate:.0%} of {node.outcome_traces}{lift}"


def _flags(node: ClusterNode) -> str:
    flags = (["failing"] if node.failing else []) + (["heterogeneous"] if node.heterogeneous else [])
    return f' <span class="count">({", ".join(flags)})</span>' if flags else ""


def _ranked(result: RunResult) -> str:
    """Surfaced leaves ranked by size × concern × tenants (the seed's triage order), outcome beside it."""
    leaves = [n for n in result.clusters if n.level == 0 and n.surfaced]
    leaves.sort(key=lambda n: (-(n.size * n.mean_concern * n.tenants), n.id))
    rows = "".join(
        f"<tr><td>{escape(n.id)}</td><td>{escape(n.title)}</td><td>{n.size}</td><td>{n.mean_concern:.1f}</td>"
        f"<td>{n.tenants}</td><td>{'' if n.outcome_rate is None else f'{n.outcome_rate:.0%}'}</td>"
        f"<td>{'yes' if n.failing else ''}</td></tr>" for n in leaves)
    table = ("<h2>Leaves by size × concern × tenants</h2><table><tr><th>id</th><th>title</th><th>traces</th>"
             "<th>concern</th><th>tenants</th><th>outcome</th><th>failing</th></tr>" + rows + "</table>")
    # Where the traces say how they ended, the leaves that end worst are the actionable ones (the seed).
    judged = sorted((n for n in leaves if n.outcome_rate is not None), key=lambda n: (n.outcome_rate, -n.size, n.id))
    if judged:
        table += ("<h2>Leaves by outcome, worst first</h2><table><tr><th>id</th><th>title</th><th>outcome</th>"
                  "<th>of traces</th><th>vs the run</th></tr>" + "".join(
                      f"<tr><td>{escape(n.id)}</td><td>{escape(n.title)}</td><td>{n.outcome_rate:.0%}</td>"
                      f"<td>{n.outcome_traces}</td><td>{'' if n.outcome_lift is None else f'{n.outcome_lift:.2f}×'}"
                      "</td></tr>" for n in judged) + "</table>")
    return table


def _outliers(result: RunResult) -> str:
    if not result.outliers:
        return ""
    reasons: dict[str, int] = {}
    for record in result.outliers:
        for reason in record["reasons"]:
            kind = reason.split(" (")[0].rstrip("0123456789. ").strip()
            reasons[kind] = reasons.get(kind, 0) + 1
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))
    return (f"<h2>Outliers</h2><p>{len(result.outliers)} traces far from their cluster's centre or in the run's extreme "
            "tail (outliers.jsonl lists them with the figures):</p><table><tr><th>reason</th><th>traces</th></tr>"
            f"{rows}</table>")


def _node(node: ClusterNode, by_id: dict[str, ClusterNode], total: int) -> str:
    share = node.size / total if total else 0
    counts = (f'<span class="count">{node.size} traces ({share:.1%}), {node.tenants} tenants'
              f'{escape(_outcome(node))}</span>{_flags(node)}')
    if not node.surfaced:
        return (f'<details><summary class="suppressed">suppressed cluster {escape(node.id)} '
                f'({escape(node.suppressed_reason or "")})</summary></details>')
    children = [by_id[c] for c in node.children if c in by_id]
    hidden = [c for c in children if not c.surfaced]
    inner = "".join(_node(c, by_id, total) for c in children if c.surfaced)
    if hidden:
        inner += (f'<p class="suppressed">{len(hidden)} suppressed clusters, {sum(c.size for c in hidden)} traces '
                  "(below the privacy thresholds)</p>")
    if node.level == 0 and node.examples:
        inner += '<ul class="examples">' + "".join(f"<li>{escape(e)}</li>" for e in node.examples) + "</ul>"
    is_open = " open" if node.level >= 1 else ""
    return (f"<details{is_open}><summary><span class=\"title\">{escape(node.title)}</span> {counts}{_concern(node)}"
            f' <span class="count">[{escape(node.id)}]</span></summary>'
            f'<div class="desc">{escape(node.description)}</div>'
            + (f'<div class="profile">{escape(node.profile)}</div>' if node.profile else "")
            + f"{inner}</details>")


def privacy_thresholds(settings: Settings) -> str:
    """The thresholds every shown cluster met, in words."""
    words = f"≥ {settings.min_tenants} tenants and ≥ {settings.min_traces} traces per cluster"
    if settings.min_tenants > 1:
        words += f", no tenant above {settings.max_tenant_share:.0%} of its traces"
    return words + f"; examples from ≥ {settings.min_tenants} tenants"


def render_report(result: RunResult, settings: Settings) -> str:
    by_id = {n.id: n for n in result.clusters}
    top_level = max((n.level for n in result.clusters), default=0)
    tops = sorted((n for n in result.clusters if n.level == top_level), key=lambda n: -n.size)
    total = sum(n.size for n in tops)
    s = result.summary
    rows = [
        ("traces read", s.get("traces_read", 0)),
        ("traces in a surfaced cluster", s.get("traces_clustered", 0)),
        ("traces in suppressed clusters", s.get("suppressed_traces", 0)),
        ("input set aside (rejected.jsonl)", s.get("rejected", 0)),
        ("clustered along", ", ".join(settings.facets)),
        ("privacy thresholds", privacy_thresholds(settings)),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    tree = "".join(_node(n, by_id, total) for n in tops) or "<p>No clusters.</p>"
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>traceclio report</title>"
        f"<style>{STYLE}</style></head><body><h1>What the agents did</h1>"
        f'<div class="meta">{len(tops)} top-level groups over {s.get("traces_read", 0)} traces. '
        "Click a group to open it; leaves show example task summaries (sanitised).</div>"
        f"<table>{table}</table>{_ranked(result)}<h2>The tree</h2>{tree}{_outliers(result)}</body></html>\n"
    )


@hookimpl(trylast=True)
def traceclio_write_run_outputs(result: RunResult, settings: Settings) -> list[str]:
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    path = settings.out_dir / "report.html"
    path.write_text(render_report(result, settings), encoding="utf-8")
    return [str(path)]
