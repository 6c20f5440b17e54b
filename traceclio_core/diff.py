"""Two runs compared: which clusters are new, vanished, grown or shrunk, and whether the change is more than
noise. What `traceclio diff OLD NEW` prints and `traceclio run --baseline OLD` writes to diff.json.

Each group of linked clusters (matching.py: a cluster, or the clusters a split or a merge joins) is one
change: its traces' share of each run's clustered traces, compared with Fisher's exact test on the 2×2
table (in the cluster or not × old run or new), so small counts are tested as soundly as large ones.
Where the two runs share traces the samples are not independent; the test then errs on the cautious side.
"""

from __future__ import annotations

import math

from traceclio_core.matching import Group, Link, group_clusters, link_levels
from traceclio_core.run_view import RunView

# A change is significant when its p-value, corrected for the number of groups compared at its level
# (Benjamini–Hochberg, false discovery rate ALPHA), is below ALPHA ...
ALPHA = 0.05
# ... and its share moved by at least this factor either way (half as large again, or down by a third): at
# 10,000 traces a move from 10% to 13% is past noise (p < 0.001) and no headline, so p alone cannot make
# one. A new or vanished cluster (share from or to zero) always meets it.
MIN_RATIO = 1.5

STATUS_ORDER = ("new", "grown", "vanished", "shrunk", "unchanged")


def fisher_exact(a: int, n_a: int, b: int, n_b: int) -> float:
    """Two-sided p-value of Fisher's exact test: `a` of `n_a` traces against `b` of `n_b`."""
    from scipy.stats import fisher_exact as fisher

    if n_a == 0 or n_b == 0:
        return 1.0
    return float(fisher([[a, n_a - a], [b, n_b - b]])[1])


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Adjusted p-values (q-values) controlling the false discovery rate, in the input's order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = min(1.0, running)
    return q


def ratio(old_share: float, new_share: float) -> float:
    """How many times larger the bigger share is than the smaller (infinite from or to zero)."""
    low, high = sorted((old_share, new_share))
    if high == 0:
        return 1.0
    return math.inf if low == 0 else high / low


def _status(old_count: int, new_count: int, grew: bool, significant: bool) -> str:
    if not old_count:
        return "new"
    if not new_count:
        return "vanished"
    if significant:
        return "grown" if grew else "shrunk"
    return "unchanged"


def _change(group: Group, old: RunView, new: RunView, level: int, p_value: float, q_value: float
            ) -> dict | None:
    """One group as a change record, or None when every cluster in it is suppressed (it is then only counted)."""
    olds = _largest_first(old.clusters[c] for c in group.old)
    news = _largest_first(new.clusters[c] for c in group.new)
    shown = [c for c in news if c.surfaced] or [c for c in olds if c.surfaced]
    if not shown:
        return None
    # Its id is the surfaced new cluster it is titled by, else its largest new cluster, else (vanished) its old one.
    cluster_id = shown[0].id if shown[0] in news else (news or shown)[0].id
    old_count, new_count = sum(c.size for c in olds), sum(c.size for c in news)
    old_share = old_count / old.total if old.total else 0.0
    new_share = new_count / new.total if new.total else 0.0
    significant = q_value < ALPHA and ratio(old_share, new_share) >= MIN_RATIO
    return {
        "id": cluster_id,
        "title": shown[0].title,
        "status": _status(old_count, new_count, new_share > old_share, significant),
        "old_share": round(old_share, 6),
        "new_share": round(new_share, 6),
        "old_count": old_count,
        "new_count": new_count,
        "p_value": p_value,
        "significant": significant,
        "lineage": sorted(group.old),
        "level": level,
        "ids": sorted(group.new),
        "q_value": q_value,
        "failing": shown[0].failing,
        "matched_by": group.matched_by,
    }


def _largest_first(clusters) -> list:
    return sorted(clusters, key=lambda c: (-c.size, c.id))


def _p_value(group: Group, old: RunView, new: RunView) -> float:
    old_count = sum(old.clusters[c].size for c in group.old)
    new_count = sum(new.clusters[c].size for c in group.new)
    return fisher_exact(old_count, old.total, new_count, new.total)


def _headline(change: dict) -> tuple:
    """Significant first; among them a new failure cluster, then a growing one, then other failing ones."""
    failing_rank = {"new": 0, "grown": 1}.get(change["status"], 2) if change["failing"] else 3
    return (not change["significant"], failing_rank, STATUS_ORDER.index(change["status"]),
            -abs(change["new_share"] - change["old_share"]), change["level"], change["id"])


def compare_level(old: RunView, new: RunView, level: int, links: list[Link]) -> tuple[list[dict], int]:
    """The changes at one level, headline first, and how many groups were left out as wholly suppressed."""
    groups = group_clusters([c.id for c in old.level(level)], [c.id for c in new.level(level)], links)
    # Every group counts in the correction, shown or suppressed: hiding a cluster does not change the others' q.
    p_values = [_p_value(group, old, new) for group in groups]
    q_values = benjamini_hochberg(p_values)
    changes = [_change(group, old, new, level, p, q) for group, p, q in zip(groups, p_values, q_values)]
    shown = [c for c in changes if c is not None]
    return sorted(shown, key=_headline), len(changes) - len(shown)


def diff_runs(old: RunView, new: RunView, baseline: str | None = None) -> dict:
    """The diff of two runs: leaf changes in `changes`, the levels above in `parent_changes` (see README,
    "Comparing runs")."""
    links = link_levels(old, new)
    levels = sorted(links)
    by_level = {level: compare_level(old, new, level, links[level]) for level in levels}
    leaves = by_level[0][0]
    parents = sorted((c for level in levels if level > 0 for c in by_level[level][0]), key=_headline)
    return {
        "baseline": baseline if baseline is not None else old.source,
        "new_run": new.source,
        "old_traces": old.total,
        "new_traces": new.total,
        "alpha": ALPHA,
        "min_ratio": MIN_RATIO,
        "significant": sum(1 for c in leaves if c["significant"]),
        "changes": leaves,
        "parent_changes": parents,
        "suppressed": {str(level): by_level[level][1] for level in levels},
    }


def _share(share: float, count: int) -> str:
    return f"{share:.1%} ({count:,})"


def diff_table(diff: dict, show_all: bool = False, parents: bool = False):
    """A rich Table of the leaf changes (or, with `parents`, those of the levels above), headline first;
    unchanged clusters only with `show_all`, wholly suppressed ones only as a count."""
    from rich.table import Table

    changes = diff["parent_changes" if parents else "changes"]
    listed = [c for c in changes if show_all or c["status"] != "unchanged"]
    unchanged = sum(1 for c in changes if c["status"] == "unchanged")
    levels = [level for level in diff["suppressed"] if (level != "0") == parents]
    suppressed = sum(diff["suppressed"][level] for level in levels)
    what = "clusters above the leaves" if parents else "leaf clusters"
    table = Table(title=f"{diff['baseline']} → {diff['new_run'] or 'this run'}: {what}", title_justify="left",
                  caption=f"{unchanged} unchanged{'' if show_all else ' (not listed; --all lists them)'}, "
                          f"{suppressed} suppressed (counted only). Significant: q < {diff['alpha']} "
                          f"(Fisher's exact test, Benjamini–Hochberg) and a share {diff['min_ratio']:g}× larger "
                          "or smaller.", caption_justify="left")
    table.add_column("")
    for column in ("status", "id", "failing", "old share", "new share", "q"):
        table.add_column(column, no_wrap=True, justify="right" if "share" in column or column == "q" else "left")
    table.add_column("title", overflow="fold", ratio=1)
    table.add_column("from", overflow="fold")
    for c in listed:
        table.add_row("!" if c["significant"] else "", c["status"], c["id"], "yes" if c["failing"] else "",
                      _share(c["old_share"], c["old_count"]), _share(c["new_share"], c["new_count"]),
                      f"{c['q_value']:.2g}", c["title"], ", ".join(c["lineage"]))
    return table
