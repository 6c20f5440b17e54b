"""Values made safe where input enters the trace model, for any source."""

from traceclio_core.input_safety import MAX_TOKENS, as_token_count, depth_at_most, repaired
from traceclio_core.model import Message, Span, ToolCallRequest


def test_repaired_fixes_text_nested_in_messages_and_tool_calls_and_says_where():
    call = ToolCallRequest(name="look\ud800up", arguments='{"q": "\udfff"}')
    span = Span(span_id="s" * 16, input_messages=(Message(role="user", content="hi \ud800", tool_calls=(call,)),))
    notes = []
    fixed = repaired(span, notes)
    fixed.model_dump_json()
    assert fixed.input_messages[0].content == "hi \ufffd"
    assert fixed.input_messages[0].tool_calls[0].name == "look\ufffdup"
    assert len(notes) == 3 and all(n.startswith("span input_messages") for n in notes)


def test_a_writable_model_comes_back_as_it_is_with_no_note():
    span = Span(span_id="s" * 16, name="ok \U0001F600")
    notes = []
    assert repaired(span, notes) is span and notes == []


def test_a_token_count_is_a_whole_number_in_range_however_it_was_written():
    assert [as_token_count(v) for v in (12, "12", 12.0, "12.0", 0, MAX_TOKENS)] == [12, 12, 12, 12, 0, MAX_TOKENS]
    assert {as_token_count(v) for v in (float("nan"), float("inf"), -1, MAX_TOKENS + 1, 2.5, "lots", True)} == {None}


def test_depth_is_checked_without_recursion():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert not depth_at_most(deep, 32) and depth_at_most([[{"a": [1]}]], 4)
