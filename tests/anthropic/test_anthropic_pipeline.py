"""The whole pipeline and CLI with --llm anthropic against the stand-in API: batches, resume, cache, cost."""

from __future__ import annotations

import json

import behaviours
import httpx2
import pytest
from builders import write_jsonl
from conftest import message
from typer.testing import CliRunner

from traceclio_core import cli, pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings

from traceclio_anthropic import pricing, transport


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory):
    requests, truth = behaviours.build(per_behaviour=8)
    return write_jsonl(tmp_path_factory.mktemp("traces") / "traces.jsonl", requests), truth


def run(path, tmp_path, plugins, name="out", **options):
    settings = Settings(llm="anthropic", out_dir=tmp_path / name, cache_dir=tmp_path / "cache", min_tenants=2,
                        min_traces=2, plugin_options={"anthropic": {"batch_min": 10, "poll_seconds": 0, **options}})
    return pipeline.run([str(path)], settings, plugin_manager(extra_plugins=plugins)), settings


def test_bulk_facets_go_through_one_batch_with_cached_system_prompts(fake_api, fixture_file, tmp_path,
                                                                     test_plugins):
    path, truth = fixture_file
    result, _ = run(path, tmp_path, test_plugins)
    assert fake_api.count("POST", "/v1/messages/batches") == 1
    (requests,) = fake_api.batches.values()
    assert len({r["custom_id"] for r in requests}) == len(requests) <= len(truth)
    for item in requests:
        params = item["params"]
        assert params["model"] == "claude-haiku-4-5"
        assert params["system"][0]["cache_control"] == {"type": "ephemeral"}
        assert "task_summary" in params["output_config"]["format"]["schema"]["properties"]
    assert result.summary["facet_failures"] == 0
    names = [body["model"] for m, p, body in fake_api.requests if p == "/v1/messages"]
    assert "claude-sonnet-4-6" in names  # naming, hierarchy and audit were direct calls


def test_errored_and_expired_batch_items_are_retried_directly_once(fake_api, fixture_file, tmp_path, test_plugins):
    path, _ = fixture_file
    original = fake_api.handle
    direct_facets = []

    def handle(request):
        body = json.loads(request.content) if request.content else None
        if request.url.path == "/v1/messages/batches" and request.method == "POST":
            ids = [r["custom_id"] for r in body["requests"]]
            fake_api.batch_outcome.update({ids[0]: "errored", ids[1]: "expired", ids[2]: "errored"})
        if request.url.path == "/v1/messages" and "task_summary" in body["output_config"]["format"]["schema"][
                "properties"]:
            direct_facets.append(body)
            if len(direct_facets) >= 3:  # the third retry and its re-ask answer garbage
                fake_api.requests.append(("POST", "/v1/messages", body))
                return httpx2.Response(200, json=message("garbage", body["model"]))
        return original(request)

    fake_api.handle = handle
    result, settings = run(path, tmp_path, test_plugins)
    assert len(direct_facets) == 4  # three direct retries, one re-ask
    assert all(len(b["messages"]) == 1 for b in direct_facets[:3]) and len(direct_facets[3]["messages"]) == 3
    rejected = [json.loads(line) for line in (settings.out_dir / "rejected.jsonl").read_text().splitlines()]
    failed = [r for r in rejected if r["action"] == "facet_failed"]
    # Direct retries run concurrently, so which item drew the garbage answer depends on arrival order.
    assert failed and all(("batch item errored" in r["reason"] or "batch item expired" in r["reason"])
                          and "malformed" in r["reason"] for r in failed)
    assert result.summary["facet_failures"] == len(failed)


def test_an_interrupted_batch_is_resumed_not_resubmitted(fake_api, fixture_file, tmp_path, test_plugins,
                                                         monkeypatch):
    path, _ = fixture_file
    fake_api.batch_ready = False

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(transport, "sleep", interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(path, tmp_path, test_plugins)
    states = list((tmp_path / "cache" / "anthropic" / "batches").glob("*.json"))
    assert len(states) == 1 and json.loads(states[0].read_text())["batch_id"] == "msgbatch_1"
    fake_api.batch_ready = True
    monkeypatch.setattr(transport, "sleep", lambda s: None)
    fake_api.requests.clear()
    result, _ = run(path, tmp_path, test_plugins)
    assert fake_api.count("POST", "/v1/messages/batches") == 0
    assert fake_api.count("GET", "/v1/messages/batches/msgbatch_1") >= 1
    assert result.summary["facet_failures"] == 0
    assert not list((tmp_path / "cache" / "anthropic" / "batches").glob("*.json"))


def test_second_run_on_unchanged_traces_makes_no_calls_and_the_cost_table_adds_up(fake_api, fixture_file, tmp_path,
                                                                                   test_plugins):
    path, truth = fixture_file
    first, settings = run(path, tmp_path, test_plugins)
    cost = json.loads((settings.out_dir / "cost.json").read_text())
    stages = cost["stages"]
    assert set(stages) >= {"facets", "naming", "hierarchy", "audit"}
    assert cost["total"]["calls"] == sum(s["calls"] for s in stages.values())
    assert cost["total"]["calls"] == fake_api.count("POST", "/v1/messages") + len(fake_api.batches["msgbatch_1"])
    assert stages["facets"]["batched_calls"] == stages["facets"]["calls"]
    # stand-in usage: 1000 in / 100 out per call at list price, half for batched calls
    expected = 0.0
    for stage, row in stages.items():
        model = cost["models"][stage]
        full = pricing.dollars(model, 1000, 100)
        expected_stage = full * (row["calls"] - row["batched_calls"]) + full / 2 * row["batched_calls"]
        assert row["dollars"] == pytest.approx(expected_stage, rel=1e-6)
        expected += expected_stage
    assert cost["total"]["dollars"] == pytest.approx(expected, rel=1e-6)
    assert cost["dollars_per_trace"] == pytest.approx(expected / len(truth), rel=1e-4)

    fake_api.requests.clear()
    second, settings2 = run(path, tmp_path, test_plugins, name="again")
    assert fake_api.requests == []
    assert second.summary["facets_cached"] == len(truth)
    assert [c.title for c in second.clusters] == [c.title for c in first.clusters]
    assert json.loads((settings2.out_dir / "cost.json").read_text())["total"]["calls"] == 0


def test_cli_run_with_llm_anthropic_end_to_end(fake_api, fixture_file, tmp_path, test_plugins, monkeypatch):
    path, truth = fixture_file
    monkeypatch.setattr(cli, "plugin_manager", lambda: plugin_manager(extra_plugins=test_plugins))
    out = tmp_path / "cli-out"
    result = CliRunner().invoke(cli.app, ["run", str(path), "--llm", "anthropic", "--out", str(out),
                                          "--cache-dir", str(tmp_path / "cache"), "--min-tenants", "2",
                                          "--min-traces", "2", "--llm-model", "audit=claude-haiku-4-5"])
    assert result.exit_code == 0, result.output
    clusters = json.loads((out / "clusters.json").read_text())["clusters"]
    assert any(c["title"].startswith("Agent behaviour group") for c in clusters if c["level"] == 0)
    assert any(c["level"] == 1 for c in clusters)
    cost = json.loads((out / "cost.json").read_text())
    assert cost["models"]["audit"] == "claude-haiku-4-5" and cost["traces"] == len(truth)
    audit_models = {b["model"] for m, p, b in fake_api.requests if p == "/v1/messages"
                    and "verdicts" in b["output_config"]["format"]["schema"]["properties"]}
    assert audit_models == {"claude-haiku-4-5"}


def test_cli_max_cost_stops_before_any_request_with_a_clear_message(fake_api, fixture_file, tmp_path, test_plugins,
                                                                    monkeypatch):
    path, _ = fixture_file
    monkeypatch.setattr(cli, "plugin_manager", lambda: plugin_manager(extra_plugins=test_plugins))
    result = CliRunner().invoke(cli.app, ["run", str(path), "--llm", "anthropic", "--out", str(tmp_path / "o"),
                                          "--cache-dir", str(tmp_path / "cache"), "--max-cost", "0.001"])
    assert result.exit_code == 2
    assert "max-cost" in result.output
    assert fake_api.requests == []
