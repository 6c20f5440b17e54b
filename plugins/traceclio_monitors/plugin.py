"""traceclio_monitors plugin: the `export` and `monitor` sub-commands, and the built-in artefact writers
(monitors, eval cases, guardrail stubs) on the `traceclio_write_cluster_artefacts` hook."""

# No `from __future__ import annotations`: typer reads these annotations at runtime.
from pathlib import Path
from typing import Annotated, Optional

import typer

from traceclio_core.hookspecs import hookimpl


@hookimpl(trylast=True)
def traceclio_write_cluster_artefacts(export, out_dir: Path) -> list[str]:
    from traceclio_monitors.evals import write_evals
    from traceclio_monitors.guardrails import write_guardrails
    from traceclio_monitors.monitor import write_monitor

    written = [write_monitor(m, out_dir / "monitors") for m in export.monitors]
    written += write_evals(export.monitors, export.examples, out_dir)
    written += write_guardrails(export.monitors, out_dir)
    return [str(p) for p in written]


@hookimpl
def traceclio_cli_commands(app) -> None:
    def cache(value: Optional[Path]) -> Path:
        from traceclio_core.cli import default_cache_dir

        return value or default_cache_dir()

    @app.command("export")
    def export_command(
        run_dir: Annotated[Path, typer.Argument(help="A run directory (clusters.json, assignments.jsonl, "
                                                     "facets.parquet).")],
        out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write monitors/, evals/, "
                                                             "guardrails/ and export.json into.")],
        cluster: Annotated[list[str], typer.Option("--cluster", help="Cluster id to export (repeatable); "
                                                                     "default: surfaced failure leaves.")] = [],
        include_healthy: Annotated[bool, typer.Option("--include-healthy", help="Also export surfaced leaves "
                                                                               "whose failure mode is 'none'.")] = False,
        cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", help="Model and vector cache.")] = None,
    ) -> None:
        """Turn a run's named clusters into monitors, eval cases and guardrail stubs."""
        from rich.console import Console
        from rich.table import Table

        from traceclio_core.cli import _guard
        from traceclio_core.plugins import plugin_manager
        from traceclio_monitors.exporting import export_run

        def go():
            manifest = export_run(run_dir, out, plugin_manager(), cache(cache_dir), cluster, include_healthy)
            table = Table(title=f"traceclio export: {len(manifest['clusters'])} monitors "
                                "(precision and recall against the cluster on this run)", title_justify="left")
            for column in ("cluster", "monitor", "by", "precision", "recall"):
                table.add_column(column, justify="right" if column in ("precision", "recall") else "left",
                                 overflow="fold")
            for entry in manifest["clusters"]:
                table.add_row(entry["cluster_id"], entry["monitor"], entry["method"], f"{entry['precision']:.2f}",
                              f"{entry['recall']:.2f}")
            console = Console()
            console.print(table)
            console.print(f"{len(manifest['files'])} files written under {out}")

        _guard(go)

    @app.command("monitor")
    def monitor_command(
        monitors_dir: Annotated[Path, typer.Argument(help="A directory of *.monitor.json (an export's "
                                                          "monitors/), or one monitor file.")],
        traces: Annotated[list[str], typer.Argument(help="Fresh trace files, directories, globs or URIs.")],
        out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write one line per trace: "
                                                                       "{trace_id, fired}.")] = None,
        cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", help="Facet and vector cache.")] = None,
    ) -> None:
        """Run monitors on fresh traces; exit 1 when one fires (its rate is above its alert threshold)."""
        import json

        from rich.console import Console
        from rich.table import Table

        from traceclio_core.cli import _guard
        from traceclio_core.errors import ConfigurationError
        from traceclio_core.plugins import plugin_manager
        from traceclio_monitors.fresh import evaluate, read_facets, settings_for
        from traceclio_monitors.monitor import load_monitors

        fired_any = []

        def go():
            monitors = load_monitors(monitors_dir)
            if not monitors:
                raise ConfigurationError(f"no *.monitor.json under {monitors_dir}")
            pm = plugin_manager()
            settings = settings_for(monitors, cache(cache_dir))
            rows = read_facets(traces, settings, pm)
            rates, per_trace = evaluate(monitors, rows, settings, pm)
            table = Table(title=f"traceclio monitor: {len(rows)} traces", title_justify="left")
            for column in ("monitor", "cluster", "hits", "rate", "baseline", "threshold", "fired"):
                table.add_column(column, justify="left" if column in ("monitor", "cluster") else "right",
                                 overflow="fold")
            for r in rates:
                table.add_row(r.monitor, r.cluster_id, str(r.hits), f"{r.rate:.3f}", f"{r.baseline:.3f}",
                              f"{r.threshold:.3f}", "[red]FIRED[/red]" if r.fired else "")
            Console().print(table)
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
                with out.open("w", encoding="utf-8") as handle:
                    for (row, _), names in zip(rows, per_trace):
                        handle.write(json.dumps({"trace_id": row.trace_id, "fired": names}) + "\n")
            fired_any.extend(r.monitor for r in rates if r.fired)

        _guard(go)
        if fired_any:
            raise typer.Exit(1)
