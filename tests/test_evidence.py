"""Evidence facets: what a trace shows, read in general terms (plugins/traceclio_evidence)."""

import json

from test_direct_facets import to_trace

from builders import AgentRun
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_evidence import errors, text
from traceclio_evidence.evidence import compute_evidence
from traceclio_evidence.phrases import evidence_phrases
from traceclio_evidence.relative import PEERS, run_relative
from traceclio_structure.values import values


def evidence_of(run: AgentRun):
    return compute_evidence(to_trace(run))


def phrases_of(run: AgentRun) -> list[str]:
    trace = to_trace(run)
    row = FacetRow(trace_id=trace.trace_id, tenant=None, content_hash="x", extractor_version="v",
                   direct=DirectFacets(tool_call_count=len(trace.tool_spans)), model=ModelFacets(),
                   facets=compute_evidence(trace).model_dump())
    return [p.text for p in evidence_phrases(row)]


def test_an_answer_in_another_language_than_the_request_is_seen():
    run = AgentRun("lang", user="Bonjour, pouvez-vous me dire où en est ma commande numéro quatre s'il vous plaît ?")
    run.tool("lookup_order", {"id": "A-4471"}, result='{"status": "shipped"}')
    run.answer("Your order has shipped and should arrive within two days, thank you for waiting.")
    ev = evidence_of(run)
    assert (ev.request_language, ev.answer_language) == ("fr", "en")
    assert "answer in another language than the request" in phrases_of(run)
    same = AgentRun("lang-same", user="Please tell me where my order number four is right now, thanks a lot.")
    same.tool("lookup_order", {"id": "A-4471"}, result='{"status": "shipped"}')
    same.answer("Your order has shipped and should arrive within two days, thank you for waiting.")
    assert "answer in another language than the request" not in phrases_of(same)


def test_values_the_answer_states_are_traced_to_where_they_came_from():
    grounded = AgentRun("grounded", user="What is the balance on account 88213?")
    grounded.tool("get_balance", {"account": "88213"}, result='{"balance": 1204.50, "currency": "EUR"}')
    grounded.answer("The balance of account 88213 is 1,204.50 EUR.")
    ev = evidence_of(grounded)
    assert ev.ungrounded_values == 0 and set(ev.answer_value_sources) == {"tool result", "request"}
    invented = AgentRun("invented", user="What is the balance on account 88213?")
    invented.tool("get_balance", {"account": "88213"}, result='{"balance": 1204.50, "currency": "EUR"}')
    invented.answer("The balance is 9,870.25 EUR, with 3,112.40 pending since 2026-02-11.")
    ev = evidence_of(invented)
    assert ev.ungrounded_values == 3
    assert "answer states values found nowhere in the trace" in phrases_of(invented)


def test_a_claimed_change_that_no_write_call_made_is_unbacked():
    claimed = AgentRun("claimed", user="Cancel my booking please.")
    claimed.tool("get_booking", {"id": "BK-221"}, result='{"status": "active"}')
    claimed.answer("I have cancelled booking BK-221 for you.")
    assert evidence_of(claimed).unbacked_claims == ["change"]
    done = AgentRun("done", user="Cancel my booking please.")
    done.tool("get_booking", {"id": "BK-221"}, result='{"status": "active"}')
    done.tool("cancel_booking", {"id": "BK-221"}, result='{"status": "cancelled"}')
    done.answer("I have cancelled booking BK-221 for you.")
    ev = evidence_of(done)
    assert ev.answer_claims == ["change"] and ev.unbacked_claims == []


def test_personal_data_a_tool_returned_that_reaches_another_tool_is_a_flow():
    run = AgentRun("flow", user="Find reviews of the blender I bought.")
    run.tool("get_customer", {"id": "C-19"}, result='{"name": "Ana", "email": "ana.ruiz@example.org"}')
    run.tool("web_search", {"q": "blender reviews ana.ruiz@example.org"}, result="[]")
    run.answer("I could not find reviews.")
    ev = evidence_of(run)
    assert "email→tool" in ev.sensitive_flows
    clean = AgentRun("no-flow", user="Find reviews of the blender I bought.")
    clean.tool("get_customer", {"id": "C-19"}, result='{"name": "Ana", "email": "ana.ruiz@example.org"}')
    clean.tool("web_search", {"q": "blender reviews"}, result="[]")
    clean.answer("I could not find reviews.")
    assert evidence_of(clean).sensitive_flows == []


def test_error_messages_lose_what_varies_between_occurrences():
    a = errors.signature("Order ORD-88213 not found at /v1/orders/ORD-88213 (took 12ms)")
    b = errors.signature("Order ORD-10007 not found at /v1/orders/ORD-10007 (took 340ms)")
    assert a == b == "order <id> not found at <path> (took <n>ms)"


def test_a_tool_argument_date_that_is_not_the_users_date_conflicts():
    run = AgentRun("date", user="Book the annual physical for March 19, please.")
    run.tool("book_slot", {"service": "annual physical", "date": "2026-03-20"}, result='{"ok": true}')
    run.answer("Booked for March 19.")
    assert evidence_of(run).conflicting_arguments == 1
    right = AgentRun("date-ok", user="Book the annual physical for March 19, please.")
    right.tool("book_slot", {"service": "annual physical", "date": "2026-03-19"}, result='{"ok": true}')
    right.answer("Booked for March 19.")
    assert evidence_of(right).conflicting_arguments == 0


def test_the_form_of_an_answer_is_read_from_its_text():
    assert text.answer_form('{"status": "ok", "rows": [1, 2]}') == "json"
    assert text.answer_form('Traceback (most recent call last):\n  File "a.py", line 3\nKeyError: x') == "stack_trace"
    assert text.answer_form("Which of your two accounts do you mean?") == "question"
    assert text.answer_form("It shipped yesterday.") == "prose"
    assert values("due March 19 or 2026-03-19").dates == frozenset({"03-19"})


def test_a_failure_told_in_a_later_turn_is_told_even_if_the_last_answer_moves_on():
    run = AgentRun("told", user="Change my flight.")
    run.tool("update_flight", {"id": "F1"}, error="Error: not enough seats on flight HAT229")
    run.llm("Unfortunately that flight is full. Would you like another one?")
    run.answer("Thank you, have a good day.")
    ev = evidence_of(run)
    assert ev.unrecovered_errors == 1 and ev.failure_told
    silent = AgentRun("silent", user="Change my flight.")
    silent.tool("update_flight", {"id": "F1"}, error="Error: not enough seats on flight HAT229")
    silent.answer("Your flight has been changed.")
    assert "nothing the agent wrote afterwards mentions the failure" in phrases_of(silent)


def test_a_span_is_slow_against_the_same_tools_spans_elsewhere_in_the_run():
    def row(name: str, ms: float) -> FacetRow:
        return FacetRow(trace_id=name, tenant=None, content_hash=name, extractor_version="v", direct=DirectFacets(),
                        model=ModelFacets(), facets={"span_keys": ["tool:search", "llm:m"], "span_ms": [ms, 900.0],
                                                     "span_tokens": [0, 500]})
    rows = [row(f"t{i}", 100.0 + i) for i in range(PEERS)] + [row("slow", 4000.0)]
    ratios = run_relative(rows)
    assert ratios["slow"]["slow_span_ratio"] >= 30
    assert ratios["t0"]["slow_span_ratio"] < 2
    # Fewer peers than PEERS: the usual cost is not known, so nothing is slow.
    assert run_relative(rows[-3:])["slow"]["slow_span_ratio"] == 0


def test_a_figure_one_digit_off_the_returned_one_is_a_misquote_not_an_invention():
    run = AgentRun("misquote", user="How much was refunded?")
    run.tool("get_refund", {"id": "R-1"}, result='{"amount": 1834.50}')
    run.answer("You were refunded 1384.50 yesterday.")
    assert evidence_of(run).misquoted_figures == 1
    exact = AgentRun("exact", user="How much was refunded?")
    exact.tool("get_refund", {"id": "R-1"}, result='{"amount": 1834.50}')
    exact.answer("You were refunded 1834.50 yesterday.")
    assert evidence_of(exact).misquoted_figures == 0


def test_figures_written_beside_the_other_calls_subject_are_swapped():
    run = AgentRun("swap", user="Compare the rent in Lyon and Porto.")
    run.tool("get_rent", {"city": "Lyon"}, result='{"median": 1210}')
    run.tool("get_rent", {"city": "Porto"}, result='{"median": 985}')
    run.answer("Median rent in Lyon is 985 a month, while Porto comes in at 1210.")
    assert evidence_of(run).swapped_figures
    right = AgentRun("no-swap", user="Compare the rent in Lyon and Porto.")
    right.tool("get_rent", {"city": "Lyon"}, result='{"median": 1210}')
    right.tool("get_rent", {"city": "Porto"}, result='{"median": 985}')
    right.answer("Median rent in Lyon is 1210 a month, while Porto comes in at 985.")
    assert not evidence_of(right).swapped_figures


def test_a_persons_details_from_one_tool_sent_to_another_are_a_flow_by_their_field_names():
    run = AgentRun("person", user="Is there a recall on the drug my patient takes?")
    run.tool("get_patient", {"id": "P-7"}, result='{"full_name": "Jon Baker", "drug": "lisinopril"}')
    run.tool("web_search", {"q": "Jon Baker lisinopril recall"}, result="[]")
    run.answer("No recall found.")
    assert "personal→tool" in evidence_of(run).sensitive_flows


def test_a_change_made_twice_with_the_same_arguments_is_counted():
    run = AgentRun("twice", user="Refund order 77.")
    run.tool("issue_refund", {"order": "77", "amount": 20}, result='{"refund_id": "RF-1"}')
    run.tool("issue_refund", {"order": "77", "amount": 20}, result='{"refund_id": "RF-2"}')
    run.answer("Refunded.")
    assert evidence_of(run).repeated_changes == 1


def test_a_persons_details_used_in_a_change_made_for_them_are_no_leak():
    run = AgentRun("booking", user="Book the flight for me, my user id is mia_7.")
    run.tool("get_user_details", {"user_id": "mia_7"}, result='{"first_name": "Mia", "last_name": "Lindqvist"}')
    run.tool("book_reservation", {"passengers": [{"first_name": "Mia", "last_name": "Lindqvist"}]},
             result='{"reservation_id": "HAT1"}')
    run.answer("Booked.")
    flows = evidence_of(run).sensitive_flows
    assert "personal→change" in flows and "personal→tool" not in flows


def test_general_shapes_of_a_risky_call_are_read_from_its_arguments():
    from traceclio_evidence import actions

    assert actions.destructive('{"cmd": "git reset --hard origin/main"}')
    assert actions.destructive('{"sql": "DELETE FROM orders;"}') and not actions.destructive(
        '{"sql": "DELETE FROM orders WHERE id = 4;"}')
    assert actions.placeholders("Answer the question: {question}") and actions.placeholders("Hi {{ student_id }}")
    assert not actions.placeholders('{"question": "what is 2+2"}')
    assert actions.only_tests(["tests/test_parser.py"]) and not actions.only_tests(["src/parser.py", "tests/t.py"])
    assert actions.capped('{"sql": "SELECT * FROM t LIMIT 100"}', json.dumps({"rows": list(range(100))}))
    assert not actions.capped('{"sql": "SELECT * FROM t LIMIT 100"}', json.dumps({"rows": list(range(7))}))
    assert actions.speaker_turns("Here you go.\nUser: thanks!\nAssistant: anytime.") == 2


def test_an_answer_written_before_its_tool_returned_is_seen():
    run = AgentRun("early", user="How many rows match?")
    run.tool("run_report", {"q": "x"}, result="[]", ms=100)
    run.answer("No rows matched.")
    trace = to_trace(run)
    tool = next(s for s in trace.spans if s.tool_name == "run_report")
    stretched = trace.model_copy(update={"spans": tuple(
        s.model_copy(update={"end_ns": s.end_ns + 10**10}) if s is tool else s for s in trace.spans)})
    assert compute_evidence(stretched).answered_before_tool_finished
    assert not compute_evidence(trace).answered_before_tool_finished


def test_a_huge_answer_is_read_only_within_its_bounds():
    # A 256 KiB dump pasted as an answer is read within fixed windows, so no pattern can crawl over it:
    # a claim past the head and a question before the tail are not seen.
    filler = "word " * (text.HEAD_CHARS // 5 + 10)
    assert text.claims("I have booked it. " + filler) == {"change"}
    assert text.claims(filler + "I have booked it.") == set()
    assert text.asks_user("Could you confirm? " + filler + "Done.") is False
    assert text.asks_user(filler + " Could you confirm the date?") is True


def test_a_long_run_of_word_characters_is_read_as_no_value():
    # An unbounded email or id pattern backtracks quadratically over a 256 KiB run of letters.
    from traceclio_structure.values import values

    run = "a" * 262_144
    assert values(run).all() == frozenset() and values(run + "@example.com").emails == frozenset()
    assert values("write to ana.ruiz@example.org").emails == frozenset({"ana.ruiz@example.org"})


# -- what later steps do with what earlier ones said (traceclio_evidence.consistency) --------------------

def test_a_total_the_results_add_up_to_is_derived_and_one_they_do_not_is_unexplained():
    items = json.dumps({"items": [{"sku": "A-1", "price": 19.99}, {"sku": "B-2", "price": 45.50},
                                  {"sku": "C-3", "price": 12.25}]})
    right = AgentRun("sum-right", user="What does my cart come to?")
    right.tool("get_cart", {"cart": "c-81"}, result=items)
    right.answer("Your three items come to 77.74 in total.")
    ev = evidence_of(right)
    assert (ev.derived_figures, ev.unexplained_figures) == (1, 0)
    assert "answer works a figure out from the results" in phrases_of(right)
    wrong = AgentRun("sum-wrong", user="What does my cart come to?")
    wrong.tool("get_cart", {"cart": "c-81"}, result=items)
    wrong.answer("Your three items come to 81.24 in total.")
    ev = evidence_of(wrong)
    assert (ev.derived_figures, ev.unexplained_figures) == (0, 1)
    assert "answer states a figure the results neither hold nor add up to" in phrases_of(wrong)


def test_a_value_given_for_a_field_the_result_left_empty_is_seen():
    result = json.dumps({"account": "AC-7781", "credit_limit": None, "balance": 310.0})
    filled = AgentRun("null-filled", user="What is my credit limit?")
    filled.tool("get_account", {"id": "AC-7781"}, result=result)
    filled.answer("Your balance is 310 and your credit limit is 0.")
    ev = evidence_of(filled)
    assert (ev.empty_fields, ev.empty_fields_filled, ev.empty_fields_told) == (1, 1, 0)
    assert "answer gives a value for a field a result left empty" in phrases_of(filled)
    told = AgentRun("null-told", user="What is my credit limit?")
    told.tool("get_account", {"id": "AC-7781"}, result=result)
    told.answer("Your balance is 310; your credit limit is not recorded on the account yet.")
    ev = evidence_of(told)
    assert (ev.empty_fields_filled, ev.empty_fields_told) == (0, 1)


def test_acting_on_one_of_several_records_and_on_the_one_that_matches_the_request_less_well():
    matches = json.dumps({"contacts": [{"id": "c-101", "name": "Dana Whitfield", "team": "sales"},
                                       {"id": "c-102", "name": "Dana Whitman", "team": "support"}]})
    run = AgentRun("pick", user="Send the contract to Dana Whitman in support.")
    run.tool("find_contact", {"query": "Dana"}, result=matches)
    run.tool("send_document", {"contact_id": "c-101", "doc": "contract"}, result='{"sent": true}')
    run.answer("I sent the contract to Dana.")
    ev = evidence_of(run)
    assert ev.chosen_from_several == 2 and ev.chose_without_asking and ev.better_match_passed_over
    texts = phrases_of(run)
    assert "acts on a record that matches the request less well than another" in texts
    right = AgentRun("pick-right", user="Send the contract to Dana Whitman in support.")
    right.tool("find_contact", {"query": "Dana"}, result=matches)
    right.tool("send_document", {"contact_id": "c-102", "doc": "contract"}, result='{"sent": true}')
    right.answer("I sent the contract to Dana Whitman.")
    ev = evidence_of(right)
    assert ev.chosen_from_several == 2 and not ev.better_match_passed_over


def test_a_change_on_a_record_a_result_marked_unavailable_is_seen():
    slots = json.dumps({"slots": [{"start": "2026-03-04T10:00", "available": False},
                                  {"start": "2026-03-04T11:00", "available": True}]})
    busy = AgentRun("busy", user="Book me a meeting room on the 4th.")
    busy.tool("list_slots", {"day": "2026-03-04"}, result=slots)
    busy.tool("book_slot", {"start": "2026-03-04T10:00"}, result='{"booking": "BK-1"}')
    busy.answer("Booked for 10:00 on the 4th.")
    assert evidence_of(busy).acted_on_negative == 1
    assert "a change acts on a record a result marked unavailable or false" in phrases_of(busy)
    free = AgentRun("free", user="Book me a meeting room on the 4th.")
    free.tool("list_slots", {"day": "2026-03-04"}, result=slots)
    free.tool("book_slot", {"start": "2026-03-04T11:00"}, result='{"booking": "BK-1"}')
    free.answer("Booked for 11:00 on the 4th.")
    assert evidence_of(free).acted_on_negative == 0


def test_something_started_and_never_stopped_is_seen():
    left = AgentRun("left", user="Run the load test against staging.")
    left.tool("start_instance", {"size": "large"}, result='{"instance_id": "i-93ab11"}')
    left.tool("run_load_test", {"target": "i-93ab11"}, result='{"p95_ms": 412}')
    left.answer("The load test finished: p95 412 ms.")
    ev = evidence_of(left)
    assert (ev.acquired, ev.left_unreleased) == (1, 1)
    tidy = AgentRun("tidy", user="Run the load test against staging.")
    tidy.tool("start_instance", {"size": "large"}, result='{"instance_id": "i-93ab11"}')
    tidy.tool("load_test", {"target": "i-93ab11"}, result='{"p95_ms": 412}')
    tidy.tool("stop_instance", {"instance_id": "i-93ab11"}, result='{"stopped": true}')
    tidy.answer("The load test finished: p95 412 ms; the instance is stopped.")
    ev = evidence_of(tidy)
    assert (ev.acquired, ev.left_unreleased) == (1, 0)


def test_an_answer_that_gives_way_to_a_dispute_with_no_new_call_is_seen():
    caves = AgentRun("caves", user="Is order 5521 eligible for a refund?")
    caves.tool("get_order", {"id": "5521"}, result='{"delivered": "2026-01-02", "refund_window_days": 30}')
    caves.llm("No, order 5521 is not eligible: the 30-day window closed.")
    caves.user_says("Are you sure? I was told I could still get one.")
    caves.answer("You're right, order 5521 is eligible for a refund.")
    ev = evidence_of(caves)
    assert ev.user_disputes and ev.revised_without_new_data and not ev.answer_held
    assert "the answer gives way when the user disputes it, with no new data behind the change" in phrases_of(caves)
    holds = AgentRun("holds", user="Is order 5521 eligible for a refund?")
    holds.tool("get_order", {"id": "5521"}, result='{"delivered": "2026-01-02", "refund_window_days": 30}')
    holds.llm("No, order 5521 is not eligible: the 30-day window closed.")
    holds.user_says("Are you sure? I was told I could still get one.")
    holds.answer("I checked again: order 5521 is not eligible, the 30-day window closed.")
    ev = evidence_of(holds)
    assert ev.user_disputes and ev.answer_held and not ev.revised_without_new_data
    # A call after the dispute whose result does not hold the answer's new figure does not bear it out.
    rechecked = AgentRun("rechecked", user="What is the late fee on invoice 8812?")
    rechecked.tool("get_invoice", {"id": "8812"}, result='{"late_fee": 45.00}')
    rechecked.llm("The late fee on invoice 8812 is 45.00.")
    rechecked.user_says("That's wrong, it should be 25.00.")
    rechecked.tool("get_invoice", {"id": "8812"}, result='{"late_fee": 45.00}')
    rechecked.answer("You're right, the late fee on invoice 8812 is 25.00.")
    assert evidence_of(rechecked).revised_without_new_data
    corrected = AgentRun("corrected", user="What is the late fee on invoice 8812?")
    corrected.tool("get_invoice", {"id": "8812"}, result='{"late_fee": 45.00}')
    corrected.llm("The late fee on invoice 8812 is 45.00.")
    corrected.user_says("That's wrong, it was waived down to 25.00 last week.")
    corrected.tool("get_invoice_history", {"id": "8812"}, result='{"late_fee": 25.00, "waived": 20.00}')
    corrected.answer("You're right: after the waiver the late fee on invoice 8812 is 25.00.")
    ev = evidence_of(corrected)
    assert ev.revised_with_new_data and not ev.revised_without_new_data


def test_a_tool_call_written_out_in_the_answer_is_seen():
    written = AgentRun("as-text", user="Cancel my subscription.")
    written.answer('{"name": "cancel_subscription", "arguments": {"plan": "pro"}}')
    assert evidence_of(written).answer_call_text
    said = AgentRun("as-prose", user="Cancel my subscription.")
    said.tool("cancel_subscription", {"plan": "pro"}, result='{"cancelled": true}')
    said.answer("Your pro subscription is cancelled.")
    assert not evidence_of(said).answer_call_text


def test_a_step_most_runs_take_after_a_tool_and_this_one_leaves_out_is_seen():
    def row(name: str, tools: list[str]) -> FacetRow:
        return FacetRow(trace_id=name, tenant=None, content_hash=name, extractor_version="v", direct=DirectFacets(),
                        model=ModelFacets(), facets={"span_keys": [f"tool:{t}" for t in tools] + ["llm:m"]})
    rows = [row(f"t{i}", ["create_sandbox", "run_job", "delete_sandbox"]) for i in range(PEERS)]
    rows += [row(f"q{i}", ["search"]) for i in range(PEERS)] + [row("left", ["create_sandbox", "run_job"])]
    sequels = run_relative(rows)
    assert sequels["left"]["missing_sequels"] == ["delete_sandbox after create_sandbox", "delete_sandbox after run_job"]
    assert sequels["t0"]["missing_sequels"] == [] and sequels["q0"]["missing_sequels"] == []
    # Too few traces call the tool for its usual sequel to be known.
    assert run_relative(rows[-3:])["left"]["missing_sequels"] == []


def test_a_figure_read_in_the_wrong_unit_is_told_from_one_converted_right():
    result = json.dumps({"endpoint": "/checkout", "p95_latency_ms": 450, "refund_cents": 12900})
    for text, misread in [("p95 is 450 seconds and the refund is $12,900.", 2),
                          ("p95 is 0.45 s (450 ms) and the refund is $129.00.", 0)]:
        run = AgentRun(f"units-{misread}", user="How slow is checkout, and what was refunded?")
        run.tool("get_metrics", {"endpoint": "/checkout"}, result=result)
        run.answer(text)
        ev = evidence_of(run)
        assert ev.unit_figures_misread == misread
        assert ev.unit_figures_faithful == (0 if misread else 3)
        flagged = "answer writes a figure in another unit than its field's, unconverted" in phrases_of(run)
        assert flagged == bool(misread)


def test_a_value_the_user_corrected_and_still_used_is_told_from_one_taken_up_and_from_a_new_request():
    def run(name: str, later: str, booked: str):
        r = AgentRun(name, user="Please book the Lisbon office desk for 2026-04-14.")
        r.llm("Which floor would you like?")
        r.user_says(later)
        r.tool("book_desk", {"date": booked, "site": "lisbon"}, result='{"booking": "DSK-18"}')
        r.answer(f"Your desk in Lisbon is booked for {booked}.")
        return evidence_of(r).user_correction
    assert run("ignored", "Sorry, I meant 2026-04-15, any floor is fine.", "2026-04-14") == "ignored"
    assert run("applied", "Sorry, I meant 2026-04-15, any floor is fine.", "2026-04-15") == "applied"
    # A later turn that brings a new value without correcting anything is an answer, not a correction.
    assert run("answer", "Any floor; and book 2026-04-16 too.", "2026-04-14") == ""


def test_an_error_rate_is_a_metric_not_a_failure_told():
    assert text.admits_failure("The deploy failed on two hosts.")
    assert text.admits_failure("An error stopped the export.")
    assert not text.admits_failure("Release 4.2 is being promoted; the canary error rate is 0.3%, under the budget.")
    assert not text.admits_failure("Error budgets are 80% spent this month.")
