"""The pipeline's table of contents: every stage is a hook, in the order a run calls them (the CLI adds its
commands; a run resolves its axis, columns and extractor, reads, computes facets, embeds, names, clusters,
reviews and writes; `sync` and `export` come later, on a finished run).

Built-in stages are plugins registered through the `traceclio` entry-point group, exactly like a third
party's. "First result wins" hooks are answered by the most recently registered plugin that returns
something other than None; built-ins are marked `trylast` so any outside plugin can take a stage over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from traceclio_core.components import Embedder, FacetExtractor, Namer
    from traceclio_core.facets import AxisRenderer, FacetRow, FacetSpec, Phrase
    from traceclio_core.hierarchy import ClusterNode, RunResult
    from traceclio_core.model import Trace
    from traceclio_core.rejects import RejectLog
    from traceclio_core.settings import Settings
    from traceclio_core.sync_ledger import StoreWriter
    from traceclio_core.sync_plan import SyncPlan
    from traceclio_monitors.exporting import ClusterExport

PROJECT = "traceclio"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def traceclio_cli_commands(app) -> None:
    """Add sub-commands to the `traceclio` command (a typer.Typer). Called once, when the CLI starts;
    keep heavy imports inside the commands so start-up stays fast."""


@hookspec
def traceclio_axes(settings: Settings) -> dict[str, AxisRenderer]:
    """Named composite axes this plugin offers (`--facets NAME`), each reading a row as phrases.
    Every plugin is asked."""


@hookspec
def traceclio_facet_specs(settings: Settings) -> list[FacetSpec]:
    """Declare the facets this plugin's `traceclio_compute_facets` (or `traceclio_run_facets`) returns
    beyond `DirectFacets`: name, column type and meaning. Each becomes a typed column of the fact table,
    an axis (`--facets NAME`) and evidence the namer reads. Every plugin is asked."""


@hookspec(firstresult=True)
def traceclio_facet_extractor(settings: Settings) -> FacetExtractor | None:
    """Return the extractor of model-written facets chosen by `settings.llm`, or None if this plugin's
    extractor is not the one asked for. Its `version` is part of the facet cache key. First result wins."""


@hookspec
def traceclio_source_fingerprint(locations: list[str], settings: Settings) -> str | None:
    """A fingerprint of everything `locations` would load (e.g. a hash of the files' bytes), or None if
    this plugin cannot vouch for all of them. With a fingerprint seen before, a re-run takes its traces'
    facets from the cache without parsing a single span."""


@hookspec
def traceclio_load_traces(locations: list[str], settings: Settings, rejects: RejectLog) -> Iterable[Trace] | None:
    """Load traces from the `locations` this plugin understands (file paths, directories, globs, or URIs
    such as phoenix://host:port/project); return None if it understands none of them.

    Every plugin is asked and the pipeline reads all the iterables returned. Input that cannot be read
    is passed to `rejects.add` with its file, line and trace id, and loading goes on.
    """


@hookspec
def traceclio_compute_facets(trace: Trace, settings: Settings) -> dict[str, Any]:
    """Compute facets of one trace from its structure alone (no model). Called for every trace not in
    the cache. Every plugin's dict is merged; keys of `DirectFacets` fill it, other keys are kept as
    extra facets in the fact table."""


@hookspec
def traceclio_run_facets(rows: Sequence[FacetRow], settings: Settings) -> dict[str, dict[str, Any]]:
    """Facets that only make sense against the whole run (a span far slower than the same tool's usual,
    tokens in the run's top tail), computed from the fact table once every row is in. Return
    {trace id: {facet: value}}; the values join the rows' own facets before the table is written.
    Never cached per trace: they change with the run. Every plugin is asked."""


@hookspec(firstresult=True)
def traceclio_embedder(settings: Settings) -> Embedder | None:
    """Return the embedder chosen by `settings.embedder`, or None. Its `model_id` is part of the vector
    cache key. First result wins."""


@hookspec(firstresult=True)
def traceclio_namer(settings: Settings) -> Namer | None:
    """Return the namer chosen by `settings.llm`: it titles and describes leaf clusters from their facets
    and parent clusters from their children. First result wins."""


@hookspec
def traceclio_evidence_phrases(row: FacetRow, settings: Settings) -> list[Phrase]:
    """How this plugin's facets of one row read on the default `evidence` axis: short phrases in general
    terms (`Phrase.deviation` for evidence that something went unusually). Return [] for nothing
    remarkable. Every plugin is asked; the axis is all their phrases together."""


@hookspec(firstresult=True)
def traceclio_cluster(vectors: np.ndarray, weights: np.ndarray, k: int, settings: Settings) -> np.ndarray | None:
    """Partition `vectors` (one row per distinct rendered text, `weights` = how many traces share it) into
    at most `k` groups; return one integer label per row. Must be deterministic for a given
    `settings.seed`. Used for the base clusters and again for each level of the hierarchy. First result wins."""


@hookspec
def traceclio_review_clusters(clusters: Sequence[ClusterNode], settings: Settings) -> list[tuple[str, str]]:
    """Review the named hierarchy before anything is shown; return (cluster id, reason) for each cluster
    that must be suppressed. Every plugin is asked and every suppression applies (privacy thresholds,
    auditors). Clusters carry only aggregate statistics (size, distinct tenants, the largest tenant's trace
    count; never a tenant's name) and sanitised text. The stage runner then also hides what lies under a
    suppressed parent, and a parent whose children are all suppressed (hierarchy.review_hierarchy)."""


@hookspec
def traceclio_write_run_outputs(result: RunResult, settings: Settings) -> list[str] | None:
    """Write outputs of a finished run under `settings.out_dir` (or elsewhere, such as a trace store);
    return the paths or URIs written. Every plugin is called."""


@hookspec(firstresult=True)
def traceclio_sync_writer(target: str, plan: SyncPlan, credentials: dict[str, str | None]) -> StoreWriter | None:
    """Return a writer that puts `plan` (surfaced clusters, per-trace labels, exemplar datasets) into the
    trace store named by `target` (e.g. phoenix://host:port/project), or None if this plugin does not
    speak to that store. `credentials` holds what the command line or environment gave (never logged).
    Used by `traceclio sync`; first result wins."""


@hookspec
def traceclio_write_cluster_artefacts(export: ClusterExport, out_dir: Path) -> list[str] | None:
    """Write one kind of artefact (monitors, eval cases, guardrail stubs, a dataset in a store) for the
    clusters chosen by `traceclio export`, under `out_dir` or elsewhere; return the paths or URIs written.
    Called once per export. `export` holds the distilled monitors and, per cluster id, its sanitised
    example task summaries, nothing else from the run: write only those, never raw trace content.
    Every plugin is called."""
