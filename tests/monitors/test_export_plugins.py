"""The export's edges: the centroid fallback, a third-party artefact writer, suppressed clusters."""

from __future__ import annotations

import json

import numpy as np
import pytest

from traceclio_core.errors import ConfigurationError
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_monitors.exporting import export_run
from traceclio_monitors.from_run import RunDirectory, monitors_from_run
from traceclio_monitors.monitor import validate, write_monitor


def test_a_cluster_no_rule_captures_falls_back_to_its_centroid(exported, tmp_path):
    run = RunDirectory.read(exported.run_dir)
    healthy = [c for c in run.clusters if c["level"] == 0 and c.get("failure_modes")
               and c["failure_modes"][0]["value"] == "none"][0]
    # Half of the healthy cluster's traces, chosen by position: no facet can tell the halves apart.
    members = [row.trace_id for row, _ in run.rows if run.assignments.get(row.trace_id) == healthy["id"]]
    for trace_id in members[::2]:
        run.assignments[trace_id] = None
    (monitor,) = monitors_from_run(run, [healthy], plugin_manager(), exported.cache)
    assert monitor.method == "centroid" and not monitor.rule_quality.good_enough
    assert "No rule is good enough" in monitor.note
    assert len(monitor.centroid.vector) > 1 and monitor.centroid.max_distance >= 0
    assert abs(np.linalg.norm(monitor.centroid.vector) - 1) < 1e-3
    validate(json.loads(write_monitor(monitor, tmp_path).read_text()), "monitor.schema.json")


class ThirdPartyWriter:
    """What an outside exporter looks like: one hookimpl on the export plugin's artefact hook."""

    @hookimpl
    def traceclio_write_cluster_artefacts(self, export, out_dir):
        path = out_dir / "third_party" / "titles.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(m.cluster.title for m in export.monitors) + "\n")
        return [str(path)]


def test_a_third_party_artefact_writer_is_called_like_the_built_ins(exported, tmp_path):
    manifest = export_run(exported.run_dir, tmp_path / "out", plugin_manager(extra_plugins=(ThirdPartyWriter(),)),
                          exported.cache, cluster_ids=["L0-000"])
    assert "third_party/titles.txt" in manifest["files"]
    assert any(f.startswith("monitors/") for f in manifest["files"])
    assert [c["cluster_id"] for c in manifest["clusters"]] == ["L0-000"]


def test_a_suppressed_cluster_cannot_be_exported(exported, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    for name in ("assignments.jsonl", "facets.parquet"):
        (run_dir / name).write_bytes((exported.run_dir / name).read_bytes())
    clusters = json.loads((exported.run_dir / "clusters.json").read_text())
    clusters["clusters"][0].update(surfaced=False, title="", description="", suppressed_reason="too few tenants")
    (run_dir / "clusters.json").write_text(json.dumps(clusters))
    with pytest.raises(ConfigurationError, match="suppressed"):
        export_run(run_dir, tmp_path / "out", plugin_manager(), exported.cache,
                   cluster_ids=[clusters["clusters"][0]["id"]])


def test_exporting_again_into_a_directory_replaces_what_the_last_export_wrote(exported, tmp_path):
    out = tmp_path / "out"
    first = export_run(exported.run_dir, out, plugin_manager(), exported.cache, cluster_ids=["L0-000"])
    (out / "monitors" / "ours.txt").write_text("a note the team keeps beside the monitors\n")
    second = export_run(exported.run_dir, out, plugin_manager(), exported.cache, cluster_ids=["L0-001"])
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(second["files"]) | {"export.json", "monitors/ours.txt"}
    assert set(first["files"]) - set(second["files"]) and not (set(first["files"]) - set(second["files"])) & on_disk
