"""`traceclio export`: run directory → monitors → every artefact writer → a manifest, then a privacy scan
of everything written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pluggy
from pydantic import BaseModel

from traceclio_core.errors import TraceclioError
from traceclio_monitors.from_run import RunDirectory, monitors_from_run
from traceclio_monitors.monitor import Monitor, validate

MANIFEST = "export.json"


class ClusterExport(BaseModel):
    """What artefact writers (the `traceclio_write_cluster_artefacts` hook) receive: the distilled monitors and,
    per cluster id, its sanitised example task summaries (of a cluster that passed the privacy thresholds,
    drawn from at least the run's --min-tenants tenants: examples.pick_examples). Nothing else from the run."""

    monitors: list[Monitor]
    examples: dict[str, list[str]]


class ExportLeak(TraceclioError):
    """An exported file holds a tenant name or a raw trace id: the export is not safe to share."""


def export_run(run_dir: Path, out_dir: Path, pm: pluggy.PluginManager, cache_dir: Path,
               cluster_ids: Sequence[str] = (), include_healthy: bool = False) -> dict:
    """Export monitors, eval cases and guardrail stubs for the chosen clusters; return the manifest."""
    run = RunDirectory.read(run_dir)
    chosen = run.choose(cluster_ids, include_healthy)
    monitors = monitors_from_run(run, chosen, pm, cache_dir)
    examples = {record["id"]: [e.text for e in run.examples(record)] for record in chosen}
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous_export(out_dir)
    export = ClusterExport(monitors=monitors, examples=examples)
    written = [p for paths in pm.hook.traceclio_write_cluster_artefacts(export=export, out_dir=out_dir) for p in paths or []]
    manifest = {
        "schema_version": 1,
        "clusters": [{"cluster_id": m.cluster.id, "monitor": m.name, "method": m.method,
                      "precision": m.rule_quality.precision, "recall": m.rule_quality.recall} for m in monitors],
        "files": sorted(_relative(p, out_dir) for p in written),
    }
    validate(manifest, "manifest.schema.json")
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    check_private(out_dir, {row.tenant for row, _ in run.rows if row.tenant}, set(run.assignments))
    return manifest


def _remove_previous_export(out_dir: Path) -> None:
    """Files an earlier export into this directory wrote (its manifest lists them). Left in place, a
    monitor for a cluster this export does not choose would still be evaluated by `traceclio monitor`.
    Files the manifest does not list (the team's own) are kept."""
    previous = out_dir / MANIFEST
    if not previous.is_file():
        return
    root = out_dir.resolve()
    for name in json.loads(previous.read_text(encoding="utf-8")).get("files", []):
        path = (out_dir / name).resolve()
        if path.is_relative_to(root) and path.is_file():
            path.unlink()
    previous.unlink()


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)  # a URI or a file a plugin wrote elsewhere


def check_private(out_dir: Path, tenants: set[str], trace_ids: set[str]) -> None:
    """Raise ExportLeak naming the first file under `out_dir` that contains a tenant name or a trace id."""
    needles = [t.lower() for t in tenants if t] + [t.lower() for t in trace_ids if t]
    for path in sorted(out_dir.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        if any(needle in text for needle in needles):
            raise ExportLeak(f"{path} contains a tenant name or a trace id from the run; not exporting it")
