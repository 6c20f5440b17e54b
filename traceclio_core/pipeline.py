"""The recipe, top to bottom: load → facets → fact table → embed → cluster → name → hierarchy → review → export
(and, with --per-tenant, the stages after the fact table again for each tenant's rows: tenant_runs.py).

Each stage is a hook (see hookspecs.py); this module only calls them in order, times them, and keeps
memory bounded by handling traces in batches and keeping only their facet rows.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

import pluggy

from traceclio_core import engines, facet_table, sharded
from traceclio_core.baseline import apply_baseline, check_baseline
from traceclio_core.clustering_cache import ClusteringCache, clustering_key
from traceclio_core.components import FacetExtractor, FacetFailure
from traceclio_core.errors import ConfigurationError, Reject, SourceError, TraceclioError
from traceclio_core.cache_pruning import mark_facet_version_used
from traceclio_core.facet_table import FacetCache, SourceManifest, content_hash
from traceclio_core.exemplars import exemplar_timelines
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.hierarchy import Clustering, RunResult
from traceclio_core.model import Trace
from traceclio_core.progress import Progress, Silent
from traceclio_core.rejects import RejectLog, per_trace
from traceclio_core.render import Axis
from traceclio_core.settings import Settings
from traceclio_core.timeline import TIMELINE_VERSION, span_timeline
from traceclio_core.vectors import VectorCache


# Rows read from the cache at a time on a re-run of unchanged input (each row group is read once per chunk).
MANIFEST_CHUNK = 50_000


class StageClock:
    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - start, 3)


def _batches(items: Iterable[Trace], size: int) -> Iterator[list[Trace]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _first(pm: pluggy.PluginManager, hook: str, settings: Settings, what: str):
    found = getattr(pm.hook, hook)(settings=settings)
    if found is None:
        raise ConfigurationError(f"no plugin provides {what} for these settings (llm={settings.llm!r}, "
                                 f"embedder={settings.embedder!r})")
    return found


def facet_version(pm: pluggy.PluginManager, extractor, settings: Settings) -> str:
    """What the cache key must know of how facets were made: the extractor's version, which plugins
    computed direct facets (installing a facet plugin must not be answered from an older cache) and
    whether the known-pattern detectors ran; and the version of the span timeline kept beside them."""
    # A facet plugin's VERSION (e.g. a hash of its source), where it has one, changes the key with its code.
    computers = sorted(getattr(impl.plugin, "__name__", type(impl.plugin).__qualname__)
                       + (f"@{impl.plugin.VERSION}" if hasattr(impl.plugin, "VERSION") else "")
                       for impl in pm.hook.traceclio_compute_facets.get_hookimpls())
    return (f"{extractor.version}|{','.join(computers)}|detectors={'on' if settings.detectors else 'off'}"
            f"|timeline={TIMELINE_VERSION}")


def facet_types(pm: pluggy.PluginManager, settings: Settings) -> dict[str, str]:
    """Column types the plugins declare for their facets (FacetSpec)."""
    return {spec.name: spec.type for specs in pm.hook.traceclio_facet_specs(settings=settings) for spec in specs or []}


def add_run_facets(rows: list[tuple[FacetRow, dict]], settings: Settings, pm: pluggy.PluginManager
                   ) -> list[tuple[FacetRow, dict]]:
    """Join the facets computed against the whole run (see `traceclio_run_facets`) to each row of `rows`
    (the list itself is updated, and returned)."""
    joined: dict[str, dict] = {}
    for part in pm.hook.traceclio_run_facets(rows=[row for row, _ in rows], settings=settings):
        for trace_id, facets in (part or {}).items():
            joined.setdefault(trace_id, {}).update(facets)
    # Row by row, in place: never every row twice in memory (the rows before the join and after it).
    sets: dict = {}
    for i, (row, extra) in enumerate(rows):
        if row.trace_id in joined:
            copied = row.model_copy(update={"facets": {**row.facets, **joined[row.trace_id]}})
            facet_table.share_fields_set(copied, sets)  # a copy gets a set of its own
            rows[i] = (copied, extra)
    return rows


def extract_facets(traces: Iterable[Trace], settings: Settings, pm: pluggy.PluginManager, rejects: RejectLog,
                   progress: Progress, clock: StageClock, extractor: FacetExtractor | None = None,
                   cache: FacetCache | None = None) -> tuple[list[tuple[FacetRow, dict]], dict]:
    """Facet rows for every trace, from the cache where its content is unchanged."""
    extractor = extractor or _first(pm, "traceclio_facet_extractor", settings, "a facet extractor")
    version = facet_version(pm, extractor, settings)
    types = facet_types(pm, settings)
    cache = cache or FacetCache(settings.cache_dir, types)
    mark_facet_version_used(settings.cache_dir, version)
    rows: list[tuple[FacetRow, dict]] = []
    counts = {"traces_read": 0, "facets_cached": 0, "facets_computed": 0, "facet_failures": 0}
    known = set(DirectFacets.model_fields)
    with progress.stage("load + facets", None) as advance:
        for batch in _batches(traces, settings.batch_size):
            todo, hashes, cached = [], {}, set()
            for trace in batch:
                digest = per_trace(rejects, "content hash", trace.trace_id, lambda: content_hash(trace))
                if digest is None:
                    continue
                hashes[trace.trace_id] = digest
                if (digest, version) in cache:
                    cached.add(trace.trace_id)
                else:
                    todo.append(trace)
            with clock.stage("direct facets"):
                computed = {trace.trace_id: facets for trace in todo
                            if (facets := per_trace(rejects, "direct facets", trace.trace_id,
                                                    lambda: _direct_facets(trace, settings, pm, known))) is not None}
                todo = [trace for trace in todo if trace.trace_id in computed]
            with clock.stage("model facets"):
                answers = _model_facets(extractor, todo, [computed[t.trace_id][0] for t in todo],
                                        [computed[t.trace_id][1] for t in todo], rejects)
            fresh = {}
            for trace, answer in zip(todo, answers):
                if answer is None:
                    continue
                direct, facets = computed[trace.trace_id]
                extra: dict = {"timeline": span_timeline(trace)}
                if isinstance(answer, FacetFailure):
                    counts["facet_failures"] += 1
                    rejects.add(Reject(source="facet extraction", trace_id=trace.trace_id, action="facet_failed",
                                       reason=answer.reason))
                    extra = {**extra, "facet_failure": answer.reason}
                    answer = ModelFacets()
                row = FacetRow(trace_id=trace.trace_id, tenant=trace.tenant, content_hash=hashes[trace.trace_id],
                               extractor_version=version, direct=direct, model=answer, facets=facets,
                               outcome=trace.outcome)
                fresh[trace.trace_id] = (row, extra)
            fresh = _writable(fresh, rejects, types)
            hits = cache.get_many((hashes[trace_id], version) for trace_id in cached)
            for row, extra in fresh.values():
                if "facet_failure" not in extra:
                    cache.put(row, extra)
            for trace in batch:
                if trace.trace_id in fresh:
                    counts["facets_computed"] += 1
                    rows.append(fresh[trace.trace_id])
                elif trace.trace_id in cached:
                    counts["facets_cached"] += 1
                    row, extra = hits[(hashes[trace.trace_id], version)]
                    rows.append((row.model_copy(update={"trace_id": trace.trace_id, "tenant": trace.tenant}), extra))
                else:
                    continue  # set aside above, and counted with the rejected traces
                counts["traces_read"] += 1
            advance(len(batch))
    cache.save()
    return rows, counts


def _direct_facets(trace: Trace, settings: Settings, pm: pluggy.PluginManager, known: set[str]) -> tuple:
    merged: dict = {}
    for part in pm.hook.traceclio_compute_facets(trace=trace, settings=settings):
        merged.update(part or {})
    return (DirectFacets(**{k: v for k, v in merged.items() if k in known}),
            {k: v for k, v in merged.items() if k not in known})


def _model_facets(extractor: FacetExtractor, todo: list[Trace], directs: list[DirectFacets], facets: list[dict],
                  rejects: RejectLog) -> list:
    """The extractor's answers for a batch; None for a trace set aside because extracting it raised."""
    if not todo:
        return []
    # An extractor written before plugin facets existed takes (traces, direct) only.
    reads_facets = len(inspect.signature(extractor.extract).parameters) >= 3

    def extract(traces, found_direct, found_facets):
        if reads_facets:
            return extractor.extract(traces, found_direct, found_facets)
        return extractor.extract(traces, found_direct)

    try:
        return extract(todo, directs, facets)
    except TraceclioError:
        raise
    except Exception:
        # One trace's content can sink the batch: ask again one trace at a time to find it.
        return [per_trace(rejects, "facet extraction", trace.trace_id, lambda: extract([trace], [direct], [found])[0])
                for trace, direct, found in zip(todo, directs, facets)]


def _writable(fresh: dict[str, tuple[FacetRow, dict]], rejects: RejectLog, types: dict[str, str]
              ) -> dict[str, tuple[FacetRow, dict]]:
    """The rows the fact table can hold; one it cannot (say, an integer beyond int64) sets its trace aside."""
    try:
        facet_table.to_table(fresh.values(), types)
        return fresh
    except Exception:
        return {trace_id: row for trace_id, row in fresh.items()
                if per_trace(rejects, "fact table", trace_id, lambda: facet_table.to_table([row], types)) is not None}


def vector_cache(settings: Settings, pm: pluggy.PluginManager) -> VectorCache:
    """The vectors of the run's embedder, for several runs in one process to share (see cluster_rows)."""
    return VectorCache(_first(pm, "traceclio_embedder", settings, "an embedder"), settings.cache_dir)


def read_and_extract(sources: list, settings: Settings, pm: pluggy.PluginManager, extractor: FacetExtractor,
                     rejects: RejectLog, progress: Progress, clock: StageClock) -> tuple[list, dict, object]:
    """Every source's traces read and their facet rows computed: on an engine's workers, shard by shard,
    where the input can be split (sharded.py), else here, one trace after another. Same rows either way.
    Also returns the engine (None when in-process); the caller closes it once the run is done."""
    if not sharded.splittable(sources) and settings.engine != engines.LOCAL:
        raise ConfigurationError(f"--engine {settings.engine} reads local files in shards; these sources are "
                                 "read in this process only: use --engine local")
    engine = engines.open_engine(settings, pm, extractor) if sharded.splittable(sources) else None
    streams = None if engine is None else sharded.plan(sources, settings.shard_bytes, engine.workers)
    if engine is not None and engine.name == engines.LOCAL and sum(map(len, streams)) < 2:
        engine.close()  # nothing to share out: no process is started
        engine = None
    if engine is None:
        traces = (trace for source in sources for trace in source)
        rows, counts = extract_facets(traces, settings, pm, rejects, progress, clock, extractor)
        return rows, {**counts, "engine": "in-process", "workers": 1}, None
    try:
        rows, counts, merged = sharded.read(streams, engine, rejects, facet_version(pm, extractor, settings),
                                            progress, clock)
    except BaseException:
        engine.close()
        raise
    return rows, {**counts, **merged, "engine": engine.name, "workers": engine.workers}, engine


def cluster_rows(rows: list[tuple[FacetRow, dict]], settings: Settings, pm: pluggy.PluginManager,
                 progress: Progress, clock: StageClock, vectors: VectorCache | None = None,
                 engine=None) -> RunResult:
    """The stages after the fact table; also what `traceclio cluster RUN_DIR` runs on a saved table.
    `vectors` (vector_cache) spares a run that follows another one re-reading the vector cache from disk;
    with an engine, embedding may run on its workers (engines.Engine.embedder)."""
    axis = Axis(settings, pm)
    axis.check([row for row, _ in rows])
    clusterable = [row for row, extra in rows if "facet_failure" not in extra]
    embedder = vectors.embedder if vectors is not None else _first(pm, "traceclio_embedder", settings, "an embedder")
    if engine is not None and vectors is None:
        embedder = engine.embedder(embedder)
    namer = _first(pm, "traceclio_namer", settings, "a namer")

    def cluster(**kwargs):
        return pm.hook.traceclio_cluster(**kwargs)

    if not clusterable:
        return RunResult(clusters=[], assignments={r.trace_id: None for r, _ in rows}, rows=[r for r, _ in rows])
    steps = ("embed", "cluster", "name")
    remembered = ClusteringCache(settings.cache_dir)
    key = clustering_key(clusterable, settings, embedder.model_id, pm)
    with progress.stage("embed + cluster + name", len(steps)) as advance, clock.stage("embed + cluster + name"):
        hit = remembered.load(key)
        if hit is not None:
            nodes, assignments, outliers, layout = hit.clusters, hit.assignments, hit.outliers, hit.layout
            centroids, distinct_texts, texts_embedded = hit.centroids, hit.summary["distinct_texts"], 0
            advance(len(steps))
        else:
            clustering = Clustering(settings, axis, embedder, cluster, namer, pm.hook.traceclio_review_clusters,
                                    progress=lambda step, n: advance(1), vectors=vectors)
            nodes, assignments, outliers, layout = clustering.run(clusterable)
            centroids, distinct_texts, texts_embedded = (clustering.centroids, clustering.distinct_texts,
                                                         clustering.texts_embedded)
            remembered.save(key, RunResult(clusters=nodes, assignments=assignments, rows=[], outliers=outliers,
                                           centroids=centroids, layout=layout,
                                           summary={"distinct_texts": distinct_texts}))
    for row, _ in rows:
        assignments.setdefault(row.trace_id, None)
    result = RunResult(clusters=nodes, assignments=assignments, rows=[r for r, _ in rows], outliers=outliers,
                       centroids=centroids, layout=layout)
    # The drill-in's timelines were computed with the facets (extract_facets); only the exemplars' travel on.
    result.exemplars = exemplar_timelines(result, {row.trace_id: extra for row, extra in rows}, settings)
    result.summary.update(distinct_texts=distinct_texts, texts_embedded=texts_embedded,
                          clustering_cached=hit is not None)
    return result


def _manifest(locations: list[str], settings: Settings, pm: pluggy.PluginManager,
              extractor: FacetExtractor) -> SourceManifest | None:
    prints = [p for p in pm.hook.traceclio_source_fingerprint(locations=locations, settings=settings) if p]
    if len(prints) != 1:
        return None
    loader = settings.model_dump_json(include={"tenant_keys", "trace_window_spans", "max_attribute_bytes",
                                                "outcome_keys", "input_format", "transcript_id_keys",
                                                "transcript_messages_keys"})
    return SourceManifest(settings.cache_dir, f"{prints[0]}|{facet_version(pm, extractor, settings)}|{loader}")


def _from_manifest(manifest: SourceManifest | None, settings: Settings, pm: pluggy.PluginManager,
                   extractor: FacetExtractor, rejects: RejectLog, progress: Progress) -> tuple[list, dict] | None:
    """Rows straight from the caches when these exact inputs were seen before, else None."""
    seen = manifest.load() if manifest is not None else None
    if seen is None:
        return None
    version = facet_version(pm, extractor, settings)
    cache = FacetCache(settings.cache_dir)
    mark_facet_version_used(settings.cache_dir, version)
    if not all((digest, version) in cache for _, digest in seen["traces"]):
        return None
    rows = []
    for start in range(0, len(seen["traces"]), MANIFEST_CHUNK):
        chunk = seen["traces"][start:start + MANIFEST_CHUNK]
        hits = cache.get_many((digest, version) for _, digest in chunk)
        rows.extend((hits[(digest, version)][0].model_copy(update={"trace_id": trace_id}),
                     hits[(digest, version)][1]) for trace_id, digest in chunk)
    with progress.stage("load + facets (cached)", len(rows)) as advance:
        for record in seen["rejects"]:
            rejects.add(Reject(**record))
        advance(len(rows))
    counts = {"traces_read": len(rows), "facets_cached": len(rows), "facets_computed": 0, "facet_failures": 0}
    return rows, counts


def run(locations: list[str], settings: Settings, pm: pluggy.PluginManager, progress: Progress | None = None
        ) -> RunResult:
    """Run the whole pipeline on `locations` and write the outputs under settings.out_dir."""
    progress = progress or Silent()
    clock = StageClock()
    Axis(settings, pm).check()  # before any work: a typo in --facets fails at once (plugin facets are checked later)
    check_baseline(settings)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    rejects = RejectLog(settings.out_dir / "rejected.jsonl", strict=settings.strict)
    engine = None
    try:
        extractor = _first(pm, "traceclio_facet_extractor", settings, "a facet extractor")
        manifest = _manifest(locations, settings, pm, extractor)
        with clock.stage("load + facets"):
            cached = _from_manifest(manifest, settings, pm, extractor, rejects, progress)
            if cached is not None:
                rows, counts = cached
            else:
                sources = [s for s in pm.hook.traceclio_load_traces(locations=locations, settings=settings,
                                                                    rejects=rejects) if s is not None]
                if not sources:
                    raise SourceError(f"no source plugin understands {', '.join(locations)}")
                rows, counts, engine = read_and_extract(sources, settings, pm, extractor, rejects, progress, clock)
                facet_table.release_memory()  # what the traces and the workers' pickles held
                # With failed extractions the next run must retry them, so it must parse again.
                if manifest is not None and not counts["facet_failures"]:
                    manifest.save([(r.trace_id, r.content_hash) for r, _ in rows], rejects.records,
                                  rejects.traces_set_aside)
        with clock.stage("fact table"):
            rows = add_run_facets(rows, settings, pm)
            facet_table.write(settings.out_dir / facet_table.FILE_NAME, rows, facet_types(pm, settings))
        result = cluster_rows(rows, settings, pm, progress, clock, engine=engine)
        if settings.per_tenant:
            from traceclio_core.tenant_runs import run_tenants  # imported here: it runs this module's stages

            with clock.stage("per-tenant runs"):
                result.summary["tenant_runs"] = run_tenants(rows, settings, pm, progress)
    finally:
        rejects.close()
        if engine is not None:
            engine.close()
    result.rejected_traces = list(rejects.traces_set_aside)
    counts["traces_read"] += len(result.rejected_traces)
    result.summary.update(counts)
    result.summary.update(rejected=rejects.rejected, truncated=rejects.truncated, repaired=rejects.repaired)
    finish(result, settings, pm, progress, clock)
    return result


def finish(result: RunResult, settings: Settings, pm: pluggy.PluginManager, progress: Progress,
           clock: StageClock) -> None:
    """Carry ids forward from the baseline (if any), count what surfaced, then hand the result to every exporter."""
    if settings.baseline is not None:
        with clock.stage("diff"):
            apply_baseline(result, settings)
    levels: dict[str, dict[str, int]] = {}
    for node in result.clusters:
        entry = levels.setdefault(str(node.level), {"surfaced": 0, "suppressed": 0})
        entry["surfaced" if node.surfaced else "suppressed"] += 1
    result.summary["clusters"] = levels
    result.summary["traces_clustered"] = sum(1 for v in result.assignments.values() if v is not None)
    leaves = [n for n in result.clusters if n.level == 0]
    result.summary["suppressed_traces"] = sum(n.size for n in leaves if not n.surfaced)
    result.summary["traces_without_tenant"] = sum(1 for r in result.rows if r.tenant is None)
    result.summary["outliers"] = len(result.outliers)
    result.summary["stage_seconds"] = clock.seconds
    with progress.stage("outputs", None) as advance, clock.stage("outputs"):
        written = [p for paths in pm.hook.traceclio_write_run_outputs(result=result, settings=settings) for p in paths or []]
        advance(1)
    result.summary["written"] = sorted(written)
