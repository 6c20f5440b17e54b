import json

from typer.testing import CliRunner

import behaviours
from builders import write_jsonl
from traceclio_core.cli import app


def test_run_command_writes_the_run_and_prints_the_summary(tmp_path, cache_dir):
    requests, truth = behaviours.build(per_behaviour=8)
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    (tmp_path / "t.jsonl").write_text(path.read_text() + "{broken\n")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert "traces read" in result.output and "input set aside" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["traces_read"] == len(truth) and summary["rejected"] == 1


def test_strict_run_stops_with_a_message_naming_file_and_line(tmp_path, cache_dir):
    path = tmp_path / "t.jsonl"
    path.write_text("{broken\n")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "run"), "--strict",
                                      "--cache-dir", str(cache_dir)])
    assert result.exit_code == 2
    assert "t.jsonl:1" in result.output


def test_cluster_command_reclusters_a_saved_fact_table(tmp_path, cache_dir):
    requests, _ = behaviours.build(per_behaviour=8)
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "a"), "--cache-dir", str(cache_dir)]).exit_code == 0
    path.unlink()  # the raw traces are gone: re-clustering must not need them
    result = runner.invoke(app, ["cluster", str(tmp_path / "a"), "--facets", "failure_mode,completion_status",
                                 "--out", str(tmp_path / "b"), "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "b" / "clusters.json").read_text())
    assert data["settings"]["facets"] == ["failure_mode", "completion_status"]


def test_traces_without_a_tenant_are_counted_and_the_user_told_how_to_name_one(tmp_path, cache_dir):
    requests, truth = behaviours.build(per_behaviour=4, tenants=("",))
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "run"), "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert "--tenant-key" in result.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["traces_without_tenant"] == len(truth)
    assert summary["traces_clustered"] == 0  # one (missing) tenant is below --min-tenants 3


def test_tenant_flags_reach_the_settings_of_run_and_cluster(tmp_path, cache_dir):
    requests, _ = behaviours.build(per_behaviour=6)
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "a"), "--cache-dir", str(cache_dir),
                                 "--max-tenant-share", "0.7", "--per-tenant"])
    assert result.exit_code == 0, result.output
    assert "per-tenant runs" in result.output
    assert json.loads((tmp_path / "a" / "clusters.json").read_text())["settings"]["max_tenant_share"] == 0.7
    assert (tmp_path / "a" / "tenants" / "acme-logistics" / "clusters.json").exists()
    result = runner.invoke(app, ["cluster", str(tmp_path / "a"), "--out", str(tmp_path / "b"), "--per-tenant",
                                 "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "b" / "summary.json").read_text())["tenant_runs"]["runs"] == 5
    assert runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "c"), "--max-tenant-share", "1.5"]).exit_code == 2
