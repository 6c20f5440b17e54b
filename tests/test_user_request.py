from traceclio_core.model import Span, SpanKind
from traceclio_offline.user_request import (
    amounts,
    broken_limit,
    follow_up_actions,
    forbidden_actions,
    limits,
    month_days,
    shifted_value,
)


def call(name: str, arguments: str) -> Span:
    return Span(span_id=name, name=name, kind=SpanKind.TOOL, start_ns=0, end_ns=1, tool_name=name,
                tool_arguments=arguments)


def test_dates_are_read_in_iso_and_written_forms():
    assert month_days("by March 9th, or 2026-03-10, or 11 March") == {(3, 9), (3, 10), (3, 11)}
    assert month_days("order 2026 of 12 items") == set()


def test_amounts_and_limits_are_read_with_currency_and_thousands():
    assert amounts("charged $1,360.92 and 120 euros") == {1360.92, 120.0}
    assert limits("Book a flight under €835.53, budget is strictly under $900") == {835.53, 900.0}
    assert limits("the flight costs $900") == set()


def test_a_call_past_the_users_limit_breaks_it_and_one_within_does_not():
    request = "Find me a room, keep it under $200."
    assert broken_limit(request, [call("book_room", '{"price": "$245.00"}')])
    assert broken_limit(request, [call("book_room", '{"amount": 245}')])
    assert not broken_limit(request, [call("book_room", '{"price": "$199.00", "max_price": "$200"}')])
    assert not broken_limit("Book a room.", [call("book_room", '{"price": "$245.00"}')])


def test_what_the_user_forbids_is_grouped_by_the_kind_of_action():
    assert forbidden_actions("Please do NOT email or notify anyone.") == {"contact"}
    assert forbidden_actions("Jo must not be contacted yet.") == {"contact"}
    assert forbidden_actions("Don't delete the old branch") == {"delete"}
    assert forbidden_actions("Send the report to Jo.") == set()
    # A bare "no" forbids the action right after it, not a thing that is missing.
    assert forbidden_actions("No refund over $50, and no emails please.") == {"cancel", "contact"}
    assert forbidden_actions("Ticket IT-1: still no shared mailbox after 3 days. Please escalate.") == set()


def test_an_extra_step_after_also_is_a_follow_up_action():
    assert follow_up_actions("Refund order 12. Also, email me a confirmation.") == {"contact"}
    assert follow_up_actions("Refund order 12.") == set()


def test_confirming_the_users_date_while_the_call_used_another_is_a_shifted_value():
    request, answer = "Book it for April 26.", "Booked for April 26."
    assert shifted_value(request, answer, [call("book", '{"slot": "2026-04-27T10:15"}')])
    assert not shifted_value(request, answer, [call("book", '{"slot": "2026-04-26T10:15"}')])
    assert shifted_value("Refund $12.50.", "Refunded $12.50.", [call("refund", '{"amount": "$1250"}')])
    assert not shifted_value("Refund $12.50.", "Refunded $12.50.", [call("refund", '{"amount": "$12.50"}')])


def test_the_last_dated_call_decides_and_an_unrecorded_request_leaves_the_answers_dates():
    booked = "Booked the trip to Lisbon on December 18."
    searches = [call("search_flights", '{"date": "2026-12-18"}'), call("search_flights", '{"date": "2026-12-19"}')]
    assert shifted_value("Lisbon on December 18, please.", booked, searches)
    assert not shifted_value("Lisbon on December 18, please.", booked, searches[::-1])
    assert shifted_value("", booked, searches[1:])
    assert not shifted_value("Book me the earliest flight to Lisbon.", booked, searches[1:])
