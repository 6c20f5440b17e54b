"""`traceclio sync RUN_DIR --to phoenix://HOST:PORT/PROJECT | langfuse://HOST`: push named clusters back.

Asks the `traceclio_sync_writer` hook for the target's writer (the Phoenix and Langfuse plugins answer
for their schemes); every writer goes through run_sync, so ledger, retries and --dry-run behave the same. Credentials come from each SDK's usual environment
variables or the flags below and are never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def make_writer(target: str, run_dir: Path, exemplars: int, credentials: dict[str, str | None]):
    """The writer for `target`'s store, from whichever plugin speaks to it."""
    from traceclio_core.errors import ConfigurationError
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.sync_plan import read_plan

    plan = read_plan(run_dir, exemplars_per_cluster=exemplars)
    writer = plugin_manager().hook.traceclio_sync_writer(target=target, plan=plan, credentials=credentials)
    if writer is None:
        raise ConfigurationError(f"no plugin syncs to {target!r}; built in: phoenix://HOST:PORT/PROJECT, "
                                 "langfuse://HOST[:PORT]")
    return writer


def sync(
    run_dir: Annotated[Path, typer.Argument(help="A finished run directory (clusters.json, assignments.jsonl, "
                                                 "facets.parquet).")],
    to: Annotated[str, typer.Option("--to", help="phoenix://HOST:PORT/PROJECT or langfuse://HOST[:PORT]")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    exemplars: Annotated[int, typer.Option("--exemplars", help="Exemplar traces per cluster dataset.")] = 3,
    langfuse_public_key: Annotated[Optional[str], typer.Option(envvar="LANGFUSE_PUBLIC_KEY", show_envvar=True,
                                                               show_default=False)] = None,
    langfuse_secret_key: Annotated[Optional[str], typer.Option(envvar="LANGFUSE_SECRET_KEY", show_envvar=True,
                                                               show_default=False)] = None,
    phoenix_api_key: Annotated[Optional[str], typer.Option(envvar="PHOENIX_API_KEY", show_envvar=True,
                                                           show_default=False)] = None,
) -> None:
    """Write surfaced clusters back to the trace store: labels per trace, a dataset per named cluster."""
    from rich.console import Console

    from traceclio_core.errors import TraceclioError
    from traceclio_core.sync_ledger import ledger_path, run_sync

    console = Console(stderr=True)
    try:
        credentials = {"langfuse_public_key": langfuse_public_key, "langfuse_secret_key": langfuse_secret_key,
                       "phoenix_api_key": phoenix_api_key}
        writer = make_writer(to, run_dir, exemplars, credentials)
        report = run_sync(writer, run_dir, dry_run=dry_run)
    except TraceclioError as err:
        console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2) from None
    if dry_run:
        for write in report.would_write:
            typer.echo(f"would {write.summary}")
        typer.echo(f"dry run: {len(report.would_write)} writes to {to}, {report.already_written} already "
                   f"written; nothing sent")
        return
    typer.echo(f"synced to {to}: {report.written} written, {report.already_written} already there"
              + (f", {len(report.not_found)} traces not found in the store" if report.not_found else "")
              + f" (ledger {ledger_path(run_dir, writer.target).name})")
