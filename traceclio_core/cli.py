"""The `traceclio` command. Flags map onto Settings; everything else happens in the pipeline."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

# The pipeline (numpy, pyarrow, scikit-learn) is imported by the commands that run it: `traceclio --help`
# and every other command start without it.
from traceclio_core import sync_command
from traceclio_core.errors import TraceclioError
from traceclio_core.plugins import plugin_manager
from traceclio_core.progress import RichProgress
from traceclio_core.settings import InputFormat, Settings

# Plain (click) help: typer's rich help formatting would add about 0.1 s to every `traceclio --help`.
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Find the failure modes nobody knew to look for in AI-agent traces.")
console = Console(stderr=True)


def default_cache_dir() -> Path:
    """TRACECLIO_CACHE_DIR, else $XDG_CACHE_HOME/traceclio, else ~/.cache/traceclio."""
    if os.environ.get("TRACECLIO_CACHE_DIR"):
        return Path(os.environ["TRACECLIO_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "traceclio"


def _facets(value: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in value.split(",") if f.strip())


def _stage_models(pairs: list[str]) -> dict[str, str]:
    models = {}
    for pair in pairs:
        stage, sep, model = pair.partition("=")
        if not sep or not stage or not model:
            raise typer.BadParameter(f"--llm-model takes STAGE=MODEL, got {pair!r}")
        models[stage.strip()] = model.strip()
    return models


def _plugin_options(pairs: list[str]) -> dict[str, dict]:
    options: dict[str, dict] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        plugin, dot, name = key.partition(".")
        if not sep or not dot or not plugin or not name:
            raise typer.BadParameter(f"--plugin-option takes PLUGIN.KEY=VALUE, got {pair!r}")
        options.setdefault(plugin.strip(), {})[name.strip()] = value.strip()
    return options


def _on_off(value: str, flag: str) -> bool:
    if value.lower() not in ("on", "off"):
        raise typer.BadParameter(f"{flag} takes on or off, got {value!r}")
    return value.lower() == "on"


def _logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_path=False, show_time=False)], force=True)
    # Rejects are counted and written to rejected.jsonl; show each only when asked.
    logging.getLogger("traceclio.rejects").setLevel(logging.WARNING if verbose else logging.ERROR)


Out = Annotated[Path, typer.Option("--out", "-o", help="Run directory to write.")]
FacetsOpt = Annotated[str, typer.Option("--facets", help="Facet axis to cluster along: 'evidence' (default), "
                                                       "'behavior' (the offline judge's verdicts), any facet "
                                                       "column, or several joined by commas.")]
Detectors = Annotated[str, typer.Option("--detectors", help="'on' (default): known-pattern detectors add a "
                                                           "known_patterns facet and phrases; 'off': evidence "
                                                           "alone, for pure discovery.")]
K = Annotated[Optional[int], typer.Option("--k", help="Base clusters (default: from the number of traces and of distinct rendered texts).")]
MinTenants = Annotated[int, typer.Option("--min-tenants", help="A cluster surfaces only with this many tenants.")]
MinTraces = Annotated[int, typer.Option("--min-traces", help="... and this many traces.")]
MaxTenantShare = Annotated[float, typer.Option("--max-tenant-share", min=0.01, max=1.0,
                                               help="... and no tenant above this share of its traces (with "
                                                    "--min-tenants 2 or more).")]
PerTenant = Annotated[bool, typer.Option("--per-tenant", help="Also write one run per tenant under OUT/tenants/ "
                                                            "(thresholds on traces only), beside the cross-tenant "
                                                            "run in OUT/.")]
Llm = Annotated[str, typer.Option("--llm", help="Model-written stages: 'offline' (no key) or a backend plugin.")]
EmbedderOpt = Annotated[str, typer.Option("--embedder", help="'static-minilm' (default), 'minilm', or a "
                                                            "sentence-transformers model name or path.")]
Cache = Annotated[Optional[Path], typer.Option("--cache-dir", help="Facet and vector cache "
                                                                  "(default ~/.cache/traceclio).")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each rejected input as it happens.")]
Baseline = Annotated[Optional[Path], typer.Option("--baseline", help="An earlier run directory: clusters that "
                                                  "continue its clusters keep their ids, and OUT/diff.json says "
                                                  "what is new, vanished, grown or shrunk.")]


@app.command()
def run(
    traces: Annotated[list[str], typer.Argument(help="Trace files, directories, globs, or source URIs.")],
    out: Out = Path("runs/latest"),
    facets: FacetsOpt = "evidence",
    detectors: Detectors = "on",
    k: K = None,
    min_tenants: MinTenants = 3,
    min_traces: MinTraces = 5,
    max_tenant_share: MaxTenantShare = 0.5,
    per_tenant: PerTenant = False,
    llm: Llm = "offline",
    embedder: EmbedderOpt = "static-minilm",
    tenant_key: Annotated[list[str], typer.Option("--tenant-key", help="Attribute naming the tenant; "
                                                                       "repeat for fallbacks.")] = ["tenant.id"],
    outcome_key: Annotated[list[str], typer.Option("--outcome-key", help="Attribute, score, annotation or "
                                                   "transcript field saying how a run ended (reward, pass/fail); "
                                                   "repeat for fallbacks.")] = list(Settings().outcome_keys),
    input_format: Annotated[InputFormat, typer.Option("--format", help="Local files: auto (told from the "
                                                                      "bytes), otlp or transcripts.")
                            ] = InputFormat.AUTO,
    transcript_id_key: Annotated[list[str], typer.Option("--transcript-id-key", help="Transcript field holding "
                                                         "the run id (else FILE:LINE); repeat for fallbacks.")
                                 ] = list(Settings().transcript_id_keys),
    messages_key: Annotated[list[str], typer.Option("--messages-key", help="Transcript field holding the "
                                                    "messages; repeat for fallbacks.")
                            ] = list(Settings().transcript_messages_keys),
    seed: Annotated[int, typer.Option(help="Seed for k-means.")] = 0,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first rejected input.")] = False,
    trace_window: Annotated[int, typer.Option("--trace-window", help="Spans read before an idle trace is "
                                                                     "closed.")] = 200_000,
    max_attribute_bytes: Annotated[int, typer.Option("--max-attribute-bytes")] = 256 * 1024,
    since: Annotated[Optional[str], typer.Option("--since", help="For trace stores: how far back, e.g. 7d, "
                                                                 "12h, or an ISO time.")] = None,
    source_filter: Annotated[Optional[str], typer.Option("--filter", help="For trace stores: a "
                                                                         "source-specific filter.")] = None,
    max_cost: Annotated[Optional[float], typer.Option("--max-cost", help="Stop before any model call if the "
                                                                         "run's estimated cost exceeds this "
                                                                         "many dollars.")] = None,
    llm_model: Annotated[list[str], typer.Option("--llm-model", help="STAGE=MODEL for a model-written stage "
                                                                     "(facets, naming, hierarchy, audit).")] = [],
    plugin_option: Annotated[list[str], typer.Option("--plugin-option", help="PLUGIN.KEY=VALUE for a plugin's "
                                                                             "own settings, e.g. "
                                                                             "langfuse.tenant=project.")] = [],
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Processes that read, assemble and "
                                                   "compute facets (default: every core; 1: all in this "
                                                   "process). The outputs are the same.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="'local' (worker processes here) or 'ray' (Ray tasks "
                                                         "on a cluster; pip install 'traceclio[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="With --engine ray: the cluster "
                                                       "to join ('auto', 'ray://head:10001'); default: a "
                                                       "Ray started on this machine.")] = None,
    baseline: Baseline = None,
    cache_dir: Cache = None,
    verbose: Verbose = False,
) -> None:
    """Cluster traces into a named hierarchy of behaviours and write OUT/."""
    _logging(verbose)
    settings = Settings(out_dir=out, facets=_facets(facets), k=k, min_tenants=min_tenants, min_traces=min_traces,
                        max_tenant_share=max_tenant_share, per_tenant=per_tenant,
                        llm=llm, embedder=embedder, tenant_keys=tuple(tenant_key), seed=seed, strict=strict,
                        outcome_keys=tuple(outcome_key), input_format=input_format,
                        transcript_id_keys=tuple(transcript_id_key), transcript_messages_keys=tuple(messages_key),
                        trace_window_spans=trace_window, max_attribute_bytes=max_attribute_bytes,
                        since=since, source_filter=source_filter, max_cost=max_cost,
                        llm_models=_stage_models(llm_model), plugin_options=_plugin_options(plugin_option),
                        detectors=_on_off(detectors, "--detectors"), baseline=baseline,
                        cache_dir=cache_dir or default_cache_dir(), workers=workers, engine=engine,
                        ray_address=ray_address)
    _guard(lambda: _run(traces, settings))


@app.command()
def cluster(
    run_dir: Annotated[Path, typer.Argument(help="A run directory holding facets.parquet.")],
    out: Out = Path("runs/recluster"),
    facets: FacetsOpt = "evidence",
    k: K = None,
    min_tenants: MinTenants = 3,
    min_traces: MinTraces = 5,
    max_tenant_share: MaxTenantShare = 0.5,
    per_tenant: PerTenant = False,
    llm: Llm = "offline",
    embedder: EmbedderOpt = "static-minilm",
    seed: Annotated[int, typer.Option(help="Seed for k-means.")] = 0,
    baseline: Baseline = None,
    cache_dir: Cache = None,
    verbose: Verbose = False,
) -> None:
    """Re-cluster a finished run's fact table along another facet axis, without reading raw traces."""
    _logging(verbose)
    settings = Settings(out_dir=out, facets=_facets(facets), k=k, min_tenants=min_tenants, min_traces=min_traces,
                        max_tenant_share=max_tenant_share, per_tenant=per_tenant, llm=llm, embedder=embedder,
                        seed=seed, baseline=baseline, cache_dir=cache_dir or default_cache_dir())

    def recluster():
        from traceclio_core import facet_table, pipeline
        from traceclio_core.baseline import check_baseline

        check_baseline(settings)
        rows = facet_table.read(run_dir / facet_table.FILE_NAME)
        pm = plugin_manager()
        clock = pipeline.StageClock()
        with RichProgress(console) as progress:
            result = pipeline.cluster_rows(rows, settings, pm, progress, clock)
            result.summary.update(traces_read=len(rows), facets_cached=len(rows), facets_computed=0)
            settings.out_dir.mkdir(parents=True, exist_ok=True)
            facet_table.write(settings.out_dir / facet_table.FILE_NAME, rows)
            if settings.per_tenant:
                from traceclio_core.tenant_runs import run_tenants

                with clock.stage("per-tenant runs"):
                    result.summary["tenant_runs"] = run_tenants(rows, settings, pm, progress)
            pipeline.finish(result, settings, pm, progress, clock)
        print_summary(result.summary, settings)

    _guard(recluster)


@app.command()
def synth(
    n: Annotated[int, typer.Option("--n", help="Traces to generate.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 0,
    out: Out = Path("synthetic-traces"),
    split: Annotated[str, typer.Option(help="all, train, or heldout families.")] = "all",
) -> None:
    """Write synthetic agent traces with known behaviours: OUT/traces.jsonl and OUT/truth.jsonl."""
    import synthetic

    synthetic.write_dataset(out, n, seed, split=split)
    console.print(f"wrote {n} traces to {out / 'traces.jsonl'} and their labels to {out / 'truth.jsonl'}")


@app.command()
def score(
    run_dir: Annotated[Path, typer.Argument(help="A finished run directory.")],
    truth: Annotated[Path, typer.Option("--truth", help="truth.jsonl from `traceclio synth`.")],
    ablate: Annotated[bool, typer.Option("--ablate", help="Re-cluster without each facet in turn and show "
                                                          "what each is worth.")] = False,
    cache_dir: Cache = None,
) -> None:
    """Score a run against known behaviours: leaf and top-level recovery, ARI, NMI, label recovery."""
    from traceclio_core import recovery
    from traceclio_core.score import score_run

    settings = Settings(cache_dir=cache_dir or default_cache_dir())
    result = score_run(run_dir, truth, recovery.behaviour_descriptions(), recovery.label_embedder(settings))
    Console().print(result.table(), highlight=False)
    if ablate:
        from traceclio_core.ablation import ablate_facets

        Console().print(ablate_facets(run_dir, truth, settings), highlight=False)


@app.command(name="diff")
def diff_command(
    old_run: Annotated[Path, typer.Argument(help="The earlier run directory (the baseline).")],
    new_run: Annotated[Path, typer.Argument(help="The later run directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON (the shape of diff.json).")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="List unchanged clusters too.")] = False,
    parents: Annotated[bool, typer.Option("--parents", help="Also list the changes of the levels above the "
                                                            "leaves.")] = False,
) -> None:
    """Compare two runs: clusters new, vanished, grown or shrunk beyond noise, matched by shared traces or,
    where the runs share none, by centroid and title."""

    def compare():
        import json

        from traceclio_core import run_view
        from traceclio_core.diff import diff_runs, diff_table

        found = diff_runs(run_view.from_dir(old_run), run_view.from_dir(new_run))
        if as_json:
            typer.echo(json.dumps(found, indent=2, ensure_ascii=False))
            return
        Console().print(diff_table(found, show_all=show_all), highlight=False)
        if parents:
            Console().print(diff_table(found, show_all=show_all, parents=True), highlight=False)

    _guard(compare)


@app.command(name="prune-cache")
def prune_cache(
    cache_dir: Cache = None,
    keep_days: Annotated[float, typer.Option("--keep-days", help="Keep what a run used within this many days.")] = 30,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go; change nothing.")] = False,
) -> None:
    """Drop cached facets, vectors, input manifests and clusterings no run used lately; compact the rest."""
    from rich.table import Table

    from traceclio_core.cache_pruning import prune_cache as prune

    directory = cache_dir or default_cache_dir()
    report = prune(directory, keep_days, dry_run=dry_run)
    Console().print(f"{'would prune' if dry_run else 'pruned'} {directory}: kept what runs used in the last "
                    f"{keep_days:g} days", highlight=False)
    table = Table()
    for column in ("", "kept", "dropped"):
        table.add_column(column)
    table.add_row("facet rows", str(report.facet_rows_kept), str(report.facet_rows_dropped))
    table.add_row("embedders", str(len(report.embedders_kept)), str(len(report.embedders_dropped)))
    table.add_row("input manifests", "", str(report.manifests_dropped))
    table.add_row("remembered clusterings", "", str(report.clusterings_dropped))
    Console().print(table)
    Console().print(f"shards before: {report.facet_shards_before} facet, {report.vector_shards_before} vector; "
                    f"size {report.bytes_before / 2**20:.1f} MiB -> {report.bytes_after / 2**20:.1f} MiB")


def _run(traces: list[str], settings: Settings) -> None:
    from traceclio_core import pipeline

    pm = plugin_manager()
    with RichProgress(console) as progress:
        result = pipeline.run(traces, settings, pm, progress)
    print_summary(result.summary, settings)


def _guard(action) -> None:
    try:
        action()
    except TraceclioError as err:
        from rich.markup import escape

        # Escaped: a message may hold brackets (`pip install 'traceclio[transformers]'`), not markup.
        console.print(f"[red]error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from None


def print_summary(summary: dict, settings: Settings) -> None:
    from rich.table import Table

    table = Table(title="traceclio run", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("traces read", f"{summary.get('traces_read', 0):,}")
    table.add_row("input set aside", f"{summary.get('rejected', 0):,}  (see rejected.jsonl)")
    if summary.get("truncated"):
        table.add_row("oversized values cut", f"{summary['truncated']:,}")
    if summary.get("repaired"):
        table.add_row("unusable values made safe", f"{summary['repaired']:,}")
    if summary.get("facet_failures"):
        table.add_row("facet extraction failures", f"{summary['facet_failures']:,}")
    if summary.get("engine") not in (None, "in-process"):
        table.add_row("read on", f"{summary['engine']}: {summary['workers']} workers, {summary['shards']} shards"
                                 + (f" ({summary['shards_merged']} merged at a trace's seam)"
                                    if summary.get("shards_merged") else ""))
    table.add_row("facets cached / computed", f"{summary.get('facets_cached', 0):,} / {summary.get('facets_computed', 0):,}")
    table.add_row("distinct texts / newly embedded",
                  f"{summary.get('distinct_texts', 0):,} / {summary.get('texts_embedded', 0):,}")
    for level, counts in sorted(summary.get("clusters", {}).items()):
        name = "leaf clusters" if level == "0" else f"level {level} clusters"
        table.add_row(name, f"{counts['surfaced']} surfaced, {counts['suppressed']} suppressed")
    table.add_row("traces in suppressed clusters", f"{summary.get('suppressed_traces', 0):,}")
    if summary.get("traces_without_tenant"):
        table.add_row("traces without a tenant", f"{summary['traces_without_tenant']:,}")
    if "tenant_runs" in summary:
        runs = summary["tenant_runs"]
        table.add_row("per-tenant runs", f"{runs['runs']:,} in {runs['directory']}/ ({runs['tenants_below_min_traces']:,} "
                                         "tenants below --min-traces, none for traces without a tenant)")
    if "diff" in summary:
        diff = summary["diff"]
        table.add_row("changes against the baseline", f"{diff['significant']} significant of {len(diff['changes'])} "
                                                      "leaf changes (see diff.json)")
    for stage, seconds in summary.get("stage_seconds", {}).items():
        table.add_row(f"time: {stage}", f"{seconds:.2f} s")
    table.add_row("written to", str(settings.out_dir))
    Console().print(table)
    missing = summary.get("traces_without_tenant", 0)
    if missing:
        console.print(f"[yellow]note:[/yellow] {missing:,} traces carry none of {', '.join(settings.tenant_keys)}; "
                      "together they count as one tenant, so the privacy thresholds may hide their clusters. "
                      "Name the attribute that holds the tenant with --tenant-key (e.g. user.id), or lower "
                      "--min-tenants if the traces are all yours.")


app.command(name="sync")(sync_command.sync)

# Plugins (built-in and installed) add their own sub-commands: export, monitor, ...
plugin_manager().hook.traceclio_cli_commands(app=app)


def main() -> None:  # pragma: no cover - console entry for `python -m traceclio_core.cli`
    sys.exit(app())


if __name__ == "__main__":  # pragma: no cover
    main()
