"""One level up: named children → groups → named parents.

Children are grouped by the embeddings of their names (Clio's bottom-up step), but failing and healthy
children are grouped apart: a parent never files a failing leaf under healthy work, and so the top level
separates failing behaviour from healthy work. A namer that builds levels itself (HierarchyBuilder) does
so within each of the two.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from traceclio_core.cluster_model import ClusterNode, outcome_summary, parent_count, tenant_mix
from traceclio_core.components import ChildName, ClusterName, HierarchyBuilder, ParentEvidence, Share
from traceclio_core.contrast import RunContrast
from traceclio_core.facets import FacetRow
from traceclio_core.leaves import nearest
from traceclio_core.sanitize import scrub_generated
from traceclio_core.settings import Settings

CONTRAST_TITLES = 4
# A hierarchy builder proposes parents within neighbourhoods of about this many children (Clio's appendix).
NEIGHBOURHOOD = 40


def _group(part: list[int], children: Sequence[ClusterNode], child_names: list[ChildName], embed: Callable,
           cluster: Callable, namer, settings: Settings) -> list[tuple[list[int], ClusterName | None]]:
    """Groups of child indices within one part, with the names a hierarchy builder gave them (else None)."""
    if len(part) == 1:
        return [(part, None)]
    vectors = embed([f"{children[i].title}. {children[i].description}" for i in part])
    sizes = np.array([children[i].size for i in part], dtype=np.float64)
    target = parent_count(len(part))
    if isinstance(namer, HierarchyBuilder):
        hoods = np.asarray(cluster(vectors=vectors, weights=sizes, k=max(1, math.ceil(len(part) / NEIGHBOURHOOD)),
                                   settings=settings))
        neighbourhoods = [[j for j in range(len(part)) if hoods[j] == h] for h in sorted(set(hoods.tolist()))]
        labels, proposed = namer.build_level([child_names[i] for i in part], neighbourhoods, target)
        named = dict(enumerate(proposed))
    else:
        labels, named = cluster(vectors=vectors, weights=sizes, k=target, settings=settings), {}
    groups: dict[int, list[int]] = {}
    for j, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(int(label), []).append(part[j])
    return [(members, named.get(label)) for label, members in groups.items()]


def build_parents(level: int, children: list[ClusterNode], members: dict[str, list[int]], rows: Sequence[FacetRow],
                  contrast: RunContrast, embed: Callable, cluster: Callable, namer, names, settings: Settings
                  ) -> tuple[list[ClusterNode], dict[str, list[int]]]:
    child_names = [ChildName(cluster_id=c.id, title=c.title, description=c.description, size=c.size, failing=c.failing)
                   for c in children]
    grouped: list[tuple[list[int], ClusterName | None, bool]] = []
    for failing in (True, False):
        part = [i for i, c in enumerate(children) if c.failing == failing]
        if part:
            grouped += [(g, name, failing) for g, name in _group(part, children, child_names, embed, cluster, namer,
                                                                settings)]
    grouped.sort(key=lambda g: (-sum(children[i].size for i in g[0]), children[g[0][0]].id))
    traces = [sorted(i for c in group for i in members[children[c].id]) for group, _, _ in grouped]
    # Parents contrasted with their nearest siblings, placed by the mean of their children's name vectors.
    title_vectors = embed([f"{c.title}. {c.description}" for c in children])
    centroids = np.stack([title_vectors[group].mean(axis=0) for group, _, _ in grouped])
    evidence = []
    for p, (group, _, failing) in enumerate(grouped):
        near = nearest(centroids, p, 2)
        phrases, _, share, _ = contrast.of(traces[p], [i for j in near for i in traces[j]])
        cover, cover_share = contrast.cover(traces[p], phrases)
        evidence.append(ParentEvidence(
            cluster_id=f"L{level}-{p:03d}", children=[child_names[i] for i in group],
            contrast_titles=[children[i].title for j in near for i in grouped[j][0]][:CONTRAST_TITLES],
            distinguishing=phrases, deviation_share=share, failing=failing, cover=cover, cover_share=cover_share))
    given = [name for _, name, _ in grouped]
    named = given if all(n is not None for n in given) else namer.name_parents(evidence)
    nodes, parent_members = [], {}
    for (group, _, failing), ev, name, member in zip(grouped, evidence, named, traces):
        for c in group:
            children[c].parent = ev.cluster_id
        statuses = Counter(rows[i].model.completion_status.value for i in member)
        failures = Counter(rows[i].model.failure_mode for i in member)
        n = len(member)
        nodes.append(ClusterNode(
            id=ev.cluster_id, level=level, children=[children[c].id for c in group],
            title=scrub_generated(name.title, names), description=scrub_generated(name.description, names),
            size=n, **tenant_mix(rows, member),
            failure_modes=[Share(value=v, inside=round(c / n, 4), overall=0.0) for v, c in failures.most_common(4)],
            completion=[Share(value=v, inside=round(c / n, 4), overall=0.0) for v, c in statuses.most_common(4)],
            mean_concern=round(sum(rows[i].model.concerning_behavior for i in member) / n, 2),
            failing=failing, deviation_share=ev.deviation_share, distinguishing=ev.distinguishing,
            **outcome_summary(rows, member),
        ))
        parent_members[ev.cluster_id] = member
    return nodes, parent_members
