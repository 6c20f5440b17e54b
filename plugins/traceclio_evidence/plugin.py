"""The evidence facets as a plugin: computed per trace, declared as typed columns, read as phrases."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # loading the plugin (every command, --help too) stays light; a run imports the rest
    from traceclio_core.facets import FacetRow, FacetSpec, Phrase
    from traceclio_core.model import Trace
    from traceclio_core.settings import Settings

_TYPES = {int: "int", float: "float", bool: "bool", str: "str"}


def _source_version() -> str:
    """A hash of the evidence code and the structure it reads: change either and the facet cache knows."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")) + sorted((here.parent / "traceclio_structure").glob("*.py")):
        digest.update(path.read_bytes())
    return "evidence-" + digest.hexdigest()[:12]


VERSION = _source_version()


def _type(annotation) -> str:
    if get_origin(annotation) is list:
        return f"list[{_TYPES[get_args(annotation)[0]]}]"
    return _TYPES[annotation]


@lru_cache(maxsize=1)
def specs() -> tuple[FacetSpec, ...]:
    """Every evidence field, typed and described as the Evidence model declares it, and the run ratios."""
    from traceclio_core.facets import FacetSpec
    from traceclio_evidence.evidence import Evidence

    declared = [FacetSpec(name, _type(info.annotation), info.description or "")
                for name, info in Evidence.model_fields.items()]
    return tuple(declared + [
        FacetSpec("slow_span_ratio", "float", "The trace's slowest span over the median of the same tool or model "
                                              "in the run (0 when it has too few peers)."),
        FacetSpec("slowest_span_ms", "float", "Duration of the span behind slow_span_ratio, in milliseconds."),
        FacetSpec("token_span_ratio", "float", "The trace's largest model call in tokens over that model's "
                                               "median in the run (0 when it has too few peers)."),
        FacetSpec("result_size_ratio", "float", "The trace's largest tool result over that tool's median result "
                                                "size in the run (0 when it has too few peers)."),
        FacetSpec("missing_sequels", "list[str]", "'U after T' for each tool U that follows tool T in at least half "
                                                  "of the run's traces calling T and not in this one."),
    ])


@hookimpl(trylast=True)
def traceclio_compute_facets(trace: Trace, settings: Settings) -> dict[str, Any]:
    from traceclio_evidence.evidence import compute_evidence

    return compute_evidence(trace).model_dump()


@hookimpl(trylast=True)
def traceclio_facet_specs(settings: Settings) -> list[FacetSpec]:
    return list(specs())


@hookimpl(trylast=True)
def traceclio_run_facets(rows, settings: Settings) -> dict[str, dict]:
    from traceclio_evidence.relative import run_relative

    return run_relative(rows)


@hookimpl(trylast=True)
def traceclio_evidence_phrases(row: FacetRow, settings: Settings) -> list[Phrase]:
    from traceclio_evidence.phrases import evidence_phrases

    return evidence_phrases(row)
