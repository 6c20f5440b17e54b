"""Facets → the phrases a trace is embedded and clustered by. Short on purpose: what the embedder reads is its cost.

An axis is one facet or a combination (`--facets completion_status,tool_call_sequence`), as in Clio, or a
named axis. The default, `evidence`, is every phrase the facet plugins say their facets read as
(`traceclio_evidence_phrases`): what the trace shows, in words that carry no domain. Plugins may offer
other named axes (`traceclio_axes`); the core knows none of their vocabulary.
"""

from __future__ import annotations

import pluggy

from traceclio_core.errors import ConfigurationError
from traceclio_core.facets import DIRECT_FACETS, MODEL_FACETS, FacetRow, Phrase
from traceclio_core.settings import Settings

EVIDENCE = "evidence"
SEPARATOR = "; "


def _value_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(getattr(value, "value", value))


class Axis:
    """How rows read along the axis `settings.facets`: phrases per row, and the text that gets embedded."""

    def __init__(self, settings: Settings, pm: pluggy.PluginManager):
        self.facets = tuple(settings.facets)
        self.settings = settings
        self._named: dict = {}
        for part in pm.hook.traceclio_axes(settings=settings):
            self._named.update(part or {})
        self._evidence = pm.hook.traceclio_evidence_phrases
        self._declared = {spec.name for specs in pm.hook.traceclio_facet_specs(settings=settings) for spec in specs or []}
        self._shared: dict[Phrase, Phrase] = {}

    def names(self) -> list[str]:
        return [EVIDENCE, *sorted(self._named), *MODEL_FACETS, *DIRECT_FACETS, *sorted(self._declared)]

    def check(self, rows=()) -> None:
        """Every facet of the axis is known: an axis name, a core facet, a declared or a present plugin facet."""
        present = {name for row in rows for name in row.facets}
        unknown = [f for f in self.facets if f not in self.names() and f not in present]
        if unknown:
            raise ConfigurationError(f"unknown facet(s) {', '.join(unknown)}; choose from {', '.join(self.names())}")

    def evidence(self, row: FacetRow) -> list[Phrase]:
        """All the plugins' evidence phrases for a row, each once, in plugin order."""
        seen, out = set(), []
        for part in self._evidence(row=row, settings=self.settings):
            for phrase in part or []:
                if phrase.text not in seen:
                    seen.add(phrase.text)
                    out.append(phrase)
        return out

    def _one(self, row: FacetRow, facet: str, labelled: bool) -> list[Phrase]:
        if facet == EVIDENCE:
            return self.evidence(row)
        if facet in self._named:
            return list(self._named[facet](row))
        try:
            value = row.value(facet)
        except KeyError:
            value = None
        text = _value_text(value) if value is not None else "none"
        return [Phrase(f"{facet.replace('_', ' ')}: {text}" if labelled else text)]

    def phrases(self, row: FacetRow) -> list[Phrase]:
        labelled = len(self.facets) > 1
        # One object per distinct phrase, however many rows say it: a run's renderings are held at once.
        shared = self._shared
        return [shared.setdefault(p, p) for facet in self.facets for p in self._one(row, facet, labelled)]

    def text(self, row: FacetRow) -> str:
        return join(self.phrases(row))


def join(phrases: list[Phrase]) -> str:
    return SEPARATOR.join(p.text for p in phrases) or "nothing recorded"
