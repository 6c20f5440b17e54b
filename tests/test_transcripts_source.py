"""The chat-transcript source: runs in the OpenAI messages format → traces, with every kind of bad input."""

import json
from pathlib import Path

import pytest
import pyarrow.parquet as pq

from builders import AgentRun, write_jsonl
from test_report import embedded
from traceclio_core import pipeline
from traceclio_core.file_format import file_format
from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import InputFormat, Settings
from traceclio_otlp.source import traceclio_load_traces as load_otlp
from traceclio_transcripts.source import traceclio_load_traces as load_transcripts

SYSTEM = {"role": "system", "content": "You are a refunds agent. Confirm before acting."}


def refund_run(run_id="r-1", reward=1.0, user="u-1", result='{"status": "refunded"}'):
    return {
        "id": run_id, "reward": reward, "info": {"user_id": user},
        "messages": [
            SYSTEM,
            {"role": "user", "content": "Please refund order 17."},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "lookup_order", "arguments": '{"id": 17}'}},
                {"id": "call_b", "type": "function", "function": {"name": "issue_refund", "arguments": {"id": 17}}}]},
            {"role": "tool", "tool_call_id": "call_b", "name": "issue_refund", "content": result},
            {"role": "tool", "tool_call_id": "call_a", "content": '{"order": 17, "paid": 30}'},
            {"role": "assistant", "content": "Your order 17 was refunded."},
            {"role": "user", "content": "Thanks! ###STOP###"},
        ],
    }


def write_lines(path: Path, values) -> Path:
    path.write_text("".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in values))
    return path


def load(paths, tmp_path, loader=load_transcripts, **settings):
    rejects = RejectLog(tmp_path / "rejected.jsonl")
    traces = list(loader([str(p) for p in paths], Settings(**settings), rejects) or [])
    rejects.close()
    return traces, [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]


def test_a_run_becomes_an_agent_root_with_one_llm_span_per_turn_and_one_tool_span_per_result(tmp_path):
    (trace,), rejects = load([write_lines(tmp_path / "runs.jsonl", [refund_run()])], tmp_path,
                             tenant_keys=("info.user_id",))
    assert rejects == []
    assert (trace.trace_id, trace.tenant, trace.outcome) == ("r-1", "u-1", 1.0)
    assert [(s.kind.value, s.tool_name) for s in trace.spans] == [
        ("agent", None), ("llm", None), ("tool", "issue_refund"), ("tool", "lookup_order"), ("llm", None)]
    root, ask, refund, lookup, answer = trace.spans
    assert root.input_text == "Please refund order 17." and trace.final_answer == "Your order 17 was refunded."
    assert [m.role for m in ask.input_messages] == ["system", "user"]
    assert [(c.name, c.id) for c in ask.requested_tool_calls] == [("lookup_order", "call_a"), ("issue_refund", "call_b")]
    # Arguments and names come from the call a tool message answers, matched by id, not by order.
    assert (refund.tool_call_id, refund.tool_arguments, refund.tool_result) == ("call_b", '{"id": 17}',
                                                                               '{"status": "refunded"}')
    assert (lookup.tool_name, lookup.tool_arguments) == ("lookup_order", '{"id": 17}')
    assert [m.role for m in answer.input_messages] == ["system", "user", "assistant", "tool", "tool"]
    assert all(s.parent_id == root.span_id for s in trace.spans[1:])


def test_absent_timing_is_synthetic_monotonic_and_marked_so_it_is_not_read_as_latency(tmp_path):
    (trace,), _ = load([write_lines(tmp_path / "runs.jsonl", [refund_run()])], tmp_path)
    starts = [s.start_ns for s in trace.spans]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert trace.timing_recorded is False and max(s.duration_ms for s in trace.spans) < 0.001


def test_a_tool_result_that_is_plainly_an_error_gets_error_status(tmp_path):
    run = refund_run(result="Error: payment amount does not add up\nTraceback follows")
    (trace,), _ = load([write_lines(tmp_path / "runs.jsonl", [run])], tmp_path)
    refund = trace.tool_spans[0]
    assert refund.failed and refund.error_message == "Error: payment amount does not add up"
    assert not trace.tool_spans[1].failed


@pytest.mark.parametrize("value, outcome", [(True, 1.0), (False, 0.0), ("passed", 1.0), ("FAIL", 0.0),
                                            (0.25, 0.25), ("0.5", 0.5)])
def test_the_outcome_maps_booleans_words_and_numbers(tmp_path, value, outcome):
    (trace,), _ = load([write_lines(tmp_path / "runs.jsonl", [refund_run(reward=value)])], tmp_path)
    assert trace.outcome == outcome


def test_outcome_keys_are_tried_in_order_and_may_be_dotted(tmp_path):
    run = refund_run(reward=None)
    run["info"]["grade"] = {"passed": False}
    run["success"] = True
    (trace,), _ = load([write_lines(tmp_path / "runs.jsonl", [run])], tmp_path,
                       outcome_keys=("reward", "info.grade.passed", "success"))
    assert trace.outcome == 0.0


def test_an_unreadable_outcome_is_recorded_and_the_trace_kept_without_one(tmp_path):
    (trace,), rejects = load([write_lines(tmp_path / "runs.jsonl", [refund_run(reward="maybe")])], tmp_path)
    assert trace.outcome is None and len(trace.spans) == 5
    assert rejects[0]["trace_id"] == "r-1" and "'maybe' is neither a number nor pass/fail" in rejects[0]["reason"]


def test_malformed_runs_are_rejected_with_file_line_and_id_and_the_rest_is_read(tmp_path):
    bad_message = refund_run("r-3")
    bad_message["messages"][3] = "not a message"
    bad_message["messages"][5]["tool_calls"] = [{"function": {"arguments": "{}"}}]
    path = write_lines(tmp_path / "runs.jsonl", [
        refund_run("r-1"),
        "{oops",
        {"id": "r-2", "reward": 0, "transcript": []},
        bad_message,
        refund_run("r-1", reward=0.0),
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        42,
    ])
    traces, rejects = load([path], tmp_path)
    assert [t.trace_id for t in traces] == ["r-1", "r-3", "runs.jsonl:6"]
    by_line = {r["line"]: r for r in rejects}
    assert set(by_line) == {2, 3, 4, 5, 7} and all(r["source"] == str(path) for r in rejects)
    assert "not valid JSON" in by_line[2]["reason"]
    assert by_line[3]["trace_id"] == "r-2" and "no messages under messages, traj, conversation" in by_line[3]["reason"]
    assert by_line[3]["whole_trace"] is True
    lost = sorted(r["reason"] for r in rejects if r["line"] == 4)
    assert len(lost) == 2 and lost[0].startswith("message 4 is left out (a message must be an object")
    assert lost[1].startswith("message 6 is left out (tool call 1 has no function.name)")
    r3 = next(t for t in traces if t.trace_id == "r-3")
    assert [s.kind.value for s in r3.spans] == ["agent", "llm", "tool"]  # the rest of the run is kept
    assert by_line[5]["trace_id"] == "r-1" and "already read" in by_line[5]["reason"]
    assert by_line[7]["trace_id"] == "runs.jsonl:7" and "a run must be an object or a list" in by_line[7]["reason"]


def test_a_json_array_of_runs_with_metadata_names_each_run_by_its_index_and_line(tmp_path):
    runs = [{k: v for k, v in refund_run(str(i)).items() if k != "id"} | {"task_id": i, "traj": refund_run()["messages"]}
            for i in range(3)]
    for run in runs:
        del run["messages"]
    text = json.dumps(runs, indent=2)
    path = tmp_path / "runs.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    traces, rejects = load([path], tmp_path, transcript_id_keys=("task_id",))
    assert rejects == [] and [t.trace_id for t in traces] == ["0", "1", "2"]
    traces, _ = load([path], tmp_path)
    assert [t.trace_id for t in traces] == ["runs.json[0]", "runs.json[1]", "runs.json[2]"]

    broken = text.replace('"task_id": 2', '"task_id": 2,,', 1)
    path.write_text(broken)
    traces, rejects = load([path], tmp_path)
    assert len(traces) == 2 and len(rejects) == 1
    element_start = broken.rfind("\n  {", 0, broken.index('"task_id": 2,,')) + 1  # the run's opening brace
    assert rejects[0]["line"] == broken[:element_start].count("\n") + 1
    assert "array element 2 is not valid JSON" in rejects[0]["reason"]


def test_a_pretty_printed_list_of_messages_is_one_run(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(refund_run()["messages"], indent=1))
    (trace,), rejects = load([path], tmp_path)
    assert rejects == [] and trace.trace_id == "one.json:1" and len(trace.llm_spans) == 2


def test_a_message_key_and_id_key_are_configurable(tmp_path):
    run = refund_run()
    run["log"] = {"turns": run.pop("messages")}
    run["meta"] = {"run": "abc"}
    (trace,), rejects = load([write_lines(tmp_path / "runs.jsonl", [run])], tmp_path,
                             transcript_messages_keys=("log.turns",), transcript_id_keys=("meta.run",))
    assert rejects == [] and trace.trace_id == "abc"


def test_transcripts_and_otlp_in_one_directory_are_each_read_by_their_own_reader(tmp_path):
    write_lines(tmp_path / "runs.jsonl", [refund_run()])
    otlp = AgentRun("otlp-run")
    otlp.llm("", tool_calls=("lookup",)).tool("lookup", {"id": 1}).answer("done")
    write_jsonl(tmp_path / "spans.jsonl", [otlp.request()])
    assert file_format(tmp_path / "runs.jsonl", InputFormat.AUTO) is InputFormat.TRANSCRIPTS
    assert file_format(tmp_path / "spans.jsonl", InputFormat.AUTO) is InputFormat.OTLP
    transcripts, rejects = load([tmp_path], tmp_path)
    spans, more = load([tmp_path], tmp_path, loader=load_otlp)
    assert [t.trace_id for t in transcripts] == ["r-1"] and [t.trace_id for t in spans] == [otlp.trace_id]
    assert rejects == more == []


def test_format_forces_one_reader(tmp_path):
    path = write_lines(tmp_path / "runs.jsonl", [refund_run()])
    traces, rejects = load([path], tmp_path, loader=load_otlp, input_format="otlp")
    assert traces == [] and "resourceSpans" in rejects[0]["reason"]
    assert load([path], tmp_path, input_format="otlp")[0] == []


def test_an_oversized_message_is_cut_by_assembly_and_recorded(tmp_path):
    (trace,), rejects = load([write_lines(tmp_path / "runs.jsonl", [refund_run(result="x" * 10_000)])], tmp_path,
                             max_attribute_bytes=2048)
    assert len(trace.tool_spans[0].tool_result) == 2048
    # The result is also a message in the second turn's input.
    assert {r["action"] for r in rejects} == {"truncated"} and len(rejects) == 2


def test_the_outcome_reaches_the_fact_table_as_a_column(tmp_path, cache_dir):
    path = write_lines(tmp_path / "runs.jsonl", [refund_run(f"r-{i}", reward=i % 2, user=f"u-{i}") for i in range(6)])
    settings = Settings(out_dir=tmp_path / "run", cache_dir=cache_dir, min_tenants=1, min_traces=1)
    pipeline.run([str(path)], settings, plugin_manager())
    table = pq.read_table(tmp_path / "run" / "facets.parquet")
    assert str(table.schema.field("outcome").type) == "double"
    assert dict(zip(table["trace_id"].to_pylist(), table["outcome"].to_pylist())) == {
        f"r-{i}": float(i % 2) for i in range(6)}


TAU_BENCH = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "tau-bench" / "gpt-4o-airline.json"


def test_tau_bench_airline_runs_are_read_whole_with_their_reward_as_outcome(tmp_path):
    """Reads ../shared/realdata/tau-bench/gpt-4o-airline.json (200 real GPT-4o runs, MIT; see
    shared/realdata/README.md). It is there for every developer and in CI, beside the checkout."""
    traces, rejects = load([TAU_BENCH], tmp_path)
    assert len(traces) == 200 and rejects == []
    assert all(t.outcome is not None for t in traces) and sum(t.outcome == 1.0 for t in traces) == 84
    assert sum(len(t.llm_spans) for t in traces) == 2454 and sum(len(t.tool_spans) for t in traces) == 1164
    assert all(t.first_user_message and t.final_answer for t in traces)
    assert all(s.tool_arguments for t in traces for s in t.tool_spans)  # every result found its call


def test_each_cluster_carries_its_outcome_rate_and_lift_and_the_report_ranks_them(tmp_path, cache_dir):
    failing = '{"error": "payment gateway unavailable"}'
    runs = [refund_run(f"ok-{i}", reward=1.0, user=f"u-{i % 4}") for i in range(20)]
    runs += [refund_run(f"bad-{i}", reward=0.0, user=f"u-{i % 4}", result=failing) for i in range(20)]
    path = write_lines(tmp_path / "runs.jsonl", runs)
    settings = Settings(out_dir=tmp_path / "out", cache_dir=cache_dir, min_tenants=1, min_traces=2, k=2,
                        tenant_keys=("info.user_id",))
    pipeline.run([str(path)], settings, plugin_manager())
    clusters = json.loads((tmp_path / "out" / "clusters.json").read_text())["clusters"]
    leaves = sorted((c for c in clusters if c["level"] == 0), key=lambda c: c["outcome_rate"])
    assert [(c["size"], c["outcome_rate"], c["outcome_traces"]) for c in leaves] == [(20, 0.0, 20), (20, 1.0, 20)]
    assert leaves[0]["outcome_lift"] == 0.0 and leaves[1]["outcome_lift"] == 2.0
    assert leaves[0]["failing"] and not leaves[1]["failing"]
    report = (tmp_path / "out" / "report.html").read_text()
    shown = {c["id"]: c for c in embedded(report)["clusters"]}
    assert [(shown[c["id"]]["outcome_rate"], shown[c["id"]]["outcome_lift"]) for c in leaves] == [(0.0, 0.0), (1.0, 2.0)]
    assert embedded(report)["run"]["outcomes"] and '<option value="outcome">outcome, worst first</option>' in report
