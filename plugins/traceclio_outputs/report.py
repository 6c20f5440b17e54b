"""report.html: one plain page people can browse. The tree with sizes and tenant counts, each leaf with a
few sanitised example summaries, suppressed clusters shown only as counts. No scripts, no assets."""

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


def _node(node: ClusterNode, by_id: dict[str, ClusterNode], total: int) -> str:
    share = node.size / total if total else 0
    counts = f'<span class="count">{node.size} traces ({share:.1%}), {node.tenants} tenants</span>'
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
        ("privacy thresholds", f"≥ {settings.min_tenants} tenants and ≥ {settings.min_traces} traces per cluster"),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    tree = "".join(_node(n, by_id, total) for n in tops) or "<p>No clusters.</p>"
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>traceclio report</title>"
        f"<style>{STYLE}</style></head><body><h1>What the agents did</h1>"
        f'<div class="meta">{len(tops)} top-level groups over {s.get("traces_read", 0)} traces. '
        "Click a group to open it; leaves show example task summaries (sanitised).</div>"
        f"<table>{table}</table>{tree}</body></html>\n"
    )


@hookimpl(trylast=True)
def traceclio_export(result: RunResult, settings: Settings) -> list[str]:
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    path = settings.out_dir / "report.html"
    path.write_text(render_report(result, settings), encoding="utf-8")
    return [str(path)]
