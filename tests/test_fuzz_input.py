"""Bad input never stops a run and nothing is lost: damaged input of every kind through the real pipeline,
and generated damage (hypothesis) through the OTLP source. Deterministic: fixed seeds, derandomized."""

import base64
import json
import tempfile
from pathlib import Path

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from builders import AgentRun
from synthetic.damage_kinds import KINDS
from synthetic.damaged import SMALL, check, traces_lost, write_corpus
from traceclio_core.cli import app
from traceclio_core.facet_table import content_hash
from traceclio_core.rejects import RejectLog
from traceclio_core.input_safety import MAX_TOKENS
from traceclio_core.settings import Settings
from traceclio_otlp.source import traceclio_load_traces

FUZZ_SEED = 16
RECORD_KEYS = {"source", "line", "trace_id", "span_id", "reason", "action", "whole_trace", "excerpt"}


def test_a_run_over_every_kind_of_damage_exits_0_and_handles_each_input_as_documented(tmp_path, cache_dir):
    corpus = write_corpus(tmp_path / "in", seed=FUZZ_SEED, good=40, copies=1, scale=SMALL)
    assert len({d.kind for d in corpus.damages}) == len(KINDS) >= 100
    cache = tmp_path / "cache"  # fresh facets, the session's distilled model
    cache.mkdir()
    (cache_dir / "models").mkdir(parents=True, exist_ok=True)
    (cache / "models").symlink_to(cache_dir / "models")
    out = tmp_path / "out"
    command = ["run", str(corpus.root), "--out", str(out), "--cache-dir", str(cache)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output

    failures = [f"{o.kind}: {o.why}" for o in check(corpus, out) if not o.ok]
    assert failures == []
    assert traces_lost(corpus, out) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["rejected"] and summary["truncated"] and summary["repaired"]

    # A re-run of the same files comes from the caches and must report the very same rejects.
    first = [(out / name).read_bytes() for name in ("assignments.jsonl", "rejected.jsonl")]
    assert CliRunner().invoke(app, command).exit_code == 0
    assert [(out / name).read_bytes() for name in ("assignments.jsonl", "rejected.jsonl")] == first


# -- generated damage through the source --------------------------------------------------------------

RUNS = []
for _i in range(4):
    _run = AgentRun(f"fuzz-{_i}", dialect="genai" if _i % 2 else "openinference")
    _run.llm("", tool_calls=("lookup",)).tool("lookup", {"id": _i}).answer("done")
    RUNS.append(_run)

text = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=12)
scalars = st.one_of(
    st.builds(lambda s: {"stringValue": s}, text),
    st.builds(lambda i: {"intValue": str(i)}, st.integers(-(2**70), 2**70)),
    st.builds(lambda i: {"intValue": i}, st.integers(-(2**70), 2**70)),
    st.builds(lambda f: {"doubleValue": f}, st.floats()),
    st.builds(lambda b: {"boolValue": b}, st.booleans()),
    st.sampled_from([{"doubleValue": "NaN"}, {"doubleValue": "-Infinity"}, {"intValue": "lots"}, {"boolValue": "yes"},
                     {}, {"fooValue": 1}, "plain", 5, None, {"arrayValue": {"values": 5}}, {"stringValue": {"a": 1}}]),
)
any_values = st.recursive(scalars, lambda inner: st.one_of(
    st.builds(lambda vs: {"arrayValue": {"values": vs}}, st.lists(inner, max_size=3)),
    st.builds(lambda kvs: {"kvlistValue": {"values": [{"key": k, "value": v} for k, v in kvs]}},
              st.lists(st.tuples(text, inner), max_size=3)),
), max_leaves=8)
keys = st.one_of(st.sampled_from(["gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "llm.token_count.prompt",
                                  "llm.token_count.total", "input.value", "output.value", "gen_ai.input.messages",
                                  "gen_ai.tool.name", "tenant.id", "gen_ai.response.finish_reasons"]), text)
json_values = st.recursive(st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | text,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                           max_leaves=6)
span_fields = st.sampled_from(["traceId", "spanId", "parentSpanId", "name", "kind", "startTimeUnixNano",
                               "endTimeUnixNano", "status", "events", "attributes"])
# One damage to one line: a hostile attribute value or span field, or bytes cut, replaced, inserted or the
# line repeated.
value_damage = st.tuples(st.just("value"), st.integers(0, 3), st.integers(0, 3), keys, any_values)
field_damage = st.tuples(st.just("field"), st.integers(0, 3), st.integers(0, 3), span_fields, json_values)
byte_damage = st.tuples(st.sampled_from(["cut", "replace", "insert", "repeat"]), st.integers(0, 3),
                        st.floats(0, 1), st.binary(min_size=1, max_size=4))
framing = st.sampled_from(["plain", "bom", "crlf", "blank lines", "zstd", "utf-16"])


def _apply(damage, requests: list[dict], lines: list[bytes]) -> int:
    """Damage one line in place; returns its index."""
    if damage[0] == "value":
        _, index, span, key, value = damage
        target = requests[index]["resourceSpans"][0]["scopeSpans"][0]["spans"][span]
        if not isinstance(target.get("attributes"), list):
            target["attributes"] = []
        target["attributes"].append({"key": key, "value": value})
        lines[index] = json.dumps(requests[index]).encode()
        return index
    if damage[0] == "field":
        _, index, span, name, value = damage
        requests[index]["resourceSpans"][0]["scopeSpans"][0]["spans"][span][name] = value
        lines[index] = json.dumps(requests[index]).encode()
        return index
    op, index, where, data = damage
    line = lines[index]
    at = int(where * len(line))
    lines[index] = {"cut": line[:at], "replace": line[:at] + data + line[at + len(data):],
                    "insert": line[:at] + data + line[at:], "repeat": line + b"\n" + line}[op]
    return index


def _frame(name: str, lines: list[bytes]) -> tuple[bytes, int]:
    """The file's bytes and how many lines come before the first request."""
    body = b"".join(line + b"\n" for line in lines)
    if name == "bom":
        return b"\xef\xbb\xbf" + body, 0
    if name == "crlf":
        return body.replace(b"\n", b"\r\n"), 0
    if name == "blank lines":
        return b"\n \n" + body, 2
    if name == "zstd":
        return zstandard.ZstdCompressor().compress(body), 0
    if name == "utf-16":
        return body.decode("utf-8", "replace").encode("utf-16"), 0
    return body, 0


def _line_ranges(lines: list[bytes], offset: int) -> list[range]:
    """The file lines each request's line ended up on (damage can split one into several)."""
    ranges, first = [], offset + 1
    for line in lines:
        ranges.append(range(first, first + line.count(b"\n") + 1))
        first += line.count(b"\n") + 1
    return ranges


@settings(derandomize=True, database=None, max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damages=st.lists(st.one_of(value_damage, field_damage, byte_damage), min_size=1, max_size=3), framing=framing)
def test_generated_damage_never_stops_reading_and_every_line_is_kept_or_recorded(damages, framing):
    requests = [json.loads(json.dumps(run.request())) for run in RUNS]
    lines = [json.dumps(r).encode() for r in requests]
    touched = {_apply(damage, requests, lines) for damage in damages}
    with tempfile.TemporaryDirectory() as tmp:
        data, offset = _frame(framing, lines)
        path = Path(tmp) / "in.jsonl"
        path.write_bytes(data)
        rejects = RejectLog(Path(tmp) / "rejected.jsonl")
        traces = list(traceclio_load_traces([str(path)], Settings(), rejects))
        rejects.close()
        records = [json.loads(line) for line in (Path(tmp) / "rejected.jsonl").read_text().splitlines()]

    assert all(set(r) == RECORD_KEYS for r in records)
    by_id = {t.trace_id: t for t in traces}
    assert len(by_id) == len(traces)  # each trace once
    for trace in traces:
        content_hash(trace)  # serialisable as UTF-8 JSON: nothing unwritable got into the model
        assert all(0 <= s.input_tokens <= MAX_TOKENS and 0 <= s.output_tokens <= MAX_TOKENS for s in trace.spans)
    for index, (run, where) in enumerate(zip(RUNS, _line_ranges(lines, offset))):
        naming = [r for r in records if r["line"] in where or r["trace_id"] == run.trace_id]
        if index in touched:
            # A line cut to nothing is no input at all; anything else is read or recorded (perhaps as part
            # of a file-level record, when the damage leaves no line a reader could start from).
            whole_file = [r for r in records if r["line"] is None]
            assert run.trace_id in by_id or naming or whole_file or not lines[index].strip(), (framing, damages)
        else:  # untouched: whole, and named by no record
            assert len(by_id[run.trace_id].spans) == len(run.spans) and not naming, (framing, damages, naming)


def _protobuf(request: dict) -> bytes:
    from google.protobuf.json_format import ParseDict
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    request = json.loads(json.dumps(request))
    for span in request["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        for key in ("traceId", "spanId", "parentSpanId"):
            if span.get(key):
                span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    message = ParseDict(request, ExportTraceServiceRequest()).SerializeToString()
    return len(message).to_bytes(4, "big") + message


@settings(derandomize=True, database=None, max_examples=200, deadline=None)
@given(index=st.integers(0, 3), where=st.floats(0, 1), data=st.binary(min_size=1, max_size=6),
       op=st.sampled_from(["cut", "replace", "insert"]), compress=st.booleans())
def test_damaged_protobuf_keeps_every_message_before_the_damage_and_records_any_loss(index, where, data, op,
                                                                                    compress):
    messages = [_protobuf(run.request()) for run in RUNS]
    at = int(where * len(messages[index]))
    damaged = messages[index]
    messages[index] = {"cut": damaged[:at], "replace": damaged[:at] + data + damaged[at + len(data):],
                       "insert": damaged[:at] + data + damaged[at:]}[op]
    blob = b"".join(messages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spans.pb"
        path.write_bytes(zstandard.ZstdCompressor().compress(blob) if compress else blob)
        rejects = RejectLog()
        traces = list(traceclio_load_traces([str(path)], Settings(), rejects))
    by_id = {t.trace_id: t for t in traces}
    for run in RUNS[:index]:
        assert len(by_id[run.trace_id].spans) == len(run.spans)
    if any(run.trace_id not in by_id and message for run, message in zip(RUNS, messages)):
        assert rejects.records  # what was lost is recorded (a message cut to nothing is no input)
