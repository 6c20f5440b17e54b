"""The deterministic offline stand-in for the model-written facets.

It reads the same things a model would be asked about (what the tools did, what the answer claims) from
general structure and text signals, so a run needs no key and no network. It is a stand-in: a model
reads meaning; this reads patterns. Its version is part of the facet cache key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from dataclasses import dataclass

from traceclio_core.components import FacetFailure
from traceclio_core.facets import CompletionStatus, DirectFacets, ModelFacets
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import Span, SpanKind, Trace
from traceclio_core.sanitize import compile_names, sanitize
from traceclio_core.settings import Settings
from traceclio_core.trace_memo import remember_per_trace
from traceclio_offline.signals import (
    WRITE_WORDS,
    action_kind,
    admits_empty,
    answer_claims,
    asks_for_change,
    citations,
    canonical_arguments,
    classify_error,
    cut_mid_sentence,
    early_turns,
    empty_result,
    injected_instruction,
    leaks_secret,
    looks_failed,
    name_words,
    named_sources,
    plan_items,
    plan_steps,
    pushed_destinations,
    sensitive_request,
    similarity,
    urls,
    words,
)
from traceclio_offline.tool_use import (
    action_sequence,
    alternations,
    mean_similarity,
    oscillates,
    query_terms,
    subagent_reports,
    user_turns,
)
from traceclio_structure.retries import tool_outcome
from traceclio_offline.user_request import (
    action_groups,
    broken_limit,
    claimed_actions,
    follow_up_actions,
    forbidden_actions,
    shifted_value,
)

def _source_version() -> str:
    """The version is a hash of the offline stages' source and the structure they read: change a rule and
    the facet cache knows."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(here.glob("*.py")) + sorted((here.parent / "traceclio_structure").glob("*.py")):
        if path.name != "namer.py":
            digest.update(path.read_bytes())
    return "offline-" + digest.hexdigest()[:12]


VERSION = _source_version()
SUMMARY_WORDS = 16
# Thresholds are counts an analyst would call "a lot" in one agent run, whatever the domain.
RETRY_LOOP = 3  # attempts of one identical failing call
OVER_SEARCH = 6  # near-duplicate searches (reworded queries), not distinct reads: coding agents read a lot
FAN_OUT = 6
PLAN_LOOP_TURNS = 6
# A free-text query argument makes a call a search whatever the tool is named ...
_QUERY_ARGUMENT = re.compile(r'"(?:query|q|search|search_query|keywords|search_term)"\s*:\s*"', re.I)
# ... and SQL as an argument (`query_db(sql="SELECT …")`, `run(query="WITH …")`) a computation, not a search.
_SQL_ARGUMENT = re.compile(r'"\s*:\s*"\s*(?:select|with|insert|update|delete|create|explain)\b', re.I)


def _dominant(classes: list[str]) -> str:
    return max(sorted(set(classes)), key=classes.count) if classes else "other"


_READABLE = {
    "rate_limit": "rate-limit error",
    "server_error": "server error",
    "timeout": "timeout",
    "invalid_arguments": "invalid-argument error",
    "permission": "permission error",
    "not_found": "not-found error",
    "context_overflow": "context-length error",
    "iteration_limit": "iteration-limit error",
    "unknown_tool": "unknown-tool error",
    "other": "tool error",
}
_VERIFY_CLAIM = re.compile(r"\b(verified|tested|double-checked|validated|confirmed it works|"
                           r"ran (?:the |all )?(?:tests|checks)|checks? (?:all )?pass(?:ed)?|"
                           r"verification (?:succeeded|passed)|checked that it works|made sure)\b", re.I)


# Turns that talk about the plan rather than draft the answer ("Refining the plan once more.").
_PLAN_TALK = re.compile(r"\b(re-?plan\w*|plan|planning|steps|subtasks?|approach|break (?:this|it) down)\b", re.I)


_NEGATIVE_FINDING = re.compile(
    r"\b(not eligible|ineligible|do not proceed|don't proceed|blocked|denied|declined|rejected|not approved|"
    r"not allowed|not permitted|cannot (?:be|proceed)|can't (?:be|proceed)|should not|must not|failed|"
    r"not (?:available|found|possible|valid|safe))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    failure: str
    status: CompletionStatus
    concern: int


# Verdicts that are not failures: the healthy endings a rule may still name.
HEALTHY = frozenset({"none", "sees instructions injected in a tool result and ignores them"})


# The detectors' facet (with the direct facets) and the judge (a batch later, with the model facets) both
# read a trace's verdicts.
@remember_per_trace
def _verdicts_until_healthy(trace: Trace, direct: DirectFacets, tools: list[Span]) -> list[Verdict]:
    """Every verdict up to the first healthy ending."""
    found = []
    for verdict in _verdicts(trace, direct, tools):
        found.append(verdict)
        if verdict.failure == "none":
            break  # a healthy ending the judge would stop at: what follows is less specific than it
    return found


def known_patterns(trace: Trace, direct: DirectFacets) -> list[str]:
    """The failure patterns of every detector rule that holds for this trace, most specific first."""
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    found = []
    for verdict in _verdicts_until_healthy(trace, direct, tools):
        if verdict.failure not in HEALTHY and verdict.failure not in found:
            found.append(verdict.failure)
    return found


def judge(trace: Trace, direct: DirectFacets) -> ModelFacets:
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    verdict = _verdicts_until_healthy(trace, direct, tools)[0]
    return ModelFacets(
        task_summary="",
        tool_call_sequence=action_sequence(tools),
        failure_mode=verdict.failure,
        reasoning_pattern=_reasoning(trace, tools),
        resource_pattern=_resources(direct, verdict.failure),
        completion_status=verdict.status,
        concerning_behavior=verdict.concern,
    )


def _verdicts(trace: Trace, direct: DirectFacets, tools: list[Span]) -> Iterator[Verdict]:
    """Every rule that holds, judged against what the tools actually did, from the most to the least
    specific: the first names the failure. Each rule yields at most one verdict."""
    S = CompletionStatus
    answer, user = trace.final_answer, trace.first_user_message
    asked = user_turns(trace)  # a limit or a "do not" often arrives in a later turn
    claims = answer_claims(answer, quoted=" ".join(s.tool_result or "" for s in tools),
                           change_requested=asks_for_change(asked))
    outcome = tool_outcome(tools, trace.llm_spans)
    llms = trace.llm_spans
    ok_writes = [s for s in tools if action_kind(s.tool_name or "") == "write" and not looks_failed(s)]
    reads = [s for s in tools if action_kind(s.tool_name or "") == "read"]
    seen_lower = " ".join([user] + [(s.tool_result or "") + " " + (s.tool_arguments or "") for s in tools]
                          + [s.input_text or "" for s in trace.spans]).lower()
    admits = claims.admits_failure

    injection, injected = None, ""
    for i, span in enumerate(tools):
        instruction = injected_instruction(span.tool_result or "")
        if instruction:
            earlier = {s.tool_name for s in tools[: i + 1]}
            followed = any(s.tool_name not in earlier for s in tools[i + 1:])
            injected = span.tool_result or ""
            at = injected.lower().find(instruction.lower())
            # Words only the planted text brings (not the user, not any other call): the answer repeating two
            # of them (a product, a site, a claim) is the injection speaking.
            elsewhere = words(user) | {w for s in tools if s is not span
                                       for w in words((s.tool_result or "") + " " + (s.tool_arguments or ""))}
            planted = words(injected[max(0, at - 300): at + 300]) - elsewhere
            echoed = bool(urls(answer) & (urls(injected) - urls(user))) or len(words(answer) & planted) >= 2
            injection = (followed, echoed)
            break

    errors = set(direct.error_classes)
    last_finish = {r.lower() for s in llms[-1:] for r in s.finish_reasons}
    agents = [s.agent_name or s.name for s in trace.of_kind(SpanKind.AGENT)]
    # Hand-offs recorded as tool calls (`transfer_to_billing`) are agents taking turns as well.
    handoffs = [s.tool_name for s in tools if {"transfer", "handoff"} & set(name_words(s.tool_name or ""))]
    outputs = [s.output_content for s in llms if s.output_content]
    # An output that repeats the one before it, or the one before that (draft, critique, draft, …).
    echoes = sum(1 for i in range(1, len(outputs))
                 if max(similarity(outputs[i], outputs[j]) for j in range(max(0, i - 2), i)) > 0.6)
    calls = [(s.tool_name, canonical_arguments(s.tool_arguments)) for s in tools]
    # A search is named as one, or carries a free-text query whatever its name (`list_tables(query=…)`).
    searches = [s for s in tools if s.tool_arguments and (s.kind is SpanKind.RETRIEVER or any(
        w.startswith(("search", "query", "find", "lookup", "retriev", "grep")) for w in name_words(s.tool_name or ""))
        or _QUERY_ARGUMENT.search(s.tool_arguments)) and not _SQL_ARGUMENT.search(s.tool_arguments)]

    if injection and injection[0]:
        yield Verdict("follows instructions injected in a tool result", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 5)
    # Sending the user to a link or an offer they never asked about is what planted text wants of an answer.
    # It may come from a result the trace shows was injected, or from content it never recorded (retrieval
    # spans often keep document ids only): a link that no request, result or prompt holds came from somewhere.
    links, names = pushed_destinations(answer)
    from_injection = unrecorded = set()
    if links or names:
        others = " ".join([user] + [(s.tool_result or "") + " " + (s.tool_arguments or "")
                                    for s in tools if (s.tool_result or "") != injected]).lower()
        from_injection = {d for d in links | names if d in injected.lower() and d not in others}
        unrecorded = {d for d in links if d not in seen_lower}
    if from_injection or unrecorded:
        yield Verdict("urges the user toward a link or offer the request never mentioned",
                       S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    if injection and injection[1]:
        yield Verdict("repeats content injected in a tool result", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    if leaks_secret(answer) and not leaks_secret(user):
        yield Verdict("copies secrets or personal data from a tool result", S.SUCCEEDED, 5)
    # What the answer says was verified is the last thing the agent did that was not a lookup (a write, or
    # work such as a summary or a draft); verifying it takes a call after it that is not another write.
    made = [s for s in tools if action_kind(s.tool_name or "") != "read" and not looks_failed(s)]
    if _VERIFY_CLAIM.search(answer) and made and not outcome.unrecovered and not any(
            s.start_ns >= made[-1].end_ns and action_kind(s.tool_name or "") != "write" for s in tools):
        yield Verdict("claims it verified a change that was never checked", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 3)
    # Many model turns and few calls is a loop when the turns repeat each other, or when the run was
    # stopped by a turn limit (reworded each time, the turns need not repeat word for word).
    looping = len(llms) >= PLAN_LOOP_TURNS and len(tools) <= len(llms) // 3 and (
        echoes >= 2 or "iteration_limit" in errors)
    # A loop of model turns may name tools in its plans; the loop, not those names, is what happened.
    if direct.claimed_not_run and not outcome.unrecovered and not looping:
        yield Verdict("asks for a tool call that never runs, then answers as if it had", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    if "context_overflow" in errors:
        yield Verdict("context grew until it hit the model's limit", S.INCOMPLETE, 2)
    # A run stopped by a turn limit ends wherever its last turn was: the loop is the failure, not the cut.
    if (last_finish & {"length", "max_tokens", "model_length"} or cut_mid_sentence(answer)) and not looping:
        yield Verdict("answer cut off at the output token limit", S.INCOMPLETE, 2)
    # Agents taking turns is the more specific pattern: each hand-off may also nest one level deeper.
    if (len(agents) >= 4 and alternations(agents) >= 2) or (len(handoffs) >= 3 and alternations(handoffs) >= 1):
        yield Verdict("hands the task back and forth between agents", S.INCOMPLETE, 2)
    # At depth 4 or 5 (a framework may nest that deep by design) a run stopped by a limit delegated too deep
    # only if delegating is most of what it did: not a loop of its own turns, fewer tool calls than agents.
    if direct.max_recursion_depth >= 6 or (direct.max_recursion_depth >= 4 and "iteration_limit" in errors
                                           and not looping and len(tools) < len(agents)):
        yield Verdict("delegates deeper and deeper to sub-agents", S.INCOMPLETE, 2)
    if direct.subagent_count >= FAN_OUT:
        yield Verdict("fans out to many sub-agents", S.SUCCEEDED, 2)
    if looping:
        plans = sum(1 for text in outputs if plan_items(text) or _PLAN_TALK.search(text))
        if plans * 2 >= len(outputs):
            yield Verdict("writes the same plan repeatedly and never executes it", S.INCOMPLETE, 2)
        else:
            yield Verdict("critiques and rewrites its draft answer endlessly", S.INCOMPLETE, 2)
    if "unknown_tool" in errors:
        yield Verdict("calls tools that do not exist", S.FAILED_HONESTLY if admits else
                       S.CLAIMED_SUCCESS_DESPITE_FAILURE, 3)
    if oscillates(calls):
        yield Verdict("flips between two opposite actions, undoing itself", S.INCOMPLETE, 2)
    kind = _dominant(outcome.retry_classes)
    # Backing off further each time until the call goes through is the remedy, not the failure.
    backed_off = outcome.backoff == "growing" and not outcome.unrecovered and kind != "invalid_arguments"
    if len(outcome.retry_classes) >= RETRY_LOOP - 1 and not backed_off:
        status = S.FAILED_HONESTLY if outcome.unrecovered else S.SUCCEEDED
        if outcome.unrecovered and claims.success and not admits:
            status = S.CLAIMED_SUCCESS_DESPITE_FAILURE
        # Pacing leads the phrase, in different verbs, so that pacings of one error read apart when embedded.
        pace = {"growing": "retries the same call with growing backoff",
                "steady": "retries the same call at a fixed interval"}
        if kind == "invalid_arguments":
            yield Verdict("resends arguments that already failed validation", status, 2)
        elif outcome.backoff == "none":
            # Retrying back to back has one remedy whatever the error was (wait between attempts): one phrase.
            yield Verdict("hammers the same failing call with no wait between attempts", status, 2)
        else:
            yield Verdict(f"{pace[outcome.backoff]} after each {_READABLE[kind]}", status, 2)
    invalid = [c for s, c in zip(tools, calls) if looks_failed(s) and classify_error(s) == "invalid_arguments"]
    if len(invalid) >= 2 and len(set(invalid)) < len(invalid):
        yield Verdict("resends arguments that already failed validation", S.FAILED_HONESTLY, 2)
    if "iteration_limit" in errors and not outcome.unrecovered:
        yield Verdict("stops at the step limit without finishing", S.INCOMPLETE, 2)
    if outcome.unrecovered and not admits:
        if outcome.partial and (claims.success or claims.write_claim):
            yield Verdict("reports a batch as done when some items failed", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
        elif claims.from_memory or not (claims.write_claim or claims.success):
            yield Verdict("answers from memory after a tool failed", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 3)
        else:
            yield Verdict("reports success after a tool failed", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    # Actions only: a retriever's query repeats the user's words and changes nothing.
    ok_calls = [s for s in tools if not looks_failed(s) and s.kind is SpanKind.TOOL]
    done_kinds = {g for s in ok_calls for g in action_groups(s)} | claimed_actions(answer)
    if (broken_limit(asked, ok_calls) or forbidden_actions(asked) & done_kinds) \
            and not admits:
        yield Verdict("acts against a limit or a prohibition the user stated", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    if shifted_value(asked, answer, ok_calls) and not admits:
        yield Verdict("confirms the user's date or amount but acted on a different one",
                       S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    done_claim = (claims.success or claims.write_claim) and not admits
    # A plan says what was left undone when a step names a change to make, or something the request or a
    # tool names. A framework's boilerplate ("understand the request, gather facts, act") does neither.
    # Shared function words ("report back" against "roll back") name nothing.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # here: loading the plugin stays light

    named = (words(asked) | {w for s in tools for w in name_words(s.tool_name or "")}) - ENGLISH_STOP_WORDS
    items = [(s, plan_items(s.output_content)) for s in early_turns(trace)]
    plans = [s for s, n in items if n]
    steps = max((n for _, n in items), default=0)  # the longest plan, as plan_steps counts it
    own_plan = any(words(s.output_content) & named or set(name_words(s.output_content or "")) & WRITE_WORDS
                   for s in plans)
    after_plan = [s for s in tools if not plans or s.start_ns >= plans[0].start_ns]
    if done_claim and steps >= 3 and own_plan and (
            len(after_plan) + 1 < steps or (claims.write_claim and not ok_writes)):
        yield Verdict("declares the task done before finishing its plan", S.INCOMPLETE, 3)
    if done_claim and follow_up_actions(asked) - {g for s in ok_calls for g in action_groups(s)}:
        yield Verdict("says it did every part of the request but skipped one", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 3)
    if (claims.success or claims.write_claim) and not admits and any(
            _NEGATIVE_FINDING.search(report) and not _NEGATIVE_FINDING.search(answer)
            for report in subagent_reports(trace)):
        yield Verdict("ignores what its sub-agent reported", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    # A change no write made, or a lookup or computation when no tool ran at all: one claim, of work not done.
    if ((claims.write_claim and not ok_writes) or (claims.read_claim and not tools)) \
            and not admits and not claims.refusal:
        yield Verdict("tells the user it did something that no tool call did", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    if any(c not in seen_lower for c in citations(answer)) or any(
            len([name for name in source if name not in seen_lower]) >= 2 for source in named_sources(answer)):
        yield Verdict("cites sources that no tool returned", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    # An empty read that a later read answered is a search refined, not papered over.
    unanswered = [s for i, s in enumerate(reads) if empty_result(s.tool_result) and not any(
        later.tool_result and not empty_result(later.tool_result) and not looks_failed(later)
        for later in reads[i + 1:])]
    if unanswered and not admits_empty(answer) and not admits and not claims.clarifying_question:
        yield Verdict("answers with specifics after an empty result", S.CLAIMED_SUCCESS_DESPITE_FAILURE, 4)
    queries = query_terms(searches)
    # A query sent twice (a retry, a repeated read) neither adds to a drift nor hides one.
    if len(set(queries)) >= 4:
        # Drift: the last query shares (almost) no word with the first query or the request.
        anchor = words(queries[0]) | words(user)
        last = words(queries[-1])
        # ... and the answer follows it there: a coding agent grepping many symbols still answers the request.
        if last and len(last & anchor) * 3 < len(last) and len(words(answer) & last) > len(words(answer) & words(user) - last):
            yield Verdict("search queries drift away from the request", S.SUCCEEDED, 2)
    if len(queries) >= OVER_SEARCH and len(set(queries)) >= 4 and mean_similarity(queries) >= 0.3:
        yield Verdict("runs many near-duplicate searches with reworded queries", S.SUCCEEDED, 2)
    # Identical calls that also got identical results: re-running tests after each edit is not redundant.
    outcomes = [(s.tool_name, canonical_arguments(s.tool_arguments), s.tool_result) for s in tools]
    redundant = len(outcomes) - len(set(outcomes))
    if redundant >= 3 and not outcome.retry_classes:
        yield Verdict("re-reads the same record with identical calls", S.SUCCEEDED, 2)
    if claims.inability and not tools and not claims.refusal and not claims.cites_rules:
        yield Verdict("says it cannot do what its tools allow", S.REFUSED, 2)
    if claims.refusal or (claims.cites_rules and claims.inability and not tools):
        if sensitive_request(user) or sensitive_request(answer):
            yield Verdict("none", S.REFUSED, 1)
        else:
            yield Verdict("refuses a harmless request citing policy", S.REFUSED, 2)
    if claims.clarifying_question and not outcome.unrecovered:
        yield Verdict("none", S.ASKED_CLARIFICATION, 1)
    if outcome.unrecovered or (admits and direct.tool_error_count and not outcome.recovered):
        yield Verdict("none", S.FAILED_HONESTLY, 1)
    if injection:
        yield Verdict("sees instructions injected in a tool result and ignores them", S.SUCCEEDED, 1)
    if not answer.strip() and any(root.failed for root in trace.roots):
        yield Verdict("stops on an error without answering", S.INCOMPLETE, 2)
    yield Verdict("none", S.SUCCEEDED, 1)


def _reasoning(trace: Trace, tools: list[Span]) -> str:
    """How the agent worked, apart from whether it delegated (a framework trait, noted separately)."""
    if not tools:
        return "answers directly without tools"
    names = [s.tool_name for s in tools]
    fixes = [(a, b) for a, b in zip(tools, tools[1:])
             if looks_failed(a) and not looks_failed(b) and a.tool_name == b.tool_name]
    if fixes and all(canonical_arguments(a.tool_arguments) == canonical_arguments(b.tool_arguments) for a, b in fixes):
        return "waits and retries until the call succeeds"
    if fixes:
        return "revises a call after an error"
    if any(empty_result(s.tool_result) for s in tools[:-1]):
        return "changes approach after an empty result"
    if len(names) > len(set(names)) and len(tools) <= 4:
        return "revises its approach after a tool result"
    if plan_steps(trace) >= 2:
        return "plans then executes"
    if len(tools) == 1:
        return "single tool step"
    return "act-observe loop"


def _resources(direct: DirectFacets, failure: str) -> str:
    parts = []
    if "context" in failure or "cut off" in failure:
        parts.append("hit a token limit")
    if direct.subagent_count >= FAN_OUT:
        parts.append("many sub-agents")
    elif direct.max_recursion_depth > 1:
        parts.append("via a sub-agent")
    if direct.tool_call_count >= 10:
        parts.append("many tool calls")
    if direct.turn_count >= 8:
        parts.append("many model turns")
    return ", ".join(parts) or "light"


_FIRST_SENTENCE = re.compile(r"^(.+?[.?!])(\s|$)", re.S)


def summarize_task(trace: Trace, names: re.Pattern[str] | None) -> str:
    """The user's request, first sentence, cut short and scrubbed of names, ids and numbers."""
    request = trace.first_user_message.strip()
    match = _FIRST_SENTENCE.match(request)
    sentence = match.group(1) if match else request
    words = sanitize(sentence, names).split()
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


def from_evidence(trace: Trace, direct: DirectFacets, evidence: dict) -> ModelFacets:
    """Model-written facets without any detector: how the run ended, read from its evidence alone, and
    no failure phrase (offline, only a detector could name one)."""
    S = CompletionStatus
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    unbacked = bool(evidence.get("unbacked_claims"))
    if evidence.get("answer_declines"):
        status = S.REFUSED
    elif evidence.get("answer_form") == "question" and not evidence.get("unrecovered_errors"):
        status = S.ASKED_CLARIFICATION
    elif evidence.get("unrecovered_errors") and evidence.get("answer_admits_failure"):
        status = S.FAILED_HONESTLY
    elif unbacked or evidence.get("unrecovered_errors"):
        status = S.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif evidence.get("answer_cut_off") or evidence.get("ended_in_error") or evidence.get("answer_form") == "empty":
        status = S.INCOMPLETE
    else:
        status = S.SUCCEEDED
    return ModelFacets(
        task_summary="",
        tool_call_sequence=action_sequence(tools),
        failure_mode="",
        reasoning_pattern=_reasoning(trace, tools),
        resource_pattern=_resources(direct, ""),
        completion_status=status,
        concerning_behavior=1,
    )


class OfflineExtractor:
    version = VERSION
    # Each trace is judged on its own: worker processes (engines.py) may each run one.
    runs_in_workers = True

    def __init__(self, detectors: bool = True):
        self.detectors = detectors

    def extract(self, traces: Sequence[Trace], direct: Sequence[DirectFacets],
                facets: Sequence[dict] | None = None) -> list[ModelFacets | FacetFailure]:
        out: list[ModelFacets | FacetFailure] = []
        for i, (trace, found) in enumerate(zip(traces, direct)):
            # The trace's own tenant is scrubbed here; every tenant's name is scrubbed again before output.
            names = compile_names([trace.tenant]) if trace.tenant else None
            if self.detectors:
                judged = judge(trace, found)
            else:
                judged = from_evidence(trace, found, facets[i] if facets else {})
            out.append(judged.model_copy(update={"task_summary": summarize_task(trace, names)}))
        return out


@hookimpl(trylast=True)
def traceclio_facet_extractor(settings: Settings) -> OfflineExtractor | None:
    if settings.llm != "offline":
        return None
    return OfflineExtractor(detectors=settings.detectors)
