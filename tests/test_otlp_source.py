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


# -- format detection: a BOM, blank lines, UTF-16 or a damaged first line cannot hide a file -------------


def _good_lines(*names) -> tuple[bytes, list[AgentRun]]:
    runs = [run_with_tool(name) for name in names]
    return b"".join(json.dumps(run.request()).encode() + b"\n" for run in runs), runs


def test_a_utf8_byte_order_mark_does_not_hide_a_json_lines_file(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + data)
    traces, rejects = load([tmp_path / "bom.jsonl"], tmp_path)
    assert rejects == [] and {t.trace_id for t in traces} == {r.trace_id for r in runs}


def test_blank_lines_and_whitespace_before_the_first_request_are_skipped(tmp_path):
    data, runs = _good_lines("a")
    (tmp_path / "blank.jsonl").write_bytes(b"\r\n\n   \t" + data.replace(b"\n", b"\r\n"))
    traces, rejects = load([tmp_path / "blank.jsonl"], tmp_path)
    assert rejects == [] and [t.trace_id for t in traces] == [runs[0].trace_id]


def test_a_byte_order_mark_starting_a_later_line_is_ignored(tmp_path):
    first, runs_a = _good_lines("a")
    second, runs_b = _good_lines("b")
    (tmp_path / "cat.jsonl").write_bytes(b"\xef\xbb\xbf" + first + b"\xef\xbb\xbf" + second)  # two files catted
    traces, rejects = load([tmp_path / "cat.jsonl"], tmp_path)
    assert rejects == [] and len(traces) == 2


def test_utf16_json_lines_as_windows_tools_write_them_are_read(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "ps.jsonl").write_bytes(data.decode().encode("utf-16"))
    traces, rejects = load([tmp_path / "ps.jsonl"], tmp_path)
    assert rejects == [] and len(traces) == 2


def test_a_damaged_first_line_does_not_make_a_json_lines_file_look_like_protobuf(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "in.jsonl").write_bytes(b"\x89garbage\n" + data)
    traces, rejects = load([tmp_path / "in.jsonl"], tmp_path)
    assert len(traces) == 2 and [r["line"] for r in rejects] == [1]


def test_a_file_that_is_neither_format_gets_one_record_saying_what_was_tried(tmp_path):
    (tmp_path / "noise.bin").write_bytes(bytes(range(7, 250)) * 3)
    traces, rejects = load([tmp_path / "noise.bin"], tmp_path)
    assert traces == [] and len(rejects) == 1
    assert "neither OTLP JSON Lines" in rejects[0]["reason"] and "length-prefixed" in rejects[0]["reason"]


def test_an_empty_file_yields_nothing_and_needs_no_record(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(b"\n \n")
    traces, rejects = load([tmp_path / "empty.jsonl", tmp_path / "blank.jsonl"], tmp_path)
    assert traces == [] and rejects == []


def test_a_truncated_zstd_file_keeps_what_was_read_and_records_the_cut(tmp_path):
    data, runs = _good_lines(*(f"z{i}" for i in range(200)))
    compressed = zstandard.ZstdCompressor(level=1).compress(data)
    (tmp_path / "cut.jsonl.zst").write_bytes(compressed[: len(compressed) * 3 // 4])
    traces, rejects = load([tmp_path / "cut.jsonl.zst"], tmp_path)
    assert 0 < len(traces) < 200
    assert any("ends inside zstd frame" in r["reason"] for r in rejects)


def test_a_damaged_length_prefix_keeps_the_messages_before_it_and_records_where_it_stopped(tmp_path):
    run, other = run_with_tool("a"), run_with_tool("b")
    (tmp_path / "spans.pb").write_bytes(_proto_bytes([run.request()]) + b"\x7f\xff\xff\xff" + b"\x0a" * 50
                                        + _proto_bytes([other.request()]))
    traces, rejects = load([tmp_path / "spans.pb"], tmp_path)
    assert [t.trace_id for t in traces] == [run.trace_id]
    assert rejects[0]["line"] == 2 and "length prefix" in rejects[0]["reason"]


# -- hostile values: made safe at the edge, the change recorded, the span kept ------------------------


def test_json_nested_deeper_than_the_parser_allows_sets_only_its_line_aside(tmp_path):
    traces, rejects = _good_then(tmp_path, b"[" * 5000 + b"\n")
    assert len(traces) == 1 and rejects[0]["line"] == 2 and "deeper" in rejects[0]["reason"]


def _deep_kvlist(levels: int) -> dict:
    value = {"stringValue": "leaf"}
    for _ in range(levels):
        value = {"kvlistValue": {"values": [{"key": "k", "value": value}]}}
    return value


def test_an_attribute_nested_deeper_than_the_bound_is_cut_and_recorded_and_the_span_kept(tmp_path):
    run = run_with_tool("deep")
    run.spans[2]["attributes"].append({"key": "deep", "value": _deep_kvlist(60)})
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    deep = [t for t in traces if t.trace_id == run.trace_id][0]
    assert len(deep.spans) == 4
    assert [(r["action"], r["trace_id"]) for r in rejects] == [("truncated", run.trace_id)]
    assert "deeper than 32 levels" in rejects[0]["reason"]


def test_an_int_value_outside_int64_is_clamped_and_recorded(tmp_path):
    run = run_with_tool("big")
    run.spans[2]["attributes"].append({"key": "retries", "value": {"intValue": str(2**64)}})
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    assert len([t for t in traces if t.trace_id == run.trace_id][0].spans) == 4
    assert rejects[0]["action"] == "repaired" and "outside int64" in rejects[0]["reason"]
    assert rejects[0]["span_id"] == run.spans[2]["spanId"]


def test_a_million_element_array_is_cut_and_recorded(tmp_path):
    run = run_with_tool("wide")
    values = [{"stringValue": "row"}] * 1_000_000
    run.spans[2]["attributes"].append({"key": "output.value", "value": {"arrayValue": {"values": values}}})
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    wide = [t for t in traces if t.trace_id == run.trace_id][0]
    assert len(wide.tool_spans[0].tool_result) <= 2 * Settings().max_attribute_bytes
    assert rejects[0]["action"] == "truncated" and "1,000,000 items" in rejects[0]["reason"]


def test_an_unknown_span_kind_or_status_code_is_read_as_unset_not_a_lost_span(tmp_path):
    run = run_with_tool("kind")
    run.spans[1]["kind"] = "CLIENTISH"
    run.spans[2]["kind"] = "SPAN_KIND_CLIENT"  # the protobuf JSON mapping's name: read silently
    run.spans[3]["status"] = {"code": 99}
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    assert len([t for t in traces if t.trace_id == run.trace_id][0].spans) == 4
    assert sorted(r["reason"].split(" ")[0] for r in rejects) == ["kind", "status.code"]
    assert {r["action"] for r in rejects} == {"repaired"}


def test_all_zero_trace_or_span_ids_are_rejected_and_an_all_zero_parent_means_no_parent(tmp_path):
    run = run_with_tool("zeros")
    run.spans[1]["traceId"] = "0" * 32
    run.spans[2]["spanId"] = "AAAAAAAAAAA="  # base64 of eight zero bytes
    run.spans[0]["parentSpanId"] = "0" * 16
    traces, rejects = _good_then(tmp_path, json.dumps(run.request()).encode() + b"\n")
    zeros = [t for t in traces if t.trace_id == run.trace_id][0]
    assert len(zeros.spans) == 2 and zeros.roots[0].span_id == run.spans[0]["spanId"]
    assert len(rejects) == 2 and all("all zeros" in r["reason"] for r in rejects)


def test_all_zero_ids_in_protobuf_are_rejected(tmp_path):
    run = run_with_tool("zeros-pb")
    run.spans[1]["traceId"] = "0" * 32
    (tmp_path / "spans.pb").write_bytes(_proto_bytes([run.request()]))
    traces, rejects = load([tmp_path / "spans.pb"], tmp_path)
    assert len(traces[0].spans) == 3 and "all-zero" in rejects[0]["reason"]


def test_every_record_carries_every_documented_key_null_where_unknown(tmp_path):
    _, rejects = _good_then(tmp_path, b"{oops\n")
    assert set(rejects[0]) == {"source", "line", "trace_id", "span_id", "reason", "action", "whole_trace", "excerpt"}
    assert rejects[0]["trace_id"] is None and rejects[0]["span_id"] is None


def test_a_pretty_printed_request_or_list_of_requests_is_read_as_one_document(tmp_path):
    one, two = run_with_tool("a"), run_with_tool("b")
    (tmp_path / "one.json").write_text(json.dumps(one.request(), indent=2))
    (tmp_path / "list.json").write_text(json.dumps([two.request()], indent=1))
    traces, rejects = load([tmp_path / "one.json", tmp_path / "list.json"], tmp_path)
    assert rejects == [] and [t.trace_id for t in traces] == [one.trace_id, two.trace_id]


def test_a_lone_brace_first_line_falls_back_to_json_lines_and_keeps_the_good_lines(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "in.jsonl").write_bytes(b"{\n" + data)
    traces, rejects = load([tmp_path / "in.jsonl"], tmp_path)
    assert len(traces) == 2 and [r["line"] for r in rejects] == [None, 1]


def test_fields_otlp_does_not_define_are_recorded_so_a_renamed_key_loses_nothing_silently(tmp_path):
    run = run_with_tool("renamed")
    req = run.request()
    req["resourceSpans"][0]["scopeSpanz"] = req["resourceSpans"][0].pop("scopeSpans")
    traces, rejects = _good_then(tmp_path, json.dumps(req).encode() + b"\n" + b'{"resourceSpanz": []}\n')
    assert len(traces) == 1
    assert [r["line"] for r in rejects] == [2, 3]
    assert "'scopeSpanz'" in rejects[0]["reason"] and "resourceSpans" in rejects[1]["reason"]


def test_snake_case_field_names_from_protobufs_json_printer_are_read(tmp_path):
    from google.protobuf.json_format import MessageToDict
    run = run_with_tool("snake")
    request_pb = ExportTraceServiceRequest()
    request_pb.ParseFromString(_proto_bytes([run.request()])[4:])
    as_dict = MessageToDict(request_pb, preserving_proto_field_name=True)
    for rs in as_dict["resource_spans"]:  # MessageToDict writes ids in base64, which is accepted too
        assert "scope_spans" in rs
    traces, rejects = _good_then(tmp_path, json.dumps(as_dict).encode() + b"\n")
    snake = [t for t in traces if t.trace_id == run.trace_id][0]
    assert rejects == [] and [s.tool_name for s in snake.tool_spans] == ["lookup"]


def test_a_json_lines_file_whose_first_bytes_are_nuls_is_not_taken_for_protobuf(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "crashed.jsonl").write_bytes(b"\0" * 4096 + b"\n" + data)  # as a crash can leave a file
    traces, rejects = load([tmp_path / "crashed.jsonl"], tmp_path)
    assert len(traces) == 2 and [r["line"] for r in rejects] == [1]


def test_bytes_that_only_start_like_zstd_are_read_as_they_are(tmp_path):
    data, runs = _good_lines("a", "b")
    (tmp_path / "odd.jsonl").write_bytes(b"\x28\xb5\x2f\xfd junk\n" + data)
    traces, rejects = load([tmp_path / "odd.jsonl"], tmp_path)
    assert len(traces) == 2
    assert "starts like zstd" in rejects[0]["reason"] and rejects[1]["line"] == 1
