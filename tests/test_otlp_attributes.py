"""Attribute values read on the fast path are exactly what the bounded decoder (values.AttributeValue)
gives, and everything that needs bounds, clamps or records still goes through it."""

import pytest

from traceclio_core.rejects import RejectLog
from traceclio_otlp.messages import RequestReader
from traceclio_otlp.values import AttributeValue, SpanError

VALUES = [
    {"stringValue": "lookup_order"}, {"stringValue": ""}, {"stringValue": "x" * 64}, {"stringValue": "x" * 65},
    {"intValue": "42"}, {"intValue": "007"}, {"intValue": "-5"}, {"intValue": " 7"}, {"intValue": 12},
    {"intValue": "999999999999999999"}, {"intValue": "9223372036854775808"}, {"intValue": str(2 ** 70)},
    {"intValue": 2 ** 70}, {"intValue": "²"}, {"boolValue": True}, {"boolValue": "true"}, {"doubleValue": 1.5},
    {"doubleValue": "NaN"}, {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "3"}]}},
    {"kvlistValue": {"values": [{"key": "k", "value": {"boolValue": False}}]}}, {"bytesValue": "AAE="},
    {"stringValue": "a", "intValue": "1"}, {}, None,
]


@pytest.mark.parametrize("value", VALUES, ids=[repr(v)[:40] for v in VALUES])
def test_an_attribute_reads_as_the_bounded_decoder_reads_it(value):
    rejects = RejectLog(None, strict=False)
    reader = RequestReader("f.jsonl", rejects, max_attribute_bytes=64)
    decoder = AttributeValue("k", 64)
    try:
        expected = decoder.from_json(value)
    except SpanError as err:  # a malformed value sets its span aside, on either path
        with pytest.raises(SpanError, match=str(err)):
            reader._attributes([{"key": "k", "value": value}], 1, "t" * 32, "s" * 16)
        return
    read = reader._attributes([{"key": "k", "value": value}], 1, "t" * 32, "s" * 16)
    assert list(read) == ["k"] and repr(read["k"]) == repr(expected) and type(read["k"]) is type(expected)
    # What the decoder had to cut or clamp is recorded, on either path.
    assert len(rejects.records) == len(decoder.notes)
