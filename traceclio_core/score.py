"""Score a run against known behaviours, the way Clio proved itself: by reconstruction.

Reads only the run's output contract (clusters.json, assignments.jsonl) and a truth file with one
`{"trace_id", "label", "top"}` line per trace. Never used by the pipeline itself.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


class BehaviourRecall(BaseModel):
    label: str
    traces: int
    recall: float  # share of its traces sitting in a surfaced leaf whose majority behaviour is this one
    unassigned: int  # traces of it in suppressed clusters


class Score(BaseModel):
    traces: int
    behaviours: int
    leaf_clusters: int
    leaf: float  # Clio's leaf recovery
    top: float  # the same with top-level categories, leaves mapped to their majority top
    ari: float
    nmi: float
    top_ari: float
    top_nmi: float
    random_baseline: float  # expected leaf recovery of guessing with the truth's label frequencies
    label: float | None = None  # label recovery: titles+descriptions judged by nearest behaviour description
    label_chance: float | None = None
    per_behaviour: list[BehaviourRecall]

    def table(self) -> str:
        lines = [
            f"traces {self.traces}, behaviours {self.behaviours}, leaf clusters {self.leaf_clusters}",
            f"leaf recovery {self.leaf:.3f} (random {self.random_baseline:.3f}); top-level {self.top:.3f}",
            f"ARI {self.ari:.3f}  NMI {self.nmi:.3f}  top ARI {self.top_ari:.3f}  top NMI {self.top_nmi:.3f}",
        ]
        if self.label is not None:
            lines.append(f"label recovery {self.label:.3f} (chance {self.label_chance:.3f})")
        lines.append("per behaviour, worst first:")
        lines += [f"  {b.recall:6.1%}  {b.label:<38} n={b.traces:<5} suppressed={b.unassigned}"
                  for b in self.per_behaviour]
        return "\n".join(lines)


def read_truth(path: Path) -> dict[str, dict]:
    return {r["trace_id"]: r for r in (json.loads(line) for line in path.read_text().splitlines() if line.strip())}


def read_run(run_dir: Path) -> tuple[dict[str, str | None], list[dict]]:
    assignments = {}
    for line in (run_dir / "assignments.jsonl").read_text().splitlines():
        record = json.loads(line)
        assignments[record["trace_id"]] = record["cluster_id"]
    clusters = json.loads((run_dir / "clusters.json").read_text())["clusters"]
    return assignments, clusters


def _recovery(assigned: dict[str, str | None], truth: dict[str, str]) -> tuple[float, dict[str, str]]:
    """Each surfaced cluster takes the behaviour most of its traces have; recovery is the share of all
    traces whose cluster's behaviour is their own (suppressed traces count as misses)."""
    members: dict[str, Counter] = defaultdict(Counter)
    for trace_id, cluster in assigned.items():
        if cluster is not None and trace_id in truth:
            members[cluster][truth[trace_id]] += 1
    majority = {c: max(sorted(counts), key=counts.__getitem__) for c, counts in members.items()}
    hits = sum(1 for t, c in assigned.items() if c is not None and t in truth and majority[c] == truth[t])
    return hits / max(1, len(truth)), majority


def score_run(run_dir: Path, truth_path: Path, descriptions: dict[str, str] | None = None,
              embed: Callable[[Sequence[str]], np.ndarray] | None = None) -> Score:
    """Score RUN_DIR against truth. With behaviour `descriptions` and an `embed` function, also judge
    label recovery: each surfaced leaf's title and description picks the nearest behaviour description
    (a multiple choice over all behaviours, as Clio's judge did)."""
    truth_rows = read_truth(truth_path)
    assignments, clusters = read_run(run_dir)
    labels = {t: r["label"] for t, r in truth_rows.items()}
    tops = {t: r["top"] for t, r in truth_rows.items()}
    assigned = {t: assignments.get(t) for t in truth_rows}
    leaf, majority = _recovery(assigned, labels)
    top, _ = _recovery(assigned, tops)

    ids = sorted(truth_rows)
    predicted = [assigned[t] or f"unassigned:{t}" for t in ids]
    frequencies = np.array(list(Counter(labels.values()).values()), dtype=float) / len(labels)

    per = []
    for label in sorted(set(labels.values())):
        mine = [t for t in ids if labels[t] == label]
        hits = sum(1 for t in mine if assigned[t] is not None and majority.get(assigned[t]) == label)
        per.append(BehaviourRecall(label=label, traces=len(mine), recall=round(hits / len(mine), 4),
                                   unassigned=sum(1 for t in mine if assigned[t] is None)))
    per.sort(key=lambda b: (b.recall, b.label))

    label_score = label_chance = None
    leaves = [c for c in clusters if c["level"] == 0 and c.get("surfaced")]
    if descriptions and embed and leaves:
        names = sorted(descriptions)
        choice_vectors = embed([descriptions[n] for n in names])
        leaf_vectors = embed([f"{c['title']}. {c['description']}" for c in leaves])
        picks = np.argmax(leaf_vectors @ choice_vectors.T, axis=1)
        sizes = np.array([c["size"] for c in leaves], dtype=float)
        correct = np.array([names[p] == majority.get(c["id"]) for p, c in zip(picks, leaves)], dtype=float)
        label_score = float((correct * sizes).sum() / sizes.sum())
        label_chance = 1 / len(names)

    return Score(
        traces=len(ids), behaviours=len(set(labels.values())), leaf_clusters=len(leaves),
        leaf=round(leaf, 4), top=round(top, 4),
        ari=round(adjusted_rand_score([labels[t] for t in ids], predicted), 4),
        nmi=round(normalized_mutual_info_score([labels[t] for t in ids], predicted), 4),
        top_ari=round(adjusted_rand_score([tops[t] for t in ids], predicted), 4),
        top_nmi=round(normalized_mutual_info_score([tops[t] for t in ids], predicted), 4),
        random_baseline=round(float((frequencies**2).sum()), 4),
        label=None if label_score is None else round(label_score, 4), label_chance=label_chance,
        per_behaviour=per,
    )
