"""The known-pattern detectors as a facet: `known_patterns`, every known failure pattern a trace matches.

They are ready-made monitors (and the verdict behind the offline `failure_mode`), not the lens: the
default axis is the evidence, with these phrases beside it. `traceclio run --detectors off` leaves them
out, for measurement and for pure discovery.
"""

from __future__ import annotations

from typing import Any

from traceclio_core.facets import FacetRow, FacetSpec, Phrase
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import Trace
from traceclio_core.settings import Settings
from traceclio_structure.direct import compute_direct_facets
from traceclio_offline.extractor import VERSION, known_patterns  # noqa: F401  (VERSION keys the facet cache)

SPEC = FacetSpec("known_patterns", "list[str]", "Known failure patterns the detector rules find in this trace, "
                                                "most specific first (empty with --detectors off).")
# A detector's finding is exact where it holds: it weighs like the strongest evidence.
WEIGHT = 3.0


@hookimpl(trylast=True)
def traceclio_compute_facets(trace: Trace, settings: Settings) -> dict[str, Any]:
    if not settings.detectors:
        return {}
    return {"known_patterns": known_patterns(trace, compute_direct_facets(trace))}


@hookimpl(trylast=True)
def traceclio_facet_specs(settings: Settings) -> list[FacetSpec]:
    return [SPEC] if settings.detectors else []


@hookimpl(trylast=True)
def traceclio_evidence_phrases(row: FacetRow, settings: Settings) -> list[Phrase]:
    return [Phrase(f"known pattern: {p}", WEIGHT, True) for p in row.facets.get("known_patterns", [])[:1]]
