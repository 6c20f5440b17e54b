"""The OTLP file source: formats, traces spread over lines and files, and every kind of bad input."""

import json

import pytest
import zstandard
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from google.protobuf.json_format import ParseDict

from builders import AgentRun, request, write_jsonl
from traceclio_core.errors import StrictModeError
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings
from traceclio_otlp.source import traceclio_load_traces


def load(paths, tmp_path, **settings):
    rejects = RejectLog(tmp_path / "rejected.jsonl", strict=settings.pop("strict", False))
    traces = list(traceclio_load_traces([str(p) for p in paths], Settings(**settings), rejects))
    rejects.close()
    lines = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    return traces, lines


def run_with_tool(name="t", dialect="genai"):
    run = AgentRun(name, dialect=dialect)
    run.llm("", tool_calls=("lookup",)).tool("lookup", {"id": 1}).answer("done")
    return run


def test_both_dialects_in_one_file_give_the_same_shape(tmp_path):
    genai, oi = run_with_tool("a", "genai"), run_with_tool("b", "openinference")
    path = write_jsonl(tmp_path / "mixed.jsonl", [genai.request(), oi.request()])
    traces, rejects = load([path], tmp_path)
    assert rejects == []
    shapes = [[(s.kind.value, s.tool_name) for s in t.spans] for t in traces]
    assert shapes[0] == shapes[1] == [("agent", None), ("llm", None), ("tool", "lookup"), ("llm", None)]
    assert {t.tenant for t in traces} == {"acme-logistics"}


def test_spans_of_one_trace_split_across_two_files_are_assembled_whole(tmp_path):
    run = run_with_tool()
    first = write_jsonl(tmp_path / "a.jsonl", [request(run.spans[2:])])
    second = write_jsonl(tmp_path / "b.jsonl", [request(run.spans[:2])])
    traces, rejects = load([first, second], tmp_path)
    assert rejects == [] and len(traces) == 1
    assert len(traces[0].spans) == 4 and traces[0].roots[0].kind.value == "agent"


def test_orphan_span_whose_parent_never_arrives_stays_in_its_trace(tmp_path):
    run = run_with_tool()
    path = write_jsonl(tmp_path / "a.jsonl", [request(run.spans[1:])])  # the root is missing
    traces, _ = load([path], tmp_path)
    assert len(traces) == 1 and len(traces[0].spans) == 3 and len(traces[0].roots) == 3


def test_a_trace_idle_past_the_window_is_closed_and_late_spans_are_rejected_with_advice(tmp_path):
    first, other = run_with_tool("first"), run_with_tool("other")
    path = write_jsonl(tmp_path / "a.jsonl", [request(first.spans[:2]), request(other.spans),
                                              request(first.spans[2:])])
    traces, rejects = load([path], tmp_path, trace_window_spans=3)
    assert len([t for t in traces if t.trace_id == first.trace_id]) == 1
    assert len(rejects) == 2 and all("--trace-window" in r["reason"] for r in rejects)


def _proto_bytes(requests):
    out = b""
    for req in requests:
        payload = json.loads(json.dumps(req))
        for rs in payload["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for span in ss["spans"]:  # OTLP/JSON ids are hex; protobuf JSON mapping wants base64.
                    for key in ("traceId", "spanId", "parentSpanId"):
                        if span.get(key):
                            import base64
                            span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
        message = ParseDict(payload, ExportTraceServiceRequest()).SerializeToString()
        out += len(message).to_bytes(4, "big") + message
    return out


def test_length_prefixed_protobuf_reads_like_json(tmp_path):
    run = run_with_tool()
    (tmp_path / "spans.pb").write_bytes(_proto_bytes([request(run.spans[:2]), request(run.spans[2:])]))
    traces, rejects = load([tmp_path / "spans.pb"], tmp_path)
    assert rejects == [] and len(traces) == 1
    assert traces[0].trace_id == run.trace_id
    assert [s.tool_name for s in traces[0].tool_spans] == ["lookup"]


def test_zstd_compressed_stream_is_read(tmp_path):
    run = run_with_tool()
    data = _proto_bytes([run.request()])
    (tmp_path / "spans.pb.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    traces, rejects = load([tmp_path / "spans.pb.zst"], tmp_path)
    assert rejects == [] and traces[0].trace_id == run.trace_id


def test_directory_and_glob_locations_expand_to_their_trace_files(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [run_with_tool("a").request()])
    write_jsonl(tmp_path / "b.jsonl", [run_with_tool("b").request()])
    traces, _ = load([tmp_path], tmp_path)
    assert len(traces) == 2
    traces, _ = load([tmp_path / "a*.jsonl"], tmp_path)
    assert len(traces) == 1


# -- bad input: each case is set aside with file, line and trace id, and the rest goes on -------------


def _good_then(tmp_path, bad: bytes) -> tuple[list, list]:
    good = run_with_tool("good")
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(good.request()).encode() + b"\n" + bad)
    return load([path], tmp_path)


def test_malformed_json_line_is_rejected_with_its_line_number(tmp_path):
    traces, rejects = _good_then(tmp_path, b'{"resourceSpans": [\n')
    assert len(traces) == 1
    assert rejects[0]["line"] == 2 and rejects[0]["source"].endswith("in.jsonl")


def test_truncated_file_is_reported_as_truncated(tmp_path):
    traces, rejects = _good_then(tmp_path, b'{"resourceSpans": [{"scopeSpans"')
    assert len(traces) == 1 and "truncated" in rejects[0]["reason"]


def test_non_utf8_bytes_are_rejected_not_crashed_on(tmp_path):
    traces, rejects = _good_then(tmp_path, b'{"resourceSpans": "\xff\xfe"}\n')
    assert len(traces) == 1 and "UTF-8" in rejects[0]["reason"]


def test_wrong_types_reject_only_that_span_and_name_its_trace(tmp_path):
    run = run_with_tool("typed")
    run.spans[2]["startTimeUnixNano"] = "yesterday"
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    typed = [t for t in traces if t.trace_id == run.trace_id][0]
    assert len(typed.spans) == 3
    assert rejects[0]["trace_id"] == run.trace_id and "startTimeUnixNano" in rejects[0]["reason"]


def test_missing_ids_are_rejected(tmp_path):
    run = run_with_tool("ids")
    del run.spans[1]["spanId"]
    run.spans[2]["traceId"] = "xyz"
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    assert len(rejects) == 2
    assert {"spanId is missing", "traceId 'xyz' is not 32 hex characters"} <= {
        r["reason"].removeprefix("malformed span: ") for r in rejects}


def test_cycle_in_parent_links_sets_the_whole_trace_aside(tmp_path):
    run = run_with_tool("cycle")
    run.spans[0]["parentSpanId"] = run.spans[1]["spanId"]
    run.spans[1]["parentSpanId"] = run.spans[0]["spanId"]
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    assert [t.trace_id for t in traces] != [] and run.trace_id not in {t.trace_id for t in traces}
    assert rejects[0]["trace_id"] == run.trace_id and "cycle" in rejects[0]["reason"]
    assert rejects[0]["whole_trace"] is True


def test_a_50_mb_attribute_is_cut_and_recorded_and_the_span_kept(tmp_path):
    run = run_with_tool("huge")
    run.spans[2]["attributes"].append({"key": "gen_ai.tool.call.result", "value": {"stringValue": "x" * 50_000_000}})
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    huge = [t for t in traces if t.trace_id == run.trace_id][0]
    assert len(huge.spans) == 4
    assert len(huge.tool_spans[0].tool_result) == Settings().max_attribute_bytes
    assert rejects[0]["action"] == "truncated" and rejects[0]["trace_id"] == run.trace_id


def test_not_an_otlp_request_is_rejected(tmp_path):
    traces, rejects = _good_then(tmp_path, b'[1, 2, 3]\n')
    assert len(traces) == 1 and "resourceSpans" in rejects[0]["reason"]


def test_strict_mode_makes_any_reject_fatal(tmp_path):
    with pytest.raises(StrictModeError, match="in.jsonl:2"):
        _good_then_strict(tmp_path)


def _good_then_strict(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(json.dumps(run_with_tool().request()).encode() + b"\n{oops\n")
    load([path], tmp_path, strict=True)


def test_a_missing_file_is_an_error_not_a_silent_empty_run(tmp_path):
    from traceclio_core.errors import SourceError
    with pytest.raises(SourceError):
        load([tmp_path / "nope.jsonl"], tmp_path)
