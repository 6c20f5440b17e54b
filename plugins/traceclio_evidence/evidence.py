"""The evidence facets of one trace: what it shows, described in general terms.

Evidence describes; it never decides. Each field says where a value came from, what form a text has,
what ran and how it went, never which behaviour that amounts to. The field descriptions document the
fact table's columns.
"""

from __future__ import annotations


from pydantic import BaseModel, Field

from traceclio_core.model import Span, SpanKind, Trace
from traceclio_evidence import actions, consistency, errors, figures, request as asked_for, sensitive, text, units
from traceclio_evidence import dates, mismatch, qualifiers, requirements, results as said
from traceclio_structure.values import Pool, ValueReader, Values, provenance, values
from traceclio_structure.spans import (
    action_kind,
    canonical_arguments,
    empty_result,
    injected_instruction,
    looks_failed,
    plan_items,
    similarity,
)
from traceclio_structure.retries import tool_outcome
from traceclio_core.json_text import loads_shared

INSTRUCTION_ECHO_WORDS = 12  # a run of this many words shared with the instructions is a copy, not a paraphrase
REPEAT_SIMILARITY = 0.6  # word overlap at which one model turn repeats an earlier one


class Evidence(BaseModel):
    """What a trace shows, in general terms. Computed offline from any trace, with no behaviour names."""

    answer_form: str = Field("", description="Form of the final answer: prose, list, table, json, code, stack_trace, "
                                             "question or empty.")
    answer_words: int = Field(0, description="Words in the final answer.")
    request_language: str = Field("", description="Language of the user's request (ISO 639-1; '' when too short).")
    answer_language: str = Field("", description="Language of the final answer (ISO 639-1; '' when too short).")
    answer_cut_off: bool = Field(False, description="The answer stops mid-sentence or at the output token limit.")
    answer_declines: bool = Field(False, description="The answer says the agent will not or cannot do it.")
    answer_admits_failure: bool = Field(False, description="The answer says something failed or was unavailable.")
    answer_unable: bool = Field(False, description="The answer says the agent lacks the access or the means.")
    answer_asks_user: bool = Field(False, description="The answer puts a question to the user.")
    answer_states_current: bool = Field(False, description="The answer says how things stand right now "
                                                           "(currently, as of today, up to date).")
    answer_hedges: bool = Field(False, description="The answer hedges as one speaking from general knowledge "
                                                   "(usually, typically, as of my knowledge).")
    answer_claims: list[str] = Field(default_factory=list, description="Kinds of work the answer says were done: "
                                                                       "change, lookup, verification.")
    unbacked_claims: list[str] = Field(default_factory=list, description="Claimed kinds of work no successful tool "
                                                                         "call of that kind backs.")
    answer_values: int = Field(0, description="Specific values the answer states (figures, ids, dates, emails, links).")
    ungrounded_values: int = Field(0, description="Of those, values found nowhere else in the trace.")
    misquoted_figures: int = Field(0, description="Answer figures found nowhere in the trace that differ from a "
                                                  "figure a tool returned by one digit or two swapped digits.")
    swapped_figures: bool = Field(False, description="The answer writes the figure one call returned for one "
                                                     "subject beside another call's subject, and the other way round.")
    answer_value_sources: list[str] = Field(default_factory=list, description="Where the answer's values came from: "
                                                                              "tool result, request, instructions.")
    unseen_argument_values: int = Field(0, description="Tool-argument values seen nowhere before the call (not in "
                                                       "the request, the instructions or an earlier result).")
    result_fed_arguments: int = Field(0, description="Tool calls whose arguments carry a value from an earlier "
                                                     "tool's result.")
    conflicting_arguments: int = Field(0, description="Tool-argument dates or figures found nowhere before the call "
                                                      "while the request gives one of the same kind.")
    most_variants_of_one_tool: int = Field(0, description="Most calls of one tool with distinct arguments.")
    sensitive_types: list[str] = Field(default_factory=list, description="Sensitive data types seen anywhere.")
    sensitive_flows: list[str] = Field(default_factory=list, description="Sensitive data a tool returned that then "
                                                                         "reached the answer or another tool's "
                                                                         "arguments, as 'type→answer'/'type→tool' ('personal→change' when a call "
                                                                         "that changes something takes a person's "
                                                                         "details).")
    error_signatures: list[str] = Field(default_factory=list, description="Distinct error messages, with ids, "
                                                                          "numbers and paths stripped.")
    unrecovered_errors: int = Field(0, description="Failed tool calls that no later call made good.")
    failure_told: bool = Field(False, description="Text the agent wrote after the last such failure says "
                                                  "something failed, or that it cannot or will not do it.")
    recovered_errors: int = Field(0, description="Failed tool calls that a later call made good.")
    failing_streak: int = Field(0, description="Most consecutive failures of one identical call.")
    partial_failures: bool = Field(False, description="Some calls of one tool failed for good while others of it "
                                                      "succeeded.")
    alternations: int = Field(0, description="Times the calls switch back to the tool used two calls before "
                                             "(A, B, A, B …), arguments included.")
    retry_pacing: str = Field("", description="Waits between retries of one call: none, steady, growing ('' no retry).")
    identical_results: int = Field(0, description="Calls repeating an earlier call's tool, arguments and result.")
    repeated_changes: int = Field(0, description="Successful calls that change something, repeating an earlier "
                                                 "successful call's tool and arguments.")
    empty_results: int = Field(0, description="Tool results that came back empty.")
    instructions_in_results: bool = Field(False, description="A tool result holds instructions addressed to the "
                                                             "assistant.")
    new_tool_after_instructions: bool = Field(False, description="A tool not used before runs after such a result.")
    models: list[str] = Field(default_factory=list, description="Models that answered the LLM calls.")
    model_switches: int = Field(0, description="Times the answering model changes between consecutive LLM calls.")
    served_by_other_model: int = Field(0, description="LLM calls answered by another model than the one they "
                                                      "asked for.")
    agents: int = Field(0, description="Distinct agents that ran.")
    agent_handoffs: int = Field(0, description="Times control passes from one agent to another.")
    subagent_cut_off: bool = Field(False, description="A sub-agent's output stops mid-sentence.")
    subagent_problem_unsaid: bool = Field(False, description="A sub-agent's output says something failed or "
                                                             "cannot be done, and the final answer says neither.")
    echoes_instructions: bool = Field(False, description="The answer copies a long passage of the instructions.")
    answered_before_tool_finished: bool = Field(False, description="The final answer was written while a tool call "
                                                                   "of the run had not yet returned.")
    unfilled_placeholders: list[str] = Field(default_factory=list, description="Where a template placeholder "
                                                                               "({name}, {{name}}) reached unfilled: "
                                                                               "instructions, arguments, answer.")
    destructive_calls: int = Field(0, description="Tool calls whose arguments run an irreversible command (rm -rf, "
                                                  "git reset --hard, force-push, DROP, TRUNCATE, DELETE without "
                                                  "WHERE).")
    changed_only_tests: bool = Field(False, description="The files the run's changes touched are all test files.")
    capped_results: int = Field(0, description="Tool results holding exactly as many rows as the limit their call "
                                               "set.")
    answer_speaker_turns: int = Field(0, description="Lines of the answer that open with a speaker label (User:, "
                                                     "Assistant:) after its first line.")
    request_ids_unused: int = Field(0, description="Ids the user gave that no tool call or sub-agent received.")
    answer_result_overlap: float = Field(0.0, description="Share of the answer's words that appear in tool results.")
    plan_steps: int = Field(0, description="Steps in the longest plan written before acting.")
    calls_after_plan: int = Field(0, description="Tool calls made after that plan.")
    silent_turns: int = Field(0, description="LLM turns before the last that neither called a tool nor ended.")
    repeating_turns: int = Field(0, description="LLM outputs that repeat one of the two before them.")
    repeating_plans: int = Field(0, description="Of those, outputs that lay out a plan of steps.")
    last_stop_reason: str = Field("", description="Finish reason of the last LLM call.")
    ended_in_error: bool = Field(False, description="A root span ended in error.")
    derived_figures: int = Field(0, description="Answer figures found verbatim nowhere that a reader can work "
                                                "out from the results (a sum, a mean, a difference, a product).")
    unexplained_figures: int = Field(0, description="Answer figures found verbatim nowhere that the results do not "
                                                    "add up to either, while the results hold figures.")
    empty_fields: int = Field(0, description="Fields a tool result left without a value (null, '', 'N/A').")
    empty_fields_filled: int = Field(0, description="Of those, fields the answer gives a value in the sentence "
                                                    "that names them.")
    empty_fields_told: int = Field(0, description="Of those, fields the answer says have no value.")
    chosen_from_several: int = Field(0, description="Most records in a result list from which a later call acted "
                                                    "on exactly one (0: no such choice).")
    chose_without_asking: bool = Field(False, description="Such a choice was made with no user turn between the "
                                                          "list and the call.")
    better_match_passed_over: bool = Field(False, description="Another record of that list shares more words "
                                                              "with the request than the one acted on.")
    acted_on_negative: int = Field(0, description="Calls that change something carrying a value of a record an "
                                                  "earlier result marked negative (a false flag, busy, "
                                                  "unavailable) and no other record holds.")
    acquired: int = Field(0, description="Successful calls that start or take hold of something (start, launch, "
                                         "lock, open, provision).")
    left_unreleased: int = Field(0, description="Of those, calls no later stop or release call answers.")
    most_changes_of_one_tool: int = Field(0, description="Most successful calls of one tool that changes something.")
    user_disputes: bool = Field(False, description="A later user turn disputes an answer.")
    revised_without_new_data: bool = Field(False, description="After a dispute the answer changes its figures or "
                                                              "its yes or no, and no call made since returned "
                                                              "the figures it newly states.")
    revised_with_new_data: bool = Field(False, description="An answer changes across a user turn after a new "
                                                           "tool call.")
    answer_held: bool = Field(False, description="A disputed answer keeps its figures and its yes or no.")
    answer_call_text: bool = Field(False, description="The answer holds text written as a tool call (a "
                                                      "function-call object, a call tag, name(key=...)).")
    unit_figures_faithful: int = Field(0, description="Answer figures written with a unit that a result field "
                                                      "naming its unit (amount_cents, latency_ms) converts to.")
    unit_figures_misread: int = Field(0, description="Answer figures written with a unit that no such field "
                                                     "converts to, but one scaled by a power of ten or by the "
                                                     "wrong unit gives.")
    request_asks: int = Field(0, description="Separate things the request asks (questions, items, clauses).")
    asks_unanswered: int = Field(0, description="Of two or more, asks that neither the answer nor any call's "
                                                "arguments speak of.")
    unrequested_changes: int = Field(0, description="Successful calls that change something whose kind of "
                                                    "change no user turn names.")
    user_correction: str = Field("", description="A later user turn replaces a value the first gave: 'applied' "
                                                 "when what follows uses the new value, 'ignored' when it still "
                                                 "uses the old ('' no correction).")
    answer_redirects: bool = Field(False, description="The answer sends the user elsewhere (contact, visit, call).")
    unfinished_results: int = Field(0, description="Successful tool results whose status says the work is still "
                                                   "under way (queued, pending, running).")
    unfinished_left: int = Field(0, description="Of those, results that no later result reports as finished.")
    unfinished_untold: bool = Field(False, description="Some such result is left so and the answer says nothing "
                                                       "of work still under way (still, pending, will be …).")
    more_to_read: int = Field(0, description="Successful tool results that say they hold part of more (a next-page "
                                             "cursor, a has-more flag, a total above what they list).")
    more_left_unread: int = Field(0, description="Of those, results no later call of the same tool followed.")
    oldest_data_hours: float = Field(0.0, description="Hours between a call and the oldest as-of time its result "
                                                      "gives for its data (cached, snapshot, as_of; 0: none given).")
    switched_on_after_failure: int = Field(0, description="Failed calls whose next call of the same tool is the "
                                                          "same call with a switch turned on (a true flag, a "
                                                          "--option).")
    dropped_in_handoff: int = Field(0, description="Values (figures, dates, ids) and limits (the word after no, "
                                                   "only, under …) of the request that no input handed to another "
                                                   "agent carries.")
    result_notes: int = Field(0, description="Notes and warnings the tool results carry (text under a warning, "
                                             "note, caveat or condition key; a 'Note:' line).")
    result_notes_unmentioned: int = Field(0, description="Of those, notes whose own words the answer hardly "
                                                         "carries.")
    result_qualifiers: list[str] = Field(default_factory=list, description="What results say of their own content: "
                                                                           "estimate, provisional, simulated, "
                                                                           "partial, uncertain.")
    qualifiers_dropped: list[str] = Field(default_factory=list, description="Of those, qualifiers the answer gives "
                                                                            "no sign of.")
    result_facts: int = Field(0, description="Status facts the results agree on (eligible: false, status: "
                                             "approved).")
    facts_contradicted: int = Field(0, description="Of those, facts the answer states the other way round.")
    field_figures_matched: int = Field(0, description="Answer sentences that name a result's numeric field and "
                                                      "give one of its figures.")
    field_figures_differ: int = Field(0, description="Answer sentences that name such a field and give a figure "
                                                     "no result or request holds nor the results add up to.")
    field_figures_other_record: int = Field(0, description="Answer sentences that name one record of a list and "
                                                           "give another record's figure for the field.")
    user_figures_sent: int = Field(0, description="Call arguments named for a thing the user gave a figure for "
                                                  "(3 nights → nights) that carry the user's figure.")
    user_figures_changed: int = Field(0, description="Such arguments that carry another figure.")
    form_asked: str = Field("", description="Form the request or the instructions ask the answer to take: json, "
                                            "table, list, brief ('' none asked).")
    form_kept: bool = Field(False, description="The answer takes the form asked.")
    asks_again: int = Field(0, description="Kinds of value the answer's questions ask the user for (an email, a "
                                           "date, an order number) that a user turn already gave.")
    requirements_met: int = Field(0, description="Steps a result says are required first (requires_approval, "
                                                 "'must be verified') that a later call takes or the user speaks to.")
    requirements_unmet: int = Field(0, description="Such steps no call takes before a change is made anyway.")
    results_disagree: int = Field(0, description="Fields of one subject two results of different tools give "
                                                 "different values, not both stated in the answer.")
    disagreement_told: bool = Field(False, description="The answer says results differ.")
    other_subject_results: int = Field(0, description="Calls asked for one subject by id whose result names "
                                                      "another under the same key.")
    currency_changed: int = Field(0, description="Answer amounts written in another currency than the one a "
                                                 "result gave the same figure in.")
    failed_items: int = Field(0, description="Items of a successful result's list whose status says they "
                                             "failed while others did not.")
    failed_items_untold: bool = Field(False, description="There are such items and the answer says nothing "
                                                         "failed.")
    past_dated_changes: int = Field(0, description="Calls that change something dated only before the day the "
                                                   "trace says it is (today is …, a current_date field).")
    limits_kept: int = Field(0, description="Figures calls that change something send for a thing the request "
                                            "or the instructions limit (under $300, at most 3 nights) that keep "
                                            "within the limit.")
    limits_crossed: int = Field(0, description="Such figures that go past it.")
    acted_against_request: int = Field(0, description="Changes acting on a record whose false flag the request "
                                                      "names (pet-friendly asked, pet_friendly: false booked).")
    internal_fields_told: int = Field(0, description="Fields a result marks as not for the user (internal, staff, "
                                                     "confidential) whose value the answer repeats.")
    acted_before_reply: int = Field(0, description="Changes made after the agent asked the user a question and "
                                                   "before the user answered it.")
    result_cautions: int = Field(0, description="Cautionary words in the results' values (unavailable, expired, "
                                                "exceeds, recalled, deprecated …).")
    cautions_unreflected: int = Field(0, description="Of those, words the answer gives no sign of.")
    instructions_told: bool = Field(False, description="The answer speaks of instructions it found in a tool "
                                                       "result (injected, planted, ignored).")
    says_human: bool = Field(False, description="The answer says the assistant is a person.")
    comparisons_reversed: int = Field(0, description="Answer sentences whose direction word (lower, went up, "
                                                     "cheaper) points against the two figures they give.")
    answer_dates_derived: int = Field(0, description="Answer dates found nowhere in the trace that are a trace "
                                                     "date plus or minus a period it states (net 30, 4 weeks).")
    answer_dates_unexplained: int = Field(0, description="Answer dates found nowhere in the trace and not so "
                                                         "worked out.")
    signs_dropped: int = Field(0, description="Negative figures of the results the answer writes unsigned, with "
                                              "no word that reads them as negative (credit, owe, loss).")
    scoped_empty_told: int = Field(0, description="Empty results of calls the agent narrowed itself (a status, a "
                                                  "window, a jurisdiction) whose scope the answer names.")
    scoped_empty_as_none: int = Field(0, description="Such empty results the answer tells as none at all.")
    asks_for_secret: bool = Field(False, description="The answer asks the user to send a password, a PIN, a "
                                                     "one-time code or a card number.")
    checked_elsewhere: int = Field(0, description="Changes followed by checks none of which names anything the "
                                                  "change named.")
    span_keys: list[str] = Field(default_factory=list, description="Per tool and LLM span, 'tool:NAME' or "
                                                                   "'llm:MODEL', for run-relative resource use.")
    span_ms: list[float] = Field(default_factory=list, description="Duration of each span in span_keys.")
    span_tokens: list[int] = Field(default_factory=list, description="Tokens of each span in span_keys (0 for tools).")
    span_result_chars: list[int] = Field(default_factory=list, description="Characters of each span's tool result "
                                                                           "(0 for LLM calls).")


def _system_text(trace: Trace) -> str:
    return " ".join(m.content for s in trace.llm_spans[:1] for m in s.input_messages if m.role == "system")


def _user_text(trace: Trace) -> str:
    seen, parts = set(), []
    for span in trace.spans:
        for message in span.input_messages:
            if message.role == "user" and message.content not in seen:
                seen.add(message.content)
                parts.append(message.content)
    return " ".join(parts) or trace.first_user_message


def _argument_values(arguments: str | None) -> Values:
    """The values a call's arguments hold, read from their leaves (JSON) or from the text."""
    if not arguments:
        return values("")
    try:
        parsed = loads_shared(arguments)
    except ValueError:
        return values(arguments)
    leaves: list[str] = []
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            leaves.append(str(item))
    return values(" ; ".join(reversed(leaves)))


def _turns(llms: list[Span]) -> list[tuple[str, str, int]]:
    """The conversation as (role, text, time), read from the history the last, longest model call was given
    (a sub-agent's own exchange with its orchestrator is not the user's conversation) and its reply: each
    user message at the first model call that read it, each reply that called no tool at the end of the
    call that wrote it."""
    if not llms:
        return []
    longest = max(len(s.input_messages) for s in llms)
    convo = [s for s in llms if len(s.input_messages) == longest][-1]
    written = {s.output_content: s.end_ns for s in llms if s.output_content and not s.requested_tool_calls}
    read: dict[str, int] = {}
    for span in llms:
        for message in span.input_messages:
            if message.role == "user":
                read.setdefault(message.content, span.start_ns)
    turns = []
    for message in convo.input_messages:
        if message.role == "user" and message.content:
            turns.append(("user", message.content, read.get(message.content, convo.start_ns)))
        elif message.role == "assistant" and message.content and not message.tool_calls:
            turns.append(("assistant", message.content, written.get(message.content, convo.start_ns)))
    if convo.output_content and not convo.requested_tool_calls:
        turns.append(("assistant", convo.output_content, convo.end_ns))
    return turns


def _planning_turns(llms: list[Span]) -> list[Span]:
    """The first three model turns that wrote text and then went on working rather than wait for the user:
    the next model turn came with no new user message (or this turn asked for a tool call itself). A turn
    that writes text and then hears from the user (a reply in a conversation: options, a question) lays
    out no plan; nor does the last turn, the answer."""
    def users(span: Span) -> int:
        return sum(1 for m in span.input_messages if m.role == "user")

    out = []
    for span, following in zip(llms, llms[1:]):
        if not span.output_content or (span.output_messages and not any(m.content for m in span.output_messages)):
            continue
        if span.requested_tool_calls or users(following) <= users(span):
            out.append(span)
        if len(out) == 3:
            break
    return out


def _mentions_failure_after(failures: list[Span], llms: list[Span], answer: str) -> bool:
    """Some text the agent wrote after the last failure that was never made good says something failed.
    In a conversation the failure may be told in any later turn, not only the last."""
    if not failures:
        return False
    after = max(s.end_ns for s in failures)
    texts = [s.output_content for s in llms if s.start_ns >= after] + [answer]
    return any(text.admits_failure(t) or text.declines(t) or text.unable(t) for t in texts if t)


def _unrecovered(tools: list[Span]) -> tuple[list[Span], bool]:
    """Failed calls that no later successful call of the same tool made good (whatever its arguments: a
    corrected call is the agent's remedy), and whether one of them sits beside earlier successes of that
    tool (a batch half done)."""
    left, partial = [], False
    for i, span in enumerate(tools):
        if not looks_failed(span):
            continue
        same = [s for s in tools if s.tool_name == span.tool_name and s is not span]
        if any(not looks_failed(s) for s in tools[i + 1:] if s.tool_name == span.tool_name):
            continue
        left.append(span)
        partial = partial or any(not looks_failed(s) for s in same)
    return left, partial


def _repeated_changes(ok_tools: list[Span]) -> int:
    seen, repeats = set(), 0
    for span in ok_tools:
        if action_kind(span.tool_name or "") != "write":
            continue
        call = (span.tool_name, canonical_arguments(span.tool_arguments))
        repeats += call in seen
        seen.add(call)
    return repeats


def _handoffs(trace: Trace, tools: list[Span]) -> tuple[int, int]:
    agents = [s.agent_name or s.name for s in sorted(trace.agent_spans, key=lambda s: s.start_ns)]
    switches = sum(1 for a, b in zip(agents, agents[1:]) if a != b)
    # Hand-offs recorded as tool calls (`transfer_to_billing`, `handoff_to_x`) pass control too.
    switches += sum(1 for s in tools if any(w in (s.tool_name or "").lower() for w in ("transfer", "handoff", "hand_off")))
    # Each agent appearing once (an orchestrator calling its sub-agents in turn) is delegation, not passing
    # control back and forth: its first switch is not counted.
    once_each = len(set(agents)) > 1 and len(agents) == len(set(agents))
    return len(set(agents)), max(0, switches - (1 if once_each else 0))


def _acted_before_reply(llms: list[Span], writes: list[Span], user_times: list[int]) -> int:
    """Changes made after a model turn put a question to the user (its text asks; a turn that only calls
    tools asks nothing) and before any user turn came after it."""
    count = 0
    for span in llms:
        if not span.output_content or not text.asks_user(span.output_content):
            continue
        reply = min((t for t in user_times if t >= span.end_ns), default=None)
        count += sum(1 for w in writes if w.start_ns >= span.start_ns and (reply is None or w.start_ns < reply))
    return count


def compute_evidence(trace: Trace) -> Evidence:
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    llms = sorted(trace.llm_spans, key=lambda s: (s.start_ns, s.span_id))
    answer, request, system = trace.final_answer, _user_text(trace), _system_text(trace)
    results = [s.tool_result or "" for s in tools if not looks_failed(s)]
    ok_tools = [s for s in tools if not looks_failed(s)]

    claimed = text.claims(answer)
    backed = {"change": any(action_kind(s.tool_name or "") in ("write", "other") for s in ok_tools),
              "lookup": bool(ok_tools),
              "verification": bool(ok_tools)}
    writes = [s for s in ok_tools if action_kind(s.tool_name or "") == "write"]
    if writes:
        backed["verification"] = any(s.start_ns >= writes[-1].end_ns for s in ok_tools if s not in writes)

    reader = ValueReader()
    pools = {"tool result": Pool(results, reader), "request": Pool([request], reader),
             "instructions": Pool([system], reader)}
    answer_values = values(answer)
    stated = answer_values.all()
    returned_numbers = values(" ".join(results)).numbers
    sources = [provenance(v, pools) for v in stated]

    requested = values(request)
    unseen = fed = conflicts = 0
    for i, span in enumerate(tools):
        earlier = Pool([request, system] + [s.tool_result or "" for s in tools[:i]]
                       + [s.output_content for s in llms if s.end_ns <= span.start_ns and s.output_messages == ()],
                       reader)
        earlier_results = Pool([s.tool_result or "" for s in tools[:i]], reader)
        given = _argument_values(span.tool_arguments)
        args = given.all()
        unseen += sum(1 for v in args if not earlier.holds(v))
        fed += any(earlier_results.holds(v) for v in args)
        # Dates and amounts with a fraction: figures a user states, unlike ids and counts.
        conflicts += sum(1 for v in given.dates if requested.dates and v not in requested.dates and not earlier.holds(v))
        conflicts += sum(1 for v in given.numbers if "." in v and any("." in r for r in requested.numbers)
                         and v not in requested.numbers and not earlier.holds(v))

    returned = sensitive.found(" ".join(results))
    asked = sensitive.found(request)
    flows = set()
    for kind, found in returned.items():
        fresh = found - asked.get(kind, set())
        if fresh & sensitive.found(answer).get(kind, set()) or any(len(v) >= 6 and v in answer.lower() for v in fresh):
            flows.add(f"{kind}→answer")
        for i, span in enumerate(tools):
            given = sensitive.found(span.tool_arguments or "").get(kind, set())
            before = sensitive.found(" ".join(s.tool_result or "" for s in tools[:i])).get(kind, set()) if given else set()
            if given & before & fresh:
                flows.add(f"{kind}→tool")
    for i, span in enumerate(tools):
        personal = {v for s in tools[:i] if s.tool_name != span.tool_name for v in sensitive.personal_fields(s.tool_result)}
        personal -= {v for v in personal if v in request.lower()}
        if any(v in (span.tool_arguments or "").lower() for v in personal):
            # A change made for the person needs their details (a booking in their name); a lookup or a
            # search sent them elsewhere, where nothing needed them.
            flows.add("personal→change" if action_kind(span.tool_name or "") == "write" else "personal→tool")
    seen_types = set(returned) | set(asked) | set(sensitive.found(answer))

    failed = [s for s in trace.spans if looks_failed(s) and s.kind in (SpanKind.TOOL, SpanKind.RETRIEVER, SpanKind.LLM)]
    signatures = []
    for span in failed:
        sig = errors.signature(span.error_message or span.error_type or (span.tool_result or "")[:200])
        if sig and sig not in signatures:
            signatures.append(sig)
    outcome = tool_outcome(tools, llms)
    unrecovered, partial = _unrecovered(tools)

    streak = best = 0
    previous = None
    for span in tools:
        call = (span.tool_name, canonical_arguments(span.tool_arguments))
        streak = streak + 1 if looks_failed(span) and call == previous else (1 if looks_failed(span) else 0)
        best = max(best, streak)
        previous = call if looks_failed(span) else None
    outcomes = [(s.tool_name, canonical_arguments(s.tool_arguments), s.tool_result) for s in tools]
    variants: dict[str, set[str]] = {}
    for name, args, _ in outcomes:
        variants.setdefault(name or "", set()).add(args)

    injected_at = next((i for i, s in enumerate(tools) if injected_instruction(s.tool_result or "")), None)
    new_after = injected_at is not None and any(
        s.tool_name not in {t.tool_name for t in tools[: injected_at + 1]} for s in tools[injected_at + 1:])

    models = [s.model for s in llms if s.model]
    agents, handoffs = _handoffs(trace, tools)
    depth = trace.agent_depth
    sub_outputs = [s.output_content for s in trace.agent_spans if depth.get(s.span_id, 0) > 1]

    overlap_words = text.content_words(answer)
    result_words = text.content_words(" ".join(results))
    outputs = [s.output_content for s in llms if s.output_content]
    repeated = [outputs[i] for i in range(1, len(outputs))
                if max(similarity(outputs[i], outputs[j]) for j in range(max(0, i - 2), i)) > REPEAT_SIMILARITY]
    repeats = len(repeated)
    plans = [(s, plan_items(s.output_content)) for s in _planning_turns(llms)]
    steps = max((n for _, n in plans), default=0)
    first_plan = next((s for s, n in plans if n), None)
    silent = sum(1 for s in llms[:-1] if not s.requested_tool_calls and not s.failed)
    last_finish = next((r for s in llms[-1:] for r in s.finish_reasons), "")

    answer_span = next((s for s in reversed(llms) if s.output_content), None)
    written_at = answer_span.start_ns if answer_span is not None else None
    changed = [p for s in ok_tools if action_kind(s.tool_name or "") == "write" for p in actions.paths(s.tool_arguments)]
    given_ids = values(request).ids
    passed = " ".join([s.tool_arguments or "" for s in tools] + [s.input_text or "" for s in trace.agent_spans]).lower()
    # Figures the whole trace holds nowhere else (an error message's status code is not invented).
    elsewhere = Pool([s.tool_result or "" for s in tools] + [s.tool_arguments or "" for s in tools]
                     + [s.error_message or "" for s in trace.spans]
                     + [s.output_content for s in llms if s.output_content and s.output_content != answer]
                     + [request, system], reader)
    derived, unexplained = consistency.derived_figures(
        [v for v, src in zip(stated, sources) if src == "nowhere" and not elsewhere.holds(v)], results)
    empty, filled, told = consistency.empty_fields(results, answer)
    turns = _turns(llms)
    picks = consistency.choices(ok_tools, request, [(at, t) for role, t, at in turns if role == "user"])
    acquired, unreleased = consistency.unreleased(tools)
    revised = consistency.revision(turns, tools)
    unit_reading = units.read_units(results, answer)
    user_turns = [(at, t) for role, t, at in turns if role == "user"] or [(0, request)]
    n_asks, unanswered = asked_for.unanswered_asks(trace.first_user_message, answer, tools)
    unfinished_results, unfinished_left = said.unfinished(tools)
    more_to_read, more_left_unread = said.more_left(tools)
    delegated = [s.input_text or "" for s in trace.agent_spans if depth.get(s.span_id, 0) > 1]
    keyed = [(s, f"tool:{s.tool_name or s.name}") for s in tools] + [(s, f"llm:{s.model or 'model'}") for s in llms]
    request_language, answer_language = text.language(request), text.language(answer)
    notes = qualifiers.notes(results)
    scoped_told, scoped_as_none = mismatch.scope_dropped(tools, request, answer)
    derived_dates, unexplained_dates = dates.answer_dates(
        answer, results + [request, system] + [s.tool_arguments or "" for s in tools]
        + [m.content for s in llms for m in s.input_messages if m.role == "assistant"])
    cautions = qualifiers.cautions(results)
    within, crossed = asked_for.limits_kept(request, system, writes)
    n_failed_items = mismatch.failed_items(tools)
    asked_form = asked_for.form_asked(request, system)
    answer_form = text.answer_form(answer)
    met, unmet = requirements.unmet(requirements.requirements(tools), tools, [at for at, _ in user_turns[1:]])
    disagree, disagreement_told = requirements.disagreements(tools, answer)
    qualified = qualifiers.qualifiers(results)
    facts = qualifiers.facts(results)
    field_figures = qualifiers.field_figures(results, answer, request + " " + system)
    figures_sent, figures_changed = qualifiers.figures_sent([t for _, t in user_turns],
                                                            [s.tool_arguments or "" for s in tools])
    return Evidence(
        answer_form=answer_form,
        answer_words=len(answer.split()),
        request_language=request_language,
        answer_language=answer_language,
        answer_cut_off=text.ends_mid_sentence(answer) or last_finish.lower() in ("length", "max_tokens"),
        answer_declines=text.declines(answer),
        answer_admits_failure=text.admits_failure(answer),
        answer_unable=text.unable(answer),
        answer_asks_user=text.asks_user(answer),
        answer_hedges=text.hedges(answer),
        answer_states_current=text.states_current(answer),
        answer_claims=sorted(claimed),
        unbacked_claims=sorted(c for c in claimed if not backed[c]),
        answer_values=len(stated),
        ungrounded_values=sum(1 for s in sources if s == "nowhere"),
        answer_value_sources=sorted({s for s in sources if s != "nowhere"}),
        misquoted_figures=figures.misquoted(answer_values.numbers, returned_numbers,
                                            pools["request"].text + " " + pools["instructions"].text),
        swapped_figures=figures.swapped(answer, ok_tools),
        unseen_argument_values=unseen,
        result_fed_arguments=fed,
        conflicting_arguments=conflicts,
        most_variants_of_one_tool=max((len(v) for v in variants.values()), default=0),
        sensitive_types=sorted(seen_types),
        sensitive_flows=sorted(flows),
        error_signatures=signatures[:3],
        unrecovered_errors=len(unrecovered),
        failure_told=_mentions_failure_after(unrecovered, llms, answer),
        recovered_errors=sum(1 for s in tools if looks_failed(s)) - len(unrecovered),
        failing_streak=best,
        partial_failures=partial,
        alternations=sum(1 for a, b, c in zip(outcomes, outcomes[1:], outcomes[2:]) if a[:2] == c[:2] != b[:2]),
        retry_pacing=outcome.backoff if outcome.retry_classes else "",
        identical_results=len(outcomes) - len(set(outcomes)),
        repeated_changes=_repeated_changes(ok_tools),
        empty_results=sum(1 for s in tools if empty_result(s.tool_result)),
        instructions_in_results=injected_at is not None,
        new_tool_after_instructions=new_after,
        models=sorted(set(models)),
        model_switches=sum(1 for a, b in zip(models, models[1:]) if a != b),
        served_by_other_model=sum(1 for s in llms if s.requested_model and s.model and s.requested_model != s.model
                                  and not s.model.startswith(s.requested_model)),
        agents=agents,
        agent_handoffs=handoffs,
        subagent_cut_off=any(text.ends_mid_sentence(o) for o in sub_outputs),
        subagent_problem_unsaid=any(text.admits_failure(o) or text.blocked(o) or text.declines(o) or text.unable(o)
                                    for o in sub_outputs)
        and not text.tells_of_failure(answer),
        echoes_instructions=text.longest_shared_run(answer, system, INSTRUCTION_ECHO_WORDS) > 0,
        answered_before_tool_finished=written_at is not None and any(
            s.end_ns > written_at and s.start_ns < written_at for s in tools),
        unfilled_placeholders=sorted({where for where, t in [("instructions", system), ("answer", answer)]
                                      + [("arguments", s.tool_arguments) for s in tools] if actions.placeholders(t)}),
        destructive_calls=sum(1 for s in tools if actions.destructive(s.tool_arguments)),
        changed_only_tests=actions.only_tests(changed),
        capped_results=sum(1 for s in ok_tools if actions.capped(s.tool_arguments, s.tool_result)),
        answer_speaker_turns=actions.speaker_turns(answer),
        request_ids_unused=sum(1 for i in given_ids if i not in passed) if tools else 0,
        answer_result_overlap=round(len(overlap_words & result_words) / len(overlap_words), 3) if overlap_words else 0.0,
        plan_steps=steps,
        calls_after_plan=sum(1 for s in tools if first_plan is not None and s.start_ns >= first_plan.start_ns),
        silent_turns=silent,
        repeating_turns=repeats,
        repeating_plans=sum(1 for o in repeated if plan_items(o) >= 2),
        last_stop_reason=last_finish.lower(),
        ended_in_error=any(root.failed for root in trace.roots),
        derived_figures=derived,
        unexplained_figures=unexplained,
        empty_fields=empty,
        empty_fields_filled=filled,
        empty_fields_told=told,
        chosen_from_several=max((c.candidates for c in picks), default=0),
        chose_without_asking=any(not c.asked for c in picks),
        better_match_passed_over=any(c.better_match_passed for c in picks),
        acted_on_negative=consistency.acted_on_negative(ok_tools),
        acquired=acquired,
        left_unreleased=unreleased,
        most_changes_of_one_tool=consistency.most_changes_of_one_tool(ok_tools),
        user_disputes=revised.disputed,
        revised_without_new_data=revised.revised_without_new_data,
        revised_with_new_data=revised.revised_with_new_data,
        answer_held=revised.held,
        answer_call_text=consistency.call_text(answer),
        unit_figures_faithful=unit_reading.faithful,
        unit_figures_misread=unit_reading.misread,
        request_asks=n_asks,
        asks_unanswered=unanswered,
        unrequested_changes=asked_for.unrequested_changes([t for _, t in user_turns], writes),
        user_correction=asked_for.correction(user_turns, tools, answer),
        answer_redirects=asked_for.redirects(answer),
        unfinished_results=unfinished_results,
        unfinished_left=unfinished_left,
        unfinished_untold=bool(unfinished_left) and said.under_way_untold(answer),
        more_to_read=more_to_read,
        more_left_unread=more_left_unread,
        oldest_data_hours=said.oldest_data_hours(tools),
        switched_on_after_failure=said.switched_on_after_failure(tools),
        dropped_in_handoff=said.dropped_in_handoff(request, delegated),
        result_notes=len(notes),
        result_notes_unmentioned=qualifiers.notes_unmentioned(notes, answer, request),
        result_qualifiers=sorted(qualified),
        qualifiers_dropped=qualifiers.qualifiers_dropped(qualified, answer, request),
        result_facts=len(facts),
        facts_contradicted=qualifiers.contradicted(facts, answer),
        field_figures_matched=field_figures.matched,
        field_figures_differ=field_figures.differ,
        field_figures_other_record=field_figures.other_record,
        user_figures_sent=figures_sent,
        user_figures_changed=figures_changed,
        form_asked=asked_form,
        form_kept=bool(asked_form) and asked_for.form_kept(asked_form, request, system, answer_form,
                                                           len(answer.split())),
        asks_again=asked_for.asks_again(answer, [t for _, t in user_turns], wholly=answer_form == "question"),
        requirements_met=met,
        requirements_unmet=unmet,
        results_disagree=disagree,
        disagreement_told=disagreement_told,
        other_subject_results=mismatch.other_subject(tools),
        currency_changed=mismatch.currency_changed(results, answer),
        failed_items=n_failed_items,
        failed_items_untold=bool(n_failed_items) and not text.tells_of_failure(answer),
        past_dated_changes=mismatch.past_dated_changes(tools, mismatch.run_day([system, request] + results)),
        limits_kept=within,
        limits_crossed=crossed,
        acted_against_request=consistency.acted_against_request(ok_tools, request),
        internal_fields_told=qualifiers.internal_fields_told(results, answer, request),
        acted_before_reply=_acted_before_reply(llms, writes, [at for at, _ in user_turns]),
        result_cautions=len(cautions),
        cautions_unreflected=qualifiers.cautions_unreflected(cautions, answer, request),
        instructions_told=injected_at is not None and text.tells_of_instructions(answer),
        says_human=text.says_human(answer),
        comparisons_reversed=text.reversed_comparisons(answer),
        answer_dates_derived=derived_dates,
        answer_dates_unexplained=unexplained_dates,
        signs_dropped=mismatch.signs_dropped(results, answer),
        scoped_empty_told=scoped_told,
        scoped_empty_as_none=scoped_as_none,
        asks_for_secret=text.asks_for_secret(answer),
        checked_elsewhere=mismatch.checked_elsewhere(tools),
        span_keys=[k for _, k in keyed],
        # A source that recorded no timing (a transcript log) gives no durations to compare.
        span_ms=[round(s.duration_ms, 3) for s, _ in keyed] if trace.timing_recorded else [],
        span_tokens=[s.input_tokens + s.output_tokens for s, _ in keyed],
        # Successful results only: an error message is short, and beside it any real result looks large.
        span_result_chars=[0 if looks_failed(s) else len(s.tool_result or "") for s, _ in keyed],
    )
