"""What sets a group of traces apart: each axis phrase and facet value, inside the group, in the groups
nearest to it and in the run. The namer's evidence, computed once here for any namer.

Clio names a cluster by contrast with its neighbours; so does this. A phrase most of the group shares
and its neighbours mostly lack is what the group is about. A group no phrase describes for the most
part is heterogeneous, and is said to be so rather than given a broad name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from traceclio_core.components import Contrast
from traceclio_core.facets import FacetRow, Phrase

TOP = 6
# A phrase held by at least this share of a group describes it; without one the group is heterogeneous.
DESCRIBES = 0.5
# Facets whose values say nothing a reader can check against a name (per-span keys, free text).
_NOT_ATTRIBUTES = frozenset({"span_keys", "task_summary", "known_patterns", "claimed_tools", "claimed_not_run"})
MAX_VALUES = 5


def attribute_values(row: FacetRow) -> frozenset[str]:
    """The row's categorical facet values as 'facet: value' (a model, a tool, an error, a data type)."""
    out = set()
    items = [("tool", row.direct.actual_tools), ("error class", row.direct.error_classes)]
    items += [(name.replace("_", " "), value) for name, value in row.facets.items() if name not in _NOT_ATTRIBUTES]
    for name, value in items:
        if isinstance(value, str) and value:
            out.add(f"{name}: {value}")
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            out.update(f"{name}: {v}" for v in value[:MAX_VALUES])
    return frozenset(out)


class RunContrast:
    """The run's phrases and attribute values per trace, counted once, to contrast any group against."""

    def __init__(self, rows: Sequence[FacetRow], renderings: Sequence[list[Phrase]]):
        self.phrases = [frozenset(p.text for p in r) for r in renderings]
        self.deviations = frozenset(p.text for r in renderings for p in r if p.deviation)
        self.meanings = {p.text: p.meaning for r in renderings for p in r if p.meaning}
        self.attributes = [attribute_values(row) for row in rows]
        self.total = len(rows)
        self._overall_phrases = Counter(t for s in self.phrases for t in s)
        self._overall_attributes = Counter(t for s in self.attributes for t in s)

    def deviates(self, i: int) -> bool:
        return bool(self.phrases[i] & self.deviations)

    def _shares(self, sets, overall: Counter, member: Sequence[int], nearby: Sequence[int]) -> list[Contrast]:
        inside = Counter(t for i in member for t in sets[i])
        near = Counter(t for i in nearby for t in sets[i])
        n, m = len(member), max(1, len(nearby))
        out = [Contrast(text=t, inside=round(c / n, 4), nearby=round(near[t] / m, 4) if nearby else round(
                   overall[t] / self.total, 4), overall=round(overall[t] / self.total, 4), deviation=t in self.deviations,
                        meaning=self.meanings.get(t, ""))
               for t, c in inside.items()]
        # Most distinctive first: held by much of the group and rarely near it.
        out.sort(key=lambda c: (-(c.inside - c.nearby) * min(c.lift, 10), -c.inside, c.text))
        return out

    def cover(self, member: Sequence[int], phrases: Sequence[Contrast], limit: int = 3) -> tuple[list[Contrast], float]:
        """Up to `limit` phrases that between them hold for the most traces of the group (chosen greedily,
        each for the traces the ones before it left, the run's commonest phrases discounted), and the share
        of the group they cover: what a mixed group's name can truthfully list."""
        by_text = {c.text: c for c in self._shares(self.phrases, self._overall_phrases, member, [])}
        by_text.update({c.text: c for c in phrases})  # with their contrast to the nearest groups, where known
        left, chosen = set(member), []
        while left and len(chosen) < limit:
            counts = Counter(t for i in left for t in self.phrases[i] if t not in {c.text for c in chosen})
            if not counts:
                break
            # Each phrase by the traces it would add, discounted by how much of the run holds it: "answer in
            # prose" covers much and says little, "a tool error is never recovered" says what the group is.
            text, _ = max(sorted(counts.items()),
                          key=lambda kv: kv[1] * (1 - self._overall_phrases[kv[0]] / max(1, self.total)))
            chosen.append(by_text.get(text) or Contrast(text=text, inside=0.0, nearby=0.0, overall=0.0,
                                                        deviation=text in self.deviations))
            left = {i for i in left if text not in self.phrases[i]}
        return chosen, round(1 - len(left) / max(1, len(member)), 4)

    def of(self, member: Sequence[int], nearby: Sequence[int]) -> tuple[list[Contrast], list[Contrast], float, bool]:
        """Distinguishing phrases, distinguishing attribute values, deviation share, heterogeneous."""
        phrases = self._shares(self.phrases, self._overall_phrases, member, nearby)
        attributes = [c for c in self._shares(self.attributes, self._overall_attributes, member, nearby)
                      if c.inside >= 0.3 and c.lift >= 1.5]
        share = sum(1 for i in member if self.deviates(i)) / max(1, len(member))
        # Heterogeneous: no phrase that is not everyone's (held by most of the run) covers most of the group.
        specific = [c for c in phrases if c.overall < 0.8]
        heterogeneous = bool(specific) and max(c.inside for c in specific) < DESCRIBES
        return phrases[:TOP], attributes[:TOP], round(share, 4), heterogeneous
