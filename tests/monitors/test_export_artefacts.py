"""`traceclio export` on a real run: monitors, eval cases and guardrail stubs, valid and private."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from behaviours import TENANTS

from traceclio_core import facet_table
from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_monitors.fresh import evaluate, read_facets, settings_for
from traceclio_monitors.monitor import load_monitors, validate
from traceclio_monitors.predicate import facet_values

FAILURES = {"retry_loop", "swallowed_error", "hallucinated_call", "refusal"}


def _monitor_for(exported, behaviour: str):
    """The monitor whose cluster holds the run's traces of `behaviour`."""
    assignments = [json.loads(line) for line in (exported.run_dir / "assignments.jsonl").read_text().splitlines()]
    clusters = {a["cluster_id"] for a in assignments if exported.truth.get(a["trace_id"]) == behaviour}
    assert len(clusters) == 1, clusters
    (cluster_id,) = clusters
    return next(m for m in load_monitors(exported.out / "monitors") if m.cluster.id == cluster_id)


def test_each_failure_cluster_gets_a_good_readable_rule(exported):
    monitors = load_monitors(exported.out / "monitors")
    assert len(monitors) == len(FAILURES)  # the healthy cluster is not exported by default
    for monitor in monitors:
        assert monitor.method == "rule" and monitor.rule_quality.good_enough
        assert monitor.rule_quality.precision >= 0.8 and monitor.rule_quality.recall >= 0.6
        assert monitor.is_failure and monitor.expression and monitor.sql["where"]
    assert _monitor_for(exported, "hallucinated_call").expression == "len(claimed_not_run) >= 1"


def test_generated_python_agrees_with_the_predicate_on_every_run_trace(exported):
    rows = facet_table.read(exported.run_dir / "facets.parquet")
    for monitor in load_monitors(exported.out / "monitors"):
        namespace: dict = {}
        exec(monitor.python, namespace)  # the exported source, as a user would paste it
        for row, extra in rows:
            facets = facet_values(row, extra)
            assert namespace["matches"](facets) == monitor.predicate.holds(facets)


def test_every_exported_file_validates_against_its_schema(exported):
    validate(json.loads((exported.out / "export.json").read_text()), "manifest.schema.json")
    for path in (exported.out / "monitors").glob("*.monitor.json"):
        validate(json.loads(path.read_text()), "monitor.schema.json")
    cases = list((exported.out / "evals").glob("*.cases.jsonl"))
    assert len(cases) == len(FAILURES)
    for path in cases:
        for line in path.read_text().splitlines():
            validate(json.loads(line), "eval_case.schema.json")
    listed = set(exported.manifest["files"])
    on_disk = {str(p.relative_to(exported.out)) for p in exported.out.rglob("*") if p.is_file()} - {"export.json"}
    assert listed == {f for f in on_disk if "__pycache__" not in f and ".pytest_cache" not in f}


def test_nothing_exported_names_a_tenant_or_a_raw_trace_id(exported):
    texts = {p: p.read_text(encoding="utf-8").lower() for p in exported.out.rglob("*") if p.is_file()
             and p.suffix in (".json", ".jsonl", ".py")}
    assert texts
    for path, text in texts.items():
        for secret in (*TENANTS, *exported.truth):
            assert secret.lower() not in text, f"{secret} in {path.name}"


def _cli(*args: str):
    from typer.testing import CliRunner

    from traceclio_core.cli import app

    return CliRunner().invoke(app, list(args))


def test_export_command_lists_each_monitor_with_its_quality_and_writes_the_same_export(exported, tmp_path):
    result = _cli("export", str(exported.run_dir), "--out", str(tmp_path / "again"), "--cache-dir", str(exported.cache))
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "again" / "export.json").read_text())
    assert [c["monitor"] for c in manifest["clusters"]] == [c["monitor"] for c in exported.manifest["clusters"]]
    for entry in manifest["clusters"]:
        assert entry["cluster_id"] in result.output
    assert f"{len(manifest['files'])} files written under" in result.output


def test_monitor_command_fires_on_failing_traces_and_writes_hits(exported, tmp_path):
    hits_path = tmp_path / "hits.jsonl"
    result = _cli("monitor", str(exported.out / "monitors"), str(exported.failing), "--out", str(hits_path),
                  "--cache-dir", str(exported.cache))
    assert result.exit_code == 1, result.output
    assert "FIRED" in result.output
    lines = [json.loads(line) for line in hits_path.read_text().splitlines()]
    assert len(lines) == 12 and all(set(line) == {"trace_id", "fired"} for line in lines)
    retry, unrun = _monitor_for(exported, "retry_loop").name, _monitor_for(exported, "hallucinated_call").name
    assert sum(retry in line["fired"] for line in lines) == 10  # rate 0.83: above its alert threshold
    assert sum(unrun in line["fired"] for line in lines) == 2  # rate 0.17: seen, but no alert


def test_monitor_command_stays_quiet_on_healthy_traces(exported, tmp_path):
    result = _cli("monitor", str(exported.out / "monitors"), str(exported.healthy), "--out",
                  str(tmp_path / "hits.jsonl"), "--cache-dir", str(exported.cache))
    assert result.exit_code == 0, result.output
    assert all(json.loads(line)["fired"] == [] for line in (tmp_path / "hits.jsonl").read_text().splitlines())


def _pytest(module: Path, traces: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRACECLIO_EVAL_TRACES": str(traces), "TRACECLIO_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
                          cwd=module.parent, env=env, capture_output=True, text=True, timeout=120)


def test_generated_eval_fails_on_the_failure_and_passes_on_a_healthy_run(exported):
    module = exported.out / "evals" / f"test_{_monitor_for(exported, 'retry_loop').name}.py"
    failing = _pytest(module, exported.failing, exported.cache)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "must not happen" in failing.stdout
    healthy = _pytest(module, exported.healthy, exported.cache)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr


def test_guardrails_give_the_monitors_verdicts(exported):
    spec = importlib.util.spec_from_file_location("exported_guardrails", exported.out / "guardrails" / "guardrails.py")
    guardrails = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guardrails)
    monitors = load_monitors(exported.out / "monitors")
    assert set(guardrails.CHECKS) == {m.name for m in monitors}
    assert "REMEDIATION" in (exported.out / "guardrails" / "guardrails.py").read_text()
    pm = plugin_manager()
    settings = settings_for(monitors, exported.cache)
    locations = [str(exported.traces), str(exported.failing), str(exported.healthy)]
    rows = read_facets(locations, settings, pm)
    _, per_trace = evaluate(monitors, rows, settings, pm)
    traces = {t.trace_id: t for source in pm.hook.traceclio_load_traces(locations=locations, settings=settings,
                                                                        rejects=RejectLog())
              if source is not None for t in source}
    fired_somewhere = 0
    for (row, _), expected in zip(rows, per_trace):
        verdicts = guardrails.check_all(traces[row.trace_id])
        assert sorted(v.check for v in verdicts if v.fired) == sorted(expected)
        fired_somewhere += bool(expected)
    assert fired_somewhere == 4 * 12 + 12
