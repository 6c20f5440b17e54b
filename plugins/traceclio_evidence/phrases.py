"""How evidence reads on the clustering axis: short phrases in general terms, each weighted.

Deviations (an error left unrecovered, a claim no call backs, a value from nowhere, a span far off its
peers) weigh more than the shape of the work (how many calls, what form the answer took), so a rare
deviation is not absorbed by a frequent healthy shape. No phrase names a behaviour.
"""

from __future__ import annotations

from traceclio_core.facets import FacetRow, Phrase

DEVIATION = 2.0
SHAPE = 1.0
DETAIL = 0.5  # attribute-like evidence (which error message): useful to tell clusters apart, not to form them
SCAFFOLD = 0.3
# A span ten times its peers' median that still took under this is clock noise (a 1 ms call against 0.05 ms).
NOTICEABLE_MS = 100.0  # how a framework wraps every run (a planner and an executor): true, but rarely the behaviour


def _count(n: int, one: str, few: str, many: str, many_from: int = 5) -> str:
    return one if n == 1 else few if n < many_from else many


def _shape(row: FacetRow, ev: dict) -> list[Phrase]:
    calls = row.direct.tool_call_count
    out = [Phrase("no tool calls" if calls == 0 else _count(calls, "one tool call", "a few tool calls",
                                                           "many tool calls"), SHAPE)]
    agents, handoffs = ev.get("agents", 0), ev.get("agent_handoffs", 0)
    if agents > 1 or row.direct.max_recursion_depth > 1:
        out.append(Phrase("work handed to another agent", SCAFFOLD))
    if agents >= 6:
        out.append(Phrase("many agents take part", DEVIATION, True))
    elif handoffs >= 3:
        out.append(Phrase("control passes back and forth between the same agents", DEVIATION, True))
    if ev.get("most_variants_of_one_tool", 0) >= 5:
        # Heavy, but as often a search done right as one gone round in circles: weighty shape, no deviation.
        out.append(Phrase("calls one tool again and again with different arguments", DEVIATION))
    if ev.get("plan_steps", 0) >= 2:
        out.append(Phrase("writes a plan before acting", SHAPE))
        if ev.get("calls_after_plan", 0) + 1 < ev["plan_steps"]:
            out.append(Phrase("fewer calls than the plan has steps", DEVIATION, True))
    if ev.get("repeating_turns", 0) >= 2:
        out.append(Phrase("model turns repeat each other", DEVIATION, True))
        if ev.get("repeating_plans", 0) * 2 >= ev["repeating_turns"]:
            out.append(Phrase("the repeated turns lay out plans", DEVIATION, True))
    elif ev.get("silent_turns", 0) >= 4:
        out.append(Phrase("many model turns without a tool call", SHAPE))
    return out


def _answer(ev: dict) -> list[Phrase]:
    form = ev.get("answer_form", "")
    forms = {"json": "answer is JSON", "stack_trace": "answer is a stack trace", "code": "answer holds code",
             "table": "answer is a table", "list": "answer is a list", "question": "answer is a question",
             "empty": "answer is empty"}
    out = [Phrase(forms.get(form, "answer in prose"),
                  DEVIATION if form in ("json", "stack_trace", "empty", "code") else SHAPE,
                  form in ("json", "stack_trace", "empty"))]
    request, answer = ev.get("request_language", ""), ev.get("answer_language", "")
    if request and answer and request != answer:
        out.append(Phrase("answer in another language than the request", DEVIATION, True))
    if ev.get("answer_cut_off"):
        out.append(Phrase("answer stops mid-sentence", DEVIATION, True))
    if ev.get("answer_declines"):
        out.append(Phrase("answer declines", SHAPE))
    if ev.get("answer_unable"):
        out.append(Phrase("answer says the agent lacks the access or means", SHAPE))
    if ev.get("answer_hedges"):
        out.append(Phrase("answer hedges as if from general knowledge", SHAPE))
    if ev.get("answer_asks_user") and form != "question":
        out.append(Phrase("answer asks the user a question", SHAPE))
    if ev.get("answer_admits_failure"):
        out.append(Phrase("answer says something failed", SHAPE))
    for claim in ev.get("answer_claims", []):
        if claim in ev.get("unbacked_claims", []):
            out.append(Phrase(f"answer claims a {claim} that no tool call made", DEVIATION, True))
        else:
            out.append(Phrase(f"answer reports a {claim}", SHAPE))
    stated, loose = ev.get("answer_values", 0), ev.get("ungrounded_values", 0)
    if loose >= 2 and loose * 2 >= stated:
        out.append(Phrase("answer states values found nowhere in the trace", DEVIATION, True))
        if ev.get("empty_results", 0):
            out.append(Phrase("answer states values although a tool result came back empty", DEVIATION, True))
    elif "tool result" in ev.get("answer_value_sources", []):
        out.append(Phrase("answer values come from tool results", SHAPE))
    if ev.get("misquoted_figures", 0):
        out.append(Phrase("answer quotes a figure a digit off from the one a tool returned", DEVIATION, True))
    if ev.get("swapped_figures"):
        out.append(Phrase("answer pairs each figure with the other call's subject", DEVIATION, True))
    if ev.get("answer_speaker_turns", 0) >= 2:
        out.append(Phrase("the answer goes on with lines labelled as speakers, as a chat would", DEVIATION, True))
    if ev.get("answered_before_tool_finished"):
        out.append(Phrase("the answer was written before a tool call had returned", DEVIATION, True))
    if ev.get("says_human"):
        out.append(Phrase("the answer says the assistant is a person", DEVIATION, True))
    if ev.get("comparisons_reversed", 0):
        out.append(Phrase("the answer's comparison points against its own figures", DEVIATION, True))
    if ev.get("answer_dates_unexplained", 0):
        out.append(Phrase("the answer gives a date the trace neither holds nor works out to", DEVIATION, True))
    elif ev.get("answer_dates_derived", 0):
        out.append(Phrase("the answer works a date out from the trace", SHAPE))
    if ev.get("echoes_instructions"):
        out.append(Phrase("answer copies the instructions", DEVIATION, True))
    return out


def _tools(row: FacetRow, ev: dict) -> list[Phrase]:
    out = []
    if ev.get("unrecovered_errors", 0):
        out.append(Phrase("a tool error is never recovered", DEVIATION, True))
        if not ev.get("failure_told"):
            out.append(Phrase("nothing the agent wrote afterwards mentions the failure", DEVIATION, True))
            # What went unsaid is part of the deviation: an unknown tool kept quiet is not a timeout kept so.
            for kind in row.direct.error_classes[:1]:
                kind = kind.replace("_", " ")
                out.append(Phrase(f"the unmentioned failure is {'an' if kind[:1] in 'aeiou' else 'a'} {kind} error",
                                  SHAPE, True))
            if ev.get("answer_states_current"):
                out.append(Phrase("answer says how things stand now although the lookup failed", DEVIATION, True))
    elif ev.get("recovered_errors", 0):
        out.append(Phrase("tool errors recovered", SHAPE))
    streak = ev.get("failing_streak", 0)
    if streak >= 3:
        pacing = {"none": "with no wait", "steady": "at a fixed interval", "growing": "with growing waits"}
        out.append(Phrase(f"the same call fails again and again {pacing.get(ev.get('retry_pacing', ''), '')}".strip(),
                          DEVIATION, True))
        # What it keeps failing on sets one loop apart from another (wait out a limit, fix the arguments).
        for kind in row.direct.error_classes[:1]:
            out.append(Phrase(f"keeps failing on {kind.replace('_', ' ')} errors", DEVIATION, True))
    for kind in row.direct.error_classes[:2]:
        out.append(Phrase(f"tool errors of kind {kind.replace('_', ' ')}", SHAPE))
    for signature in ev.get("error_signatures", [])[:1]:
        out.append(Phrase(f"error: {signature}", DETAIL))
    if ev.get("identical_results", 0) >= 2 and streak < 3:
        out.append(Phrase("identical calls return identical results", DEVIATION, True))
    if ev.get("empty_results", 0):
        out.append(Phrase("a tool result is empty", SHAPE))
    if ev.get("destructive_calls", 0):
        out.append(Phrase("a tool call runs an irreversible destructive command", DEVIATION, True))
    if ev.get("changed_only_tests"):
        out.append(Phrase("the changes touch only test files", DEVIATION, True))
    for where in ev.get("unfilled_placeholders", []):
        out.append(Phrase(f"a template placeholder reached the {where} unfilled", DEVIATION, True))
    if ev.get("capped_results", 0):
        out.append(Phrase("a tool's results stop exactly at the limit its call set", DEVIATION, True))
    if ev.get("request_ids_unused", 0):
        out.append(Phrase("an id the user gave reaches no tool call", DETAIL))
    if ev.get("conflicting_arguments", 0):
        out.append(Phrase("a tool argument differs from a date or figure the user gave", DEVIATION, True))
    if ev.get("unseen_argument_values", 0) and not ev.get("result_fed_arguments", 0):
        out.append(Phrase("tool arguments hold values seen nowhere before", DETAIL))
    if ev.get("partial_failures"):
        out.append(Phrase("some calls of a tool fail while others of it succeed", DEVIATION, True))
    if ev.get("alternations", 0) >= 3:
        out.append(Phrase("calls alternate back and forth between two actions", DEVIATION, True))
    if ev.get("instructions_in_results"):
        out.append(Phrase("a tool result holds instructions to the assistant", DEVIATION, True))
        if ev.get("new_tool_after_instructions"):
            out.append(Phrase("a new tool runs after those instructions", DEVIATION, True))
        if ev.get("instructions_told"):
            out.append(Phrase("the answer points out the instructions a tool result held", SHAPE))
        else:
            out.append(Phrase("the answer says nothing of the instructions a tool result held", DEVIATION, True))
    for flow in ev.get("sensitive_flows", []):
        kind, _, target = flow.partition("→")
        if target == "change":
            out.append(Phrase("a person's details from a tool result are used in a change", SHAPE))
            continue
        where = "the answer" if target == "answer" else "another tool's arguments"
        what = "a person's details" if kind == "personal" else f"{kind.replace('_', ' ')} data"
        out.append(Phrase(f"{what} from a tool result reach{'' if kind == 'personal' else 'es'} {where}", DEVIATION, True))
    if ev.get("served_by_other_model", 0):
        out.append(Phrase("calls are answered by another model than the one asked for", DEVIATION, True))
    elif ev.get("model_switches", 0):
        out.append(Phrase("the answering model changes mid-run", SHAPE))
    if ev.get("repeated_changes", 0):
        out.append(Phrase("a call that changes something runs twice with the same arguments", DEVIATION, True))
    if ev.get("subagent_problem_unsaid"):
        out.append(Phrase("a sub-agent reported a problem the answer does not mention", DEVIATION, True))
    if ev.get("subagent_cut_off"):
        out.append(Phrase("a sub-agent's output stops mid-sentence", DEVIATION, True))
    if ev.get("ended_in_error"):
        out.append(Phrase("the run ends in an error", DEVIATION, True))
    return out


def _consistency(ev: dict) -> list[Phrase]:
    """What later steps did with what earlier ones said (traceclio_evidence.consistency). Resources left
    unreleased and usual steps left out (`left_unreleased`, `missing_sequels`) stay columns only: on the
    axis they split healthy work by incidental tool order more often than they found a failure."""
    out = []
    if ev.get("unexplained_figures", 0):
        out.append(Phrase("answer states a figure the results neither hold nor add up to", SHAPE, True))
    elif ev.get("derived_figures", 0):
        out.append(Phrase("answer works a figure out from the results", SHAPE))
    if ev.get("empty_fields_filled", 0):
        out.append(Phrase("answer gives a value for a field a result left empty", DEVIATION, True))
    elif ev.get("empty_fields_told", 0):
        out.append(Phrase("answer says a field has no value", SHAPE))
    elif ev.get("empty_fields", 0):
        out.append(Phrase("a result leaves fields empty", DETAIL))
    if ev.get("chosen_from_several", 0) >= 2:
        out.append(Phrase("acts on one of several records a result listed" if ev.get("chose_without_asking")
                          else "asks the user which of several records to act on", SHAPE))
        if ev.get("better_match_passed_over"):
            out.append(Phrase("acts on a record that matches the request less well than another", DEVIATION, True))
    if ev.get("acted_against_request", 0):
        out.append(Phrase("a change acts on a record that lacks what the request asked for", DEVIATION, True))
    elif ev.get("acted_on_negative", 0):
        out.append(Phrase("a change acts on a record a result marked unavailable or false", DEVIATION, True))
    if ev.get("most_changes_of_one_tool", 0) >= 3:
        out.append(Phrase("makes several changes with one tool", SHAPE))
    if ev.get("revised_without_new_data"):
        out.append(Phrase("the answer gives way when the user disputes it, with no new data behind the change", DEVIATION, True))
    elif ev.get("answer_held"):
        out.append(Phrase("the answer holds when the user disputes it", SHAPE))
    elif ev.get("user_disputes"):
        out.append(Phrase("the user disputes an answer", SHAPE))
    if ev.get("answer_call_text"):
        out.append(Phrase("the answer holds a tool call written out as text", DEVIATION, True))
    if ev.get("unit_figures_misread", 0):
        out.append(Phrase("answer writes a figure in another unit than its field's, unconverted", DEVIATION, True))
    elif ev.get("unit_figures_faithful", 0):
        out.append(Phrase("answer gives figures in the unit their fields name, or converted right", SHAPE))
    return out


def _request(row: FacetRow, ev: dict) -> list[Phrase]:
    """What the user asked against what was done (traceclio_evidence.request). Changes of a kind no user
    turn names (`unrequested_changes`) stay a column: agents make side changes nobody need name (a note,
    a notification), and on the axis they split healthy work."""
    out = []
    if ev.get("request_asks", 0) >= 2:
        out.append(Phrase("the request asks several things", SCAFFOLD))
        if ev.get("asks_unanswered", 0):
            out.append(Phrase("one of the things the request asks goes unaddressed", DEVIATION, True))
    correction = ev.get("user_correction", "")
    if correction == "ignored":
        out.append(Phrase("a value the user corrected is still used afterwards", DEVIATION, True))
    elif correction == "applied":
        out.append(Phrase("the user corrects a value and the agent uses the new one", SHAPE))
    if ev.get("form_asked"):
        if ev.get("form_kept"):
            out.append(Phrase("the answer takes the form the request or the instructions ask for", DETAIL))
        else:
            out.append(Phrase("the answer does not take the form the request or the instructions ask for",
                              DEVIATION, True))
    if ev.get("limits_crossed", 0):
        out.append(Phrase("a change goes past a limit the request or the instructions set", DEVIATION, True))
    elif ev.get("limits_kept", 0):
        out.append(Phrase("a change keeps within a limit the request set", DETAIL))
    if ev.get("asks_again", 0):
        out.append(Phrase("the answer asks the user for a value they already gave", DEVIATION, True))
    if ev.get("answer_redirects"):
        out.append(Phrase("the answer sends the user elsewhere" + (" without a tool call"
                                                                   if row.direct.tool_call_count == 0 else ""),
                          SHAPE))
    return out


def _results(ev: dict) -> list[Phrase]:
    """What results said of themselves and what the steps after them did (traceclio_evidence.results).
    Where the steps after heeded it, it is a detail of the work, not a kind of trace: more pages read is
    a light phrase, and work under way that was waited for or told (`unfinished_results`,
    `unfinished_left`) and values or limits not handed on (`dropped_in_handoff`) stay columns: on the
    axis they fired on healthy work (a status read as "processing" and told so; a sub-agent handed a
    paraphrase of the request) and cost our own generator's 1,000-trace gate a leaf (delegated work)."""
    out = []
    if ev.get("unfinished_untold"):
        out.append(Phrase("a result says the work is still under way, nothing later says it finished, and the "
                          "answer does not say so", DEVIATION, True))
    if ev.get("more_left_unread", 0):
        out.append(Phrase("a result says there is more to read and no later call reads it", DEVIATION, True))
    elif ev.get("more_to_read", 0):
        out.append(Phrase("reads on where a result says there is more", DETAIL))
    hours = ev.get("oldest_data_hours", 0.0)
    if hours >= 1:
        age = "a day or more" if hours >= 24 else "hours"
        if ev.get("answer_states_current"):
            out.append(Phrase(f"answer says how things stand now from data {age} old", DEVIATION, True))
        else:
            out.append(Phrase(f"a result's data is {age} old", DETAIL))
    if ev.get("switched_on_after_failure", 0):
        out.append(Phrase("a failed call is made again with a switch turned on", DEVIATION, True))
    return out


_QUALIFIED = {"estimate": "an estimate", "provisional": "provisional", "simulated": "a simulation (a dry run or "
              "preview)", "partial": "partial", "uncertain": "uncertain (low confidence)"}


def _qualifiers(ev: dict) -> list[Phrase]:
    """What results said of their own content and whether the answer kept it (traceclio_evidence.qualifiers).
    A figure the answer matches to its field is the common case and says nothing (`field_figures_matched`,
    `user_figures_sent` stay columns)."""
    out = []
    if ev.get("result_notes_unmentioned", 0):
        out.append(Phrase("a note or warning a result gave goes unmentioned in the answer", DEVIATION, True))
    elif ev.get("result_notes", 0):
        out.append(Phrase("the answer passes on a note or warning a result gave", DETAIL))
    if ev.get("cautions_unreflected", 0):
        out.append(Phrase("a result's cautionary word (expired, unavailable, exceeds …) leaves no sign in the answer",
                          DEVIATION, True))
    elif ev.get("result_cautions", 0):
        out.append(Phrase("the answer reflects a result's cautionary word", DETAIL))
    dropped = ev.get("qualifiers_dropped", [])
    for kind in dropped:
        out.append(Phrase(f"a result calls its content {_QUALIFIED.get(kind, kind)} and the answer does not say so",
                          DEVIATION, True))
    if ev.get("result_qualifiers") and not dropped:
        out.append(Phrase("the answer keeps what a result says of its own content", DETAIL))
    if ev.get("facts_contradicted", 0):
        out.append(Phrase("the answer states the opposite of a status a result gave", DEVIATION, True))
    if ev.get("field_figures_other_record", 0):
        out.append(Phrase("the answer gives one record the figure another record holds", DEVIATION, True))
    elif ev.get("field_figures_differ", 0):
        out.append(Phrase("the answer gives a field a figure that no result holds", DEVIATION, True))
    if ev.get("user_figures_changed", 0):
        out.append(Phrase("a call sends another figure than the one the user gave for it", DEVIATION, True))
    if ev.get("requirements_unmet", 0):
        out.append(Phrase("a change is made although a result said a step was required first and no call took it",
                          DEVIATION, True))
    elif ev.get("requirements_met", 0):
        out.append(Phrase("a step a result said was required is taken first", DETAIL))
    if ev.get("results_disagree", 0):
        if ev.get("disagreement_told"):
            out.append(Phrase("the answer says two results disagree", SHAPE))
        else:
            out.append(Phrase("two results disagree on a field and the answer does not say so",
                              DEVIATION, True))
    return out


def _mismatch(ev: dict) -> list[Phrase]:
    """Where a result is about something else than was asked, or the answer retells it otherwise
    (traceclio_evidence.mismatch)."""
    out = []
    if ev.get("other_subject_results", 0):
        out.append(Phrase("a result is about another subject than the one its call asked for", DEVIATION, True))
    if ev.get("currency_changed", 0):
        out.append(Phrase("the answer gives a figure in another currency than its result, unconverted", DEVIATION,
                          True))
    if ev.get("failed_items_untold"):
        out.append(Phrase("a result reports failed items and the answer says nothing failed", DEVIATION, True))
    elif ev.get("failed_items", 0):
        out.append(Phrase("the answer tells of items a result reports failed", SHAPE))
    if ev.get("internal_fields_told", 0):
        out.append(Phrase("the answer repeats a field a result marks as internal", DEVIATION, True))
    if ev.get("acted_before_reply", 0):
        out.append(Phrase("a change is made after asking the user and before the user answered", DEVIATION, True))
    if ev.get("signs_dropped", 0):
        out.append(Phrase("the answer writes a negative figure of a result as if it were positive", DEVIATION, True))
    if ev.get("scoped_empty_as_none", 0):
        out.append(Phrase("an empty result of a search the agent narrowed is told as none at all", DEVIATION, True))
    elif ev.get("scoped_empty_told", 0):
        out.append(Phrase("the answer tells an empty result with the scope of its search", SHAPE))
    if ev.get("asks_for_secret"):
        out.append(Phrase("the answer asks the user to send a password or a code", DEVIATION, True))
    if ev.get("checked_elsewhere", 0):
        out.append(Phrase("a change is checked on something other than what it changed", DEVIATION, True))
    if ev.get("past_dated_changes", 0):
        out.append(Phrase("a change is dated before the day the trace says it is", DEVIATION, True))
    return out


def _relative(ev: dict) -> list[Phrase]:
    out = []
    if ev.get("slow_span_ratio", 0) >= 10 and ev.get("slowest_span_ms", 0) >= NOTICEABLE_MS:
        out.append(Phrase("a span takes far longer than the same tool or model elsewhere", DEVIATION, True))
    if ev.get("token_span_ratio", 0) >= 5:
        out.append(Phrase("a model call uses far more tokens than the same model elsewhere", DEVIATION, True))
    if ev.get("result_size_ratio", 0) >= 5:
        out.append(Phrase("a tool returns far more data than it usually does", DEVIATION, True))
    return out


def evidence_phrases(row: FacetRow) -> list[Phrase]:
    ev = row.facets
    if "answer_form" not in ev:
        return []
    return (_shape(row, ev) + _answer(ev) + _tools(row, ev) + _consistency(ev) + _request(row, ev) + _results(ev)
            + _qualifiers(ev) + _mismatch(ev)
            + _relative(ev))
