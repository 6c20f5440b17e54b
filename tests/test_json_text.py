"""The fast JSON reader gives what json.loads gives, and the per-trace memo computes once per live trace."""

from __future__ import annotations

import gc
import json
import weakref

import pytest

from traceclio_core import json_text
from traceclio_core.trace_memo import remember_per_trace


@pytest.mark.parametrize("text", ['{"a": NaN, "b": -Infinity}', '{"n": 123456789012345678901234567890}',
                                  '"\\ud800 lone surrogate"', '[1.5, "x", {"y": null}]', '{"k": 1, "k": 2}'])
def test_loads_gives_what_json_gives_where_orjson_refuses_too(text):
    expected = json.loads(text)
    for got in (json_text.loads(text), json_text.loads_shared(text)):
        assert json.dumps(got) == json.dumps(expected)


def test_text_that_is_not_json_raises_value_error_every_time():
    for _ in range(2):  # the second answer comes from what was remembered
        with pytest.raises(ValueError):
            json_text.loads_shared("{not json")
    with pytest.raises(ValueError):
        json_text.loads("")


def test_a_long_text_is_decoded_and_not_remembered():
    long = json.dumps({"rows": ["x" * 100] * (json_text.REMEMBERED_CHARS // 100)})
    before = json_text._remembered.cache_info().currsize
    assert len(json_text.loads_shared(long)["rows"]) == json_text.REMEMBERED_CHARS // 100
    assert json_text._remembered.cache_info().currsize == before


class Holder:
    pass


def test_remember_per_trace_computes_once_per_live_trace_and_forgets_it_with_the_trace():
    calls = []

    @remember_per_trace
    def facets(trace, extra):
        calls.append(extra)
        value = Holder()
        value.extra = extra
        return value

    a, b = Holder(), Holder()
    assert facets(a, 1) is facets(a, 2)  # the rest of the arguments follow from the trace
    assert facets(b, 3).extra == 3
    assert calls == [1, 3]
    remembered = weakref.ref(facets(a, 1))
    del a
    gc.collect()
    assert remembered() is None  # the memo let go of a's value with a
    assert facets(b, 4).extra == 3 and calls == [1, 3]


def test_otlp_nanosecond_times_do_not_send_a_line_to_the_slow_path(monkeypatch):
    calls, real = [], json.loads
    monkeypatch.setattr(json_text.json, "loads", lambda text: calls.append(text) or real(text))
    line = '{"startTimeUnixNano": "1700000000000000000", "intValue": "12"}'
    assert json_text.loads(line)["startTimeUnixNano"] == "1700000000000000000" and calls == []
    assert json_text.loads('{"big": -12345678901234567890}')["big"] == -12345678901234567890 and len(calls) == 1
