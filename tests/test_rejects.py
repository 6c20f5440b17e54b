"""rejected.jsonl: every documented key in every record, and records that survive the input they quote."""

import json

import pytest

from traceclio_core.errors import ConfigurationError, Reject, StrictModeError
from traceclio_core.rejects import RejectLog, per_trace

KEYS = {"source", "line", "trace_id", "span_id", "reason", "action", "whole_trace", "excerpt"}


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_every_record_has_every_documented_key_null_where_unknown(tmp_path):
    log = RejectLog(tmp_path / "rejected.jsonl")
    log.add(Reject(source="a.jsonl", reason="bad"))
    log.close()
    [record] = _records(tmp_path / "rejected.jsonl")
    assert set(record) == KEYS and record["trace_id"] is None and record["excerpt"] is None
    assert log.records == [record]  # what a cached re-run replays is the same record


def test_a_record_quoting_a_lone_surrogate_or_a_line_separator_stays_one_valid_json_line(tmp_path):
    log = RejectLog(tmp_path / "rejected.jsonl")
    log.add(Reject(source="a.jsonl", trace_id="t" * 5000, reason="bad \ud800 name", excerpt="x\x85y\u2028z"))
    log.close()
    text = (tmp_path / "rejected.jsonl").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1
    [record] = _records(tmp_path / "rejected.jsonl")
    assert record["reason"] == "bad \\ud800 name" and record["excerpt"] == "x\x85y\u2028z"
    assert len(record["trace_id"]) == 65


def test_per_trace_turns_one_traces_exception_into_a_whole_trace_record(tmp_path):
    log = RejectLog()
    assert per_trace(log, "direct facets", "abc", lambda: 1 / 0) is None
    assert per_trace(log, "direct facets", "def", lambda: 7) == 7
    assert log.traces_set_aside == ["abc"] and "ZeroDivisionError" in log.records[0]["reason"]


def test_per_trace_lets_errors_that_must_stop_a_run_through():
    def misconfigured():
        raise ConfigurationError("no embedder")

    with pytest.raises(ConfigurationError):
        per_trace(RejectLog(), "facet extraction", "abc", misconfigured)
    with pytest.raises(StrictModeError):
        per_trace(RejectLog(strict=True), "direct facets", "abc", lambda: 1 / 0)
