"""Which clusters of a new run continue which clusters of a baseline run, level by level.

Each cluster is linked to the cluster of the other run that it most resembles:
- by the traces the two runs share, where it has enough of them: to the cluster holding most of its shared
  traces (a merge links several clusters to one, a split one to several, and each keeps its links);
- otherwise (its traces are not in the other run, or not in a surfaced cluster there): a leaf by centroid
  and title, to the other run's nearest leaf when near enough; a parent by its leaves, to the other run's
  parent whose leaves are linked to most of its own (by trace count).
Linked clusters form a group, the unit a diff compares, so a cluster that split or merged is one change and
not a vanished one beside a new one. Within a group the strongest links keep their old ids; the other new
clusters get fresh ids, numbered past every id the baseline (and its own baselines) ever used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from traceclio_core.run_view import ClusterView, RunView

# A cluster is matched by its traces when at least this many of them are in a surfaced cluster of the other
# run too; with fewer, where they went says little, and its centroid decides.
MIN_SHARED_TRACES = 3
# Besides the cluster holding most of them, any cluster holding at least this share of a cluster's shared
# traces (or giving it this share of its own) is linked to it: a change compared over a group that lets a
# quarter of its traces leak to a neighbour would read as a shrink beside a growth.
FLOW_SHARE = 0.25
# Leaf centroids are unit means of the traces' text embeddings (Geometry.centroids). Measured on synthetic
# runs of 786-1,144 traces (seeds 3-6, held-out and all families, detectors on and off; six pairs, some
# sharing no trace): a leaf's nearest leaf in the other run held its own behaviour at cosine 0.92-1.00,
# while a behaviour missing from the other run found its nearest leaf at 0.84-0.86. So: a link at 0.90 or
# above ...
CENTROID_MATCH = 0.90
# ... or at 0.85 or above when the two titles share at least half their words (titles come from contrast
# with neighbours, so the same behaviour is usually, not always, titled alike).
CENTROID_WITH_TITLE = 0.85
TITLE_MATCH = 0.5


@dataclass(frozen=True)
class Link:
    old: str
    new: str
    by: str  # "traces", "centroid" (leaves) or "leaves" (parents)
    # Shared traces (by traces and by leaves) or cosine (by centroid): the stronger link keeps the old id.
    weight: float


@dataclass
class Group:
    """Clusters of the two runs joined by links (one side empty: a cluster new in, or gone from, the new run)."""

    old: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def matched_by(self) -> str | None:
        kinds = {link.by for link in self.links}
        return next((kind for kind in ("traces", "centroid", "leaves") if kind in kinds), None)


def _words(title: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", title.lower()))


def title_similarity(a: str, b: str) -> float:
    """Share of words two titles have in common (Jaccard); 0 when either is empty (a suppressed cluster)."""
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _strongest(overlap: Counter, minimum: float, by: str) -> tuple[list[Link], set[str], set[str]]:
    """Links from overlaps: each cluster whose overlaps add up to at least `minimum` links to the cluster it
    overlaps most (ties: the lower id), and to any other holding at least FLOW_SHARE of its overlap. Returns
    the links and the old and new clusters that had enough."""
    total: dict[str, Counter] = {"old": Counter(), "new": Counter()}
    best: dict[tuple[str, str], tuple[float, tuple[str, str]]] = {}
    for pair, n in sorted(overlap.items()):
        for side, cluster in (("old", pair[0]), ("new", pair[1])):
            total[side][cluster] += n
            if (side, cluster) not in best or n > best[side, cluster][0]:
                best[side, cluster] = (n, pair)
    enough = {side: {c for c, n in counts.items() if n >= minimum} for side, counts in total.items()}
    chosen = {pair for (side, cluster), (_, pair) in best.items() if cluster in enough[side]}
    chosen |= {pair for pair, n in overlap.items()
               if any(c in enough[side] and n >= FLOW_SHARE * total[side][c] for side, c in zip(("old", "new"), pair))}
    links = [Link(old=pair[0], new=pair[1], by=by, weight=float(overlap[pair])) for pair in sorted(chosen)]
    return links, enough["old"], enough["new"]


def _by_traces(old: RunView, new: RunView, level: int) -> tuple[list[Link], set[str], set[str]]:
    old_of, new_of = old.members(level), new.members(level)
    overlap = Counter((old_of[t], new_of[t]) for t in old_of.keys() & new_of.keys())
    return _strongest(overlap, MIN_SHARED_TRACES, "traces")


def _by_leaves(old: RunView, new: RunView, level: int, leaf_links: list[Link]) -> list[Link]:
    """Parents linked through their leaves: the overlap of two parents is the traces of the linked leaf pairs
    under them (the smaller leaf's size, where they share no traces)."""
    overlap: Counter = Counter()
    for link in leaf_links:
        above = old.above(link.old, level), new.above(link.new, level)
        if None not in above:
            weight = link.weight if link.by == "traces" else min(old.clusters[link.old].size,
                                                                  new.clusters[link.new].size)
            overlap[above] += weight
    return _strongest(overlap, 1, "leaves")[0]


def _near_enough(score: float, title: str, other_title: str) -> bool:
    return score >= CENTROID_MATCH or (score >= CENTROID_WITH_TITLE
                                       and title_similarity(title, other_title) >= TITLE_MATCH)


def _by_centroid(frm: list[ClusterView], to: list[ClusterView], centroids_from: dict, centroids_to: dict
                 ) -> dict[str, tuple[str, float]]:
    """For each cluster of `frm`, the cluster of `to` nearest to it by centroid, where near enough."""
    import numpy as np

    frm = [c for c in frm if c.id in centroids_from]
    to = [c for c in to if c.id in centroids_to]
    if not frm or not to:
        return {}
    a = np.array([centroids_from[c.id] for c in frm], dtype=np.float64)
    b = np.array([centroids_to[c.id] for c in to], dtype=np.float64)
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    scores = np.round(a @ b.T, 4)
    out = {}
    for i, cluster in enumerate(frm):
        # Nearest first, ties by the lower id (`to` is in id order); the first near enough wins.
        for j in np.argsort(-scores[i], kind="stable"):
            score = float(scores[i, j])
            if score < CENTROID_WITH_TITLE:
                break
            if _near_enough(score, cluster.title, to[j].title):
                out[cluster.id] = (to[j].id, score)
                break
    return out


def link_clusters(old: RunView, new: RunView, level: int, leaf_links: list[Link] | None = None) -> list[Link]:
    """Every link between the two runs' clusters at `level` (see the module docstring); the levels above the
    leaves need the leaf level's links."""
    links, by_traces_old, by_traces_new = _by_traces(old, new, level)
    found = {(link.old, link.new): link for link in links}
    unlinked_old = [c for c in old.level(level) if c.id not in by_traces_old]
    unlinked_new = [c for c in new.level(level) if c.id not in by_traces_new]
    if level > 0:
        unlinked = {("old", c.id) for c in unlinked_old} | {("new", c.id) for c in unlinked_new}
        for link in _by_leaves(old, new, level, leaf_links or []):
            if ("old", link.old) in unlinked or ("new", link.new) in unlinked:
                found.setdefault((link.old, link.new), link)
    # Centroids of different embedders live in different spaces: without one embedder, traces alone decide.
    elif old.embedder is not None and old.embedder == new.embedder:
        for cluster, (other, score) in _by_centroid(unlinked_old, new.level(level), old.centroids,
                                                    new.centroids).items():
            found.setdefault((cluster, other), Link(old=cluster, new=other, by="centroid", weight=score))
        for cluster, (other, score) in _by_centroid(unlinked_new, old.level(level), new.centroids,
                                                    old.centroids).items():
            found.setdefault((other, cluster), Link(old=other, new=cluster, by="centroid", weight=score))
    return sorted(found.values(), key=lambda link: (link.old, link.new))


def link_levels(old: RunView, new: RunView) -> dict[int, list[Link]]:
    """The links at every level either run has, leaves first (the parents' links are built on theirs)."""
    levels = sorted(set(old.levels) | set(new.levels))
    links = {0: link_clusters(old, new, 0)}
    for level in levels:
        if level > 0:
            links[level] = link_clusters(old, new, level, links[0])
    return links


def group_clusters(old_ids: list[str], new_ids: list[str], links: list[Link]) -> list[Group]:
    """Connected groups of clusters (old and new) under `links`, in a stable order."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for side, ids in (("old", old_ids), ("new", new_ids)):
        for cluster in ids:
            root((side, cluster))
    for link in links:
        parent[root(("old", link.old))] = root(("new", link.new))
    groups: dict[tuple[str, str], Group] = {}
    for side, ids in (("old", old_ids), ("new", new_ids)):
        for cluster in ids:
            getattr(groups.setdefault(root((side, cluster)), Group()), side).append(cluster)
    for link in links:
        groups[root(("old", link.old))].links.append(link)
    return sorted(groups.values(), key=lambda g: (g.new[:1] or ["~"], g.old[:1]))


def _number(cluster_id: str) -> int:
    return int(cluster_id.rsplit("-", 1)[1])


@dataclass
class Carried:
    """A level's new ids: original id → the id it carries forward, and each one's lineage."""

    ids: dict[str, str]
    lineage: dict[str, list[str]]
    next_id: int


def carry_ids(old: RunView, new: RunView, level: int, groups: list[Group]) -> Carried:
    """Within each group the strongest link (shared traces before centroids, more before fewer) hands its old id
    to its new cluster, then the next strongest whose clusters are both still free, and so on; new clusters
    left over get fresh ids. A cluster's lineage is the old clusters linked to it, its own old id first."""
    ids: dict[str, str] = {}
    lineage: dict[str, list[str]] = {}
    for group in groups:
        taken = set()
        for link in sorted(group.links, key=lambda k: (k.by != "traces", -k.weight, k.old, k.new)):
            if link.new not in ids and link.old not in taken:
                ids[link.new] = link.old
                taken.add(link.old)
        for cluster in group.new:
            linked = sorted({link.old for link in group.links if link.new == cluster} - {ids.get(cluster)})
            lineage[cluster] = ([ids[cluster]] if cluster in ids else []) + linked
    used = [_number(c.id) + 1 for c in old.level(level)]
    fresh = max([old.next_ids.get(level, 0), *used, 0])
    for cluster in sorted(c.id for c in new.level(level)):
        if cluster not in ids:
            ids[cluster] = f"L{level}-{fresh:03d}"
            fresh += 1
    return Carried(ids=ids, lineage=lineage, next_id=fresh)
