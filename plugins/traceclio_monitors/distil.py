"""Distil a cluster's membership into a readable rule over the facet table.

A depth-3 decision tree, one cluster against the rest, on features a person can read back: numeric
facets as they are, list facets by length (and error classes by membership), categorical model-written
facets one-hot. Each leaf the tree calls "in the cluster" becomes a clause (its path's conditions); the
clauses are simplified, then pruned while that costs no F1 on this run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from traceclio_core.facets import DirectFacets, ModelFacets
from traceclio_monitors.predicate import Condition, Predicate

MAX_DEPTH = 3
# Model-written facets with a small vocabulary of behaviour phrases; task_summary and tool_call_sequence
# are free text and would only memorise this run.
CATEGORICAL = ("failure_mode", "completion_status", "reasoning_pattern", "resource_pattern")
# List facets whose values are a closed vocabulary (tool-name lists are domain words: length only).
MEMBERSHIP = ("error_classes",)
_LISTS = tuple(n for n, f in DirectFacets.model_fields.items() if f.annotation == list[str])
_INTEGERS = tuple(n for n, f in DirectFacets.model_fields.items() if f.annotation is int) + ("concerning_behavior",)
_FLOATS = tuple(n for n, f in DirectFacets.model_fields.items() if f.annotation is float)
# Magnitudes that vary with load and model rather than behaviour: offered to the tree only when the
# behaviour features alone give no good rule, since a latency cut-off seldom survives the next week.
MAGNITUDES = ("total_latency_ms", "total_tokens", "max_input_tokens")
# A rule below either bar is not good enough; the monitor then falls back to the cluster's centroid.
GOOD_PRECISION = 0.8
GOOD_RECALL = 0.6
assert set(CATEGORICAL) <= set(ModelFacets.model_fields)


@dataclass(frozen=True, slots=True)
class Feature:
    facet: str
    kind: str  # "integer", "float", "length", "category", "member"
    value: str | None = None

    def column(self, facets: dict) -> float:
        current = facets.get(self.facet)
        if self.kind == "length":
            return float(len(current or []))
        if self.kind == "category":
            return float(current == self.value)
        if self.kind == "member":
            return float(self.value in (current or []))
        return float(current or 0)

    def split(self, threshold: float, above: bool) -> Condition:
        """The condition for one side of a tree split `feature <= threshold`."""
        if self.kind in ("category", "member"):
            positive = "==" if self.kind == "category" else "contains"
            negative = "!=" if self.kind == "category" else "not contains"
            return Condition(facet=self.facet, op=positive if above else negative, value=self.value)
        measure = "length" if self.kind == "length" else "value"
        if self.kind == "float":
            return Condition(facet=self.facet, measure=measure, op=">" if above else "<=", value=round(threshold, 3))
        bound = math.floor(threshold) + 1  # integers: x <= 2.5 is x < 3
        return Condition(facet=self.facet, measure=measure, op=">=" if above else "<", value=bound)


class RuleQuality(BaseModel):
    precision: float
    recall: float
    hits: int
    members: int
    traces: int


def features_for(facet_dicts: Sequence[dict], tenants: Sequence[str | None], min_tenants: int) -> list[Feature]:
    """The readable features of this fact table. A categorical value becomes a feature only when traces of
    at least `min_tenants` tenants share it, so no rule can name something one tenant's traces said."""
    features = [Feature(n, "integer") for n in _INTEGERS] + [Feature(n, "float") for n in _FLOATS]
    features += [Feature(n, "length") for n in _LISTS]
    for facet in (*CATEGORICAL, *MEMBERSHIP):
        seen: dict[str, set] = {}
        for facets, tenant in zip(facet_dicts, tenants):
            values = facets.get(facet)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and value:
                    seen.setdefault(value, set()).add(tenant)
        kind = "member" if facet in MEMBERSHIP else "category"
        features += [Feature(facet, kind, v) for v in sorted(seen) if len(seen[v]) >= min_tenants]
    return features


def quality(predicate: Predicate, facet_dicts: Sequence[dict], members: np.ndarray) -> RuleQuality:
    hits = np.array([predicate.holds(f) for f in facet_dicts], dtype=bool)
    true = int((hits & members).sum())
    return RuleQuality(precision=round(true / hits.sum(), 4) if hits.any() else 0.0,
                       recall=round(true / members.sum(), 4) if members.any() else 0.0,
                       hits=int(hits.sum()), members=int(members.sum()), traces=len(facet_dicts))


def _f1(q: RuleQuality) -> float:
    return 2 * q.precision * q.recall / (q.precision + q.recall) if q.precision + q.recall else 0.0


def _simplify(clause: list[Condition]) -> list[Condition]:
    """Keep the tightest bound per facet; an equality makes inequalities on the same facet redundant."""
    out: dict[tuple, Condition] = {}
    equal = {c.facet for c in clause if c.op == "=="}
    for c in clause:
        if c.op == "!=" and c.facet in equal:
            continue
        if c.op in (">=", ">"):
            key = (c.facet, c.measure, "low")
            if key not in out or c.value > out[key].value:
                out[key] = c
        elif c.op in ("<", "<="):
            key = (c.facet, c.measure, "high")
            if key not in out or c.value < out[key].value:
                out[key] = c
        else:
            out[(c.facet, c.op, c.value)] = c
    return list(out.values())


def _tree_clauses(matrix: np.ndarray, members: np.ndarray, features: list[Feature], weighting) -> list[list[Condition]]:
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, random_state=0, class_weight=weighting)
    tree.fit(matrix, members)
    t = tree.tree_
    positive = list(tree.classes_).index(True) if True in tree.classes_ else None
    clauses: list[list[Condition]] = []

    def walk(node: int, path: list[Condition]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            if positive is not None and counts[positive] > counts.sum() / 2:
                clauses.append(_simplify(path))
            return
        feature, threshold = features[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], path + [feature.split(threshold, above=False)])
        walk(t.children_right[node], path + [feature.split(threshold, above=True)])

    walk(0, [])
    return clauses


def _specialisations(predicate: Predicate, facet_dicts: Sequence[dict], members: np.ndarray) -> list:
    """`facet != a` rewritten as `facet == b` for each value b its clause's members hold: the positive
    statement names the behaviour and does not sweep in whatever new value a fresh batch brings."""
    out = []
    for i, clause in enumerate(predicate.any_of):
        covered = [d for d, m in zip(facet_dicts, members) if m and all(c.holds(d) for c in clause)]
        for j, condition in enumerate(clause):
            if condition.op != "!=":
                continue
            for value in sorted({d.get(condition.facet) for d in covered if isinstance(d.get(condition.facet), str)}):
                swapped = condition.model_copy(update={"op": "==", "value": value})
                out.append([c if k != i else c[:j] + [swapped] + c[j + 1:] for k, c in enumerate(predicate.any_of)])
    return out


def _prune(predicate: Predicate, facet_dicts: Sequence[dict], members: np.ndarray) -> Predicate:
    """Prefer positive equalities, then drop conditions and clauses that do not earn their place (each
    step is taken only when F1 on this run is no worse)."""
    best = _f1(quality(predicate, facet_dicts, members))
    changed = True
    while changed:
        changed = False
        candidates = _specialisations(predicate, facet_dicts, members)
        for i, clause in enumerate(predicate.any_of):
            for j in range(len(clause)):
                candidates.append([c if k != i else c[:j] + c[j + 1:] for k, c in enumerate(predicate.any_of)])
            candidates.append(predicate.any_of[:i] + predicate.any_of[i + 1:])
        for any_of in candidates:
            if not any_of or any(not clause for clause in any_of):
                continue  # an empty clause would match everything
            trial = Predicate(any_of=any_of)
            score = _f1(quality(trial, facet_dicts, members))
            if score >= best - 1e-9:
                predicate, best, changed = trial, score, True
                break
    return predicate


def good_enough(q: RuleQuality) -> bool:
    return q.precision >= GOOD_PRECISION and q.recall >= GOOD_RECALL


def distil_rule(facet_dicts: Sequence[dict], tenants: Sequence[str | None], members: Sequence[bool],
                min_tenants: int = 1) -> tuple[Predicate, RuleQuality]:
    """The most readable rule the tree finds for `members` (one flag per row), and how well it matches them.
    Behaviour features are tried first; magnitudes join only when those give no good-enough rule."""
    target = np.asarray(members, dtype=bool)
    every = features_for(facet_dicts, tenants, min_tenants)
    behaviour = [f for f in every if f.facet not in MAGNITUDES]
    best: tuple[Predicate, RuleQuality] | None = None
    for features in (behaviour, every):
        matrix = np.array([[f.column(d) for f in features] for d in facet_dicts], dtype=float)
        for weighting in (None, "balanced"):
            clauses = _tree_clauses(matrix, target, features, weighting) if target.any() else []
            predicate = Predicate(any_of=clauses)
            if clauses:
                predicate = _prune(predicate, facet_dicts, target)
            scored = quality(predicate, facet_dicts, target)
            if best is None or _f1(scored) > _f1(best[1]) + 1e-9:
                best = (predicate, scored)
        if good_enough(best[1]):
            break
    return best
