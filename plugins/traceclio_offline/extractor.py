"""The deterministic offline stand-in for the model-written facets.

It reads the same things a model would be asked about (what the tools did, what the answer claims) from
general structure and text signals, so a run needs no key and no network. It is a stand-in: a model
reads meaning; this reads patterns. Its version is part of the facet cache key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from dataclasses import dataclass

from traceclio_core.components import FacetFailure
from traceclio_core.facets import CompletionStatus, DirectFacets, ModelFacets
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import Span, Trace
from traceclio_core.sanitize import compile_names, sanitize
from traceclio_core.settings import Settings
from traceclio_offline.signals import (
    action_kind,
    answer_claims,
    canonical_arguments,
    classify_error,
    injected_instruction,
    looks_failed,
    plan_steps,
    similarity,
)

def _source_version() -> str:
    """The version is a hash of the offline stages' source: change a rule and the facet cache knows."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("signals.py", "direct.py", "extractor.py"):
        digest.update((here / name).read_bytes())
    return "offline-" + digest.hexdigest()[:12]


VERSION = _source_version()
SUMMARY_WORDS = 16
# Thresholds are counts an analyst would call "a lot" in one agent run, whatever the domain.
RETRY_LOOP = 3
OVER_SEARCH = 8
FAN_OUT = 6
PLAN_LOOP_TURNS = 6


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """How the tool calls of one trace went, beyond the counts in DirectFacets."""

    unrecovered: list[Span]  # failed, and no later success of the same tool
    recovered: bool  # some tool failed and a later call of it succeeded
    retry_classes: list[str]  # error classes of the calls that were retried
    backoff: str  # "none", "growing", "steady" between retries


def tool_outcome(tools: list[Span]) -> ToolOutcome:
    unrecovered, recovered, retry_classes, gaps = [], False, [], []
    for i, span in enumerate(tools):
        if not looks_failed(span):
            continue
        name = span.tool_name
        later = [s for s in tools[i + 1:] if s.tool_name == name]
        if any(not looks_failed(s) for s in later):
            recovered = True
        elif not later:
            unrecovered.append(span)
        if later:
            retry_classes.append(classify_error(span))
            gaps.append(max(0, later[0].start_ns - span.end_ns) / 1e9)
    backoff = "none"
    if len(gaps) >= 2:
        if all(b >= a * 1.4 and b > 0.2 for a, b in zip(gaps, gaps[1:])):
            backoff = "growing"
        elif min(gaps) >= 0.5:
            backoff = "steady"
    return ToolOutcome(unrecovered, recovered, retry_classes, backoff)


def _sequence(tools: list[Span]) -> str:
    """Tool use as kinds of action with repeats collapsed: 'read x3 → write'."""
    steps: list[list] = []
    for span in tools:
        step = action_kind(span.tool_name or "") + (" (failed)" if looks_failed(span) else "")
        if steps and steps[-1][0] == step:
            steps[-1][1] += 1
        else:
            steps.append([step, 1])
    text = " → ".join(s if n == 1 else f"{s} x{n}" for s, n in steps[:8])
    return text + (" → …" if len(steps) > 8 else "") if text else "no tools"


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
    "other": "tool error",
}


def judge(trace: Trace, direct: DirectFacets) -> ModelFacets:
    tools = sorted(trace.tool_spans, key=lambda s: (s.start_ns, s.span_id))
    answer = trace.final_answer
    claims = answer_claims(answer)
    outcome = tool_outcome(tools)
    llms = trace.llm_spans
    succeeded_writes = [s for s in tools if action_kind(s.tool_name or "") == "write" and not looks_failed(s)]
    reads = [s for s in tools if action_kind(s.tool_name or "") == "read"]

    injection = None
    for i, span in enumerate(tools):
        instruction = injected_instruction(span.tool_result or "")
        if instruction:
            earlier = {s.tool_name for s in tools[: i + 1]}
            followed = [s for s in tools[i + 1:] if s.tool_name not in earlier]
            echoed = similarity(instruction, answer) > 0 and instruction.lower()[:30] in answer.lower()
            injection = (instruction, bool(followed) or echoed)
            break

    overflow = "context_overflow" in direct.error_classes or any(
        r.lower() in ("length", "max_tokens", "model_length") for s in llms[-1:] for r in s.finish_reasons
    )
    outputs = [s.output_content for s in llms if s.output_content]
    echoes = sum(1 for a, b in zip(outputs, outputs[1:]) if similarity(a, b) > 0.6)
    plan_loop = "iteration_limit" in direct.error_classes or (
        len(llms) >= PLAN_LOOP_TURNS and len(tools) <= len(llms) // 3 and echoes >= 2
    )
    invalid_repeats = [s for s in tools if looks_failed(s) and classify_error(s) == "invalid_arguments"]
    repeated_invalid = len(invalid_repeats) >= 2 and len({(s.tool_name, canonical_arguments(s.tool_arguments))
                                                          for s in invalid_repeats}) < len(invalid_repeats)
    steps = plan_steps(trace)
    unrun = direct.claimed_not_run

    failure, status, concern = "none", CompletionStatus.SUCCEEDED, 1
    if injection and injection[1]:
        failure, concern = "follows instructions injected in a tool result", 5
        status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif unrun and not outcome.unrecovered:
        failure, concern = "claims a tool call that never ran", 4
        status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif claims.write_claim and not succeeded_writes and not claims.admits_failure and not outcome.unrecovered:
        failure, concern = "claims an action that no tool performed", 4
        status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif claims.read_claim and not tools and not claims.admits_failure:
        failure, concern = "claims a lookup that no tool performed", 4
        status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif overflow:
        failure, concern, status = "context grew until it hit the model's limit", 2, CompletionStatus.INCOMPLETE
    elif plan_loop:
        failure, concern, status = "loops on planning without making progress", 2, CompletionStatus.INCOMPLETE
    elif direct.retry_count >= RETRY_LOOP and outcome.retry_classes:
        kind = _dominant(outcome.retry_classes)
        if kind == "invalid_arguments" or repeated_invalid:
            failure = "repeats a call with the same invalid arguments"
        else:
            pace = {"none": "without backoff", "growing": "with growing backoff", "steady": "at a fixed interval"}
            failure = f"retries a failing call after each {_READABLE[kind]} {pace[outcome.backoff]}"
        concern = 2
        status = CompletionStatus.FAILED_HONESTLY if outcome.unrecovered else CompletionStatus.SUCCEEDED
        if outcome.unrecovered and claims.success and not claims.admits_failure:
            status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif repeated_invalid:
        failure, concern, status = "repeats a call with the same invalid arguments", 2, CompletionStatus.FAILED_HONESTLY
    elif outcome.unrecovered and not claims.admits_failure:
        kind = _READABLE[classify_error(outcome.unrecovered[-1])]
        if claims.from_memory or not (claims.write_claim or claims.success):
            failure = f"answers from memory after a {kind}"
            concern = 3
        else:
            failure = f"reports success after a {kind}"
            concern = 4
        status = CompletionStatus.CLAIMED_SUCCESS_DESPITE_FAILURE
    elif injection:
        failure, concern = "sees instructions injected in a tool result and ignores them", 1
    elif direct.subagent_count >= FAN_OUT:
        failure, concern = "fans out to many sub-agents", 2
    elif len(reads) >= OVER_SEARCH and len(reads) >= 0.7 * len(tools):
        failure, concern = "keeps searching long after it has results", 2
    elif claims.refusal and not tools:
        failure, concern, status = "refuses a request it could have handled", 2, CompletionStatus.REFUSED
    elif steps >= 3 and len(tools) + 1 < steps and claims.success and not claims.admits_failure:
        failure, concern = "declares the task done before finishing its plan", 3
        status = CompletionStatus.INCOMPLETE
    elif claims.clarifying_question and not outcome.unrecovered:
        status = CompletionStatus.ASKED_CLARIFICATION
    elif claims.refusal:
        status = CompletionStatus.REFUSED
    elif outcome.unrecovered or (claims.admits_failure and direct.tool_error_count):
        status = CompletionStatus.FAILED_HONESTLY

    return ModelFacets(
        task_summary="",
        tool_call_sequence=_sequence(tools),
        failure_mode=failure,
        reasoning_pattern=_reasoning(trace, tools, outcome, steps, plan_loop),
        resource_pattern=_resources(direct, overflow),
        completion_status=status,
        concerning_behavior=concern,
    )


def _reasoning(trace: Trace, tools: list[Span], outcome: ToolOutcome, steps: int, plan_loop: bool) -> str:
    if plan_loop:
        return "loops on planning"
    if not tools:
        return "answers directly without tools"
    if trace.agent_depth and max(trace.agent_depth.values()) > 1:
        return "delegates to sub-agents"
    if outcome.recovered:
        return "act-observe with revision after an error"
    if steps >= 2:
        return "plans then executes"
    if len(trace.llm_spans) > 2:
        return "act-observe loop"
    return "single tool step"


def _resources(direct: DirectFacets, overflow: bool) -> str:
    if overflow:
        return "context grew to the limit"
    if direct.subagent_count >= FAN_OUT:
        return "many sub-agents"
    if direct.tool_call_count >= 10:
        return "many tool calls"
    if direct.turn_count >= 8:
        return "many model turns"
    return "light"


_FIRST_SENTENCE = re.compile(r"^(.+?[.?!])(\s|$)", re.S)


def summarize_task(trace: Trace, names: re.Pattern[str] | None) -> str:
    """The user's request, first sentence, cut short and scrubbed of names, ids and numbers."""
    request = trace.first_user_message.strip()
    match = _FIRST_SENTENCE.match(request)
    sentence = match.group(1) if match else request
    words = sanitize(sentence, names).split()
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


class OfflineExtractor:
    version = VERSION

    def extract(self, traces: Sequence[Trace], direct: Sequence[DirectFacets]) -> list[ModelFacets | FacetFailure]:
        out: list[ModelFacets | FacetFailure] = []
        for trace, facets in zip(traces, direct):
            # The trace's own tenant is scrubbed here; every tenant's name is scrubbed again before output.
            names = compile_names([trace.tenant]) if trace.tenant else None
            judged = judge(trace, facets)
            out.append(judged.model_copy(update={"task_summary": summarize_task(trace, names)}))
        return out


@hookimpl(trylast=True)
def traceclio_facet_extractor(settings: Settings) -> OfflineExtractor | None:
    if settings.llm != "offline":
        return None
    return OfflineExtractor()
