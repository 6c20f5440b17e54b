"""traceclio_anthropic: the model-written stages on Anthropic's API, selected with `--llm anthropic`.

Facets per trace (Haiku-class, batched), cluster and hierarchy names (Sonnet-class), and a final privacy
audit; per-stage models from settings.llm_models. Every run writes its cost table (Clio's Table 3) to
OUT/cost.json and prints it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from traceclio_core.settings import Settings

# Every command loads this plugin (`traceclio --help` too): the backend's modules are imported by the
# hooks, when called.
COST_FILE = "cost.json"


def _selected(settings: Settings) -> bool:
    from traceclio_anthropic.session import BACKEND

    return settings.llm == BACKEND


@hookimpl
def traceclio_facet_extractor(settings: Settings):
    if not _selected(settings):
        return None
    from traceclio_anthropic.extractor import AnthropicFacetExtractor
    from traceclio_anthropic.session import session_for

    return AnthropicFacetExtractor(session_for(settings))


@hookimpl
def traceclio_namer(settings: Settings):
    if not _selected(settings):
        return None
    from traceclio_anthropic.namer import AnthropicNamer
    from traceclio_anthropic.session import session_for

    return AnthropicNamer(session_for(settings))


@hookimpl
def traceclio_review_clusters(clusters, settings: Settings) -> list[tuple[str, str]]:
    if not _selected(settings) or not clusters:
        return []
    from traceclio_anthropic.audit import audit
    from traceclio_anthropic.session import session_for
    from traceclio_anthropic.transport import Asker

    session = session_for(settings)
    return audit(clusters, session, Asker(session))


@hookimpl
def traceclio_write_run_outputs(result, settings: Settings) -> list[str] | None:
    """Write OUT/cost.json (per stage calls, tokens, dollars; dollars per trace) and print the table."""
    if not _selected(settings):
        return None
    from traceclio_anthropic.cost_table import print_cost_table
    from traceclio_anthropic.session import session_for

    session = session_for(settings)
    table = session.ledger.table(int(result.summary.get("traces_read") or len(result.rows)))
    table["models"] = {stage: session.model(stage) for stage in ("facets", "naming", "hierarchy", "audit")}
    path = settings.out_dir / COST_FILE
    path.write_text(json.dumps(table, indent=2))
    print_cost_table(table)
    return [str(path)]
