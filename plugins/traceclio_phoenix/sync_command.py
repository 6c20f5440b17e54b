"""`traceclio sync RUN_DIR --to phoenix://HOST:PORT/PROJECT | langfuse://HOST`: push named clusters back.

Dispatches by the target's scheme to the Phoenix or the Langfuse writer; both go through run_sync, so
ledger, retries and --dry-run behave the same. Credentials come from each SDK's usual environment
variables or the flags below and are never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def make_writer(target: str, run_dir: Path, exemplars: int, public_key: str | None = None,
                secret_key: str | None = None, phoenix_api_key: str | None = None):
    """The writer for `target`'s store, reading the run directory into its plan."""
    import os

    from traceclio_core.errors import ConfigurationError
    from traceclio_phoenix.store_location import parse_location, store_of
    from traceclio_phoenix.sync_plan import read_plan

    store = store_of(target)
    plan = read_plan(run_dir, exemplars_per_cluster=exemplars)
    if store == "phoenix":
        from phoenix.client import Client

        from traceclio_phoenix.sync import PhoenixWriter

        location = parse_location(target, os.environ.get("PHOENIX_COLLECTOR_ENDPOINT"))
        if not location.project:
            raise ConfigurationError(f"{target}: name the project, phoenix://HOST:PORT/PROJECT")
        api_key = phoenix_api_key or os.environ.get("PHOENIX_API_KEY") or None
        return PhoenixWriter(location, plan, lambda loc: Client(base_url=loc.base_url, api_key=api_key))
    if store == "langfuse":
        from traceclio_langfuse.client import langfuse_factory
        from traceclio_langfuse.sync import LangfuseWriter

        location = parse_location(target, os.environ.get("LANGFUSE_BASE_URL") or os.environ.get("LANGFUSE_HOST"))
        return LangfuseWriter(location, plan, langfuse_factory(public_key, secret_key))
    raise ConfigurationError(f"--to takes phoenix://HOST:PORT/PROJECT or langfuse://HOST[:PORT], got {target!r}")


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
    from traceclio_phoenix.sync_ledger import ledger_path, run_sync

    console = Console(stderr=True)
    try:
        writer = make_writer(to, run_dir, exemplars, langfuse_public_key, langfuse_secret_key, phoenix_api_key)
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
