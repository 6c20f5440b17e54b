"""General signals read from agent traces: error classes, tool-action kinds, what a final answer claims.

Written for agent traces in general (any domain, framework or dialect): patterns name HTTP codes,
common exception wording and first-person claims, never one generator's vocabulary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from traceclio_core.model import Span, Trace

ERROR_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("context_overflow", r"context[ _-]?(length|window)|maximum context|too many tokens|token limit|prompt is too long"),
        ("iteration_limit", r"max(imum)?[ _-]?(iterations?|steps|turns)|recursion[ _-]?limit|iteration limit|step limit|loop limit"),
        ("rate_limit", r"\b429\b|rate[ _-]?limit|too many requests|throttl|quota"),
        ("timeout", r"time[ _-]?d?[ _-]?out|deadline exceeded|\b408\b|\b504\b"),
        ("server_error", r"\b5\d\d\b|internal (server )?error|service unavailable|bad gateway|upstream|server error|overloaded"),
        ("invalid_arguments", r"\b(400|422)\b|invalid|validation|missing (required )?(field|param|argument)|required (field|param|argument)|schema|malformed|bad request|unexpected (keyword|argument|field)|type ?error|could not parse|must be"),
        ("permission", r"\b(401|403)\b|permission|forbidden|unauthori[sz]ed|access denied|not allowed|credential"),
        ("not_found", r"\b404\b|not found|no such|does not exist|unknown (id|record)"),
    )
)

_ERROR_PAYLOAD = re.compile(
    r'^\s*(\{\s*"(error|errors|exception|fault)"|error\b|exception\b|traceback|fatal\b)'
    r'|"(status|status_code|code)"\s*:\s*"?(4\d\d|5\d\d)\b',
    re.I,
)

WRITE_WORDS = frozenset(
    "create update send post book cancel delete submit write set put add remove schedule refund transfer deploy "
    "restart apply assign reset approve file notify email place charge pay modify edit commit push merge upload "
    "insert patch reserve escalate rollback provision revoke grant sms".split()
)
READ_WORDS = frozenset(
    "get search find list lookup look read fetch query retrieve check view show describe browse load scan "
    "inspect status count lookup_ read_file grep cat ls download scrape crawl navigate visit".split()
)


def error_text(span: Span) -> str:
    parts = [span.error_type or "", span.error_message or ""]
    if span.failed and span.tool_result:
        parts.append(span.tool_result[:300])
    return " ".join(p for p in parts if p)


def looks_failed(span: Span) -> bool:
    """Failed by status, or a tool result that is plainly an error payload under an OK status."""
    if span.failed:
        return True
    return bool(span.tool_result) and bool(_ERROR_PAYLOAD.search(span.tool_result[:300]))


def classify_error(span: Span) -> str:
    text = error_text(span) or (span.tool_result or "")[:300]
    for name, pattern in ERROR_CLASSES:
        if pattern.search(text):
            return name
    return "other"


_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def name_words(name: str) -> list[str]:
    """`lookupOrder` / `crm__update_record` / `calendar.events.insert` → lowercase words."""
    return [w for w in _SPLIT.split(_CAMEL.sub(" ", name).lower()) if w]


def action_kind(tool_name: str) -> str:
    """'write' when the tool changes something, 'read' when it looks something up, else 'other'.

    The first verb-like word decides: `lookup_order` reads, `read_file` reads, `crm__update_record` writes.
    """
    for word in name_words(tool_name):
        if word in WRITE_WORDS:
            return "write"
        if word in READ_WORDS or word.startswith("search"):
            return "read"
    return "other"


def normalize_tool(name: str) -> str:
    return "".join(name_words(name))


def same_tool(claimed: str, actual: str) -> bool:
    """Names match up to case and separators, or one is the other with a namespace (`crm__lookup`)."""
    a, b = normalize_tool(claimed), normalize_tool(actual)
    return bool(a) and (a == b or a.endswith(b) or b.endswith(a))


def canonical_arguments(arguments: str | None) -> str:
    if not arguments:
        return ""
    try:
        return json.dumps(json.loads(arguments), sort_keys=True)
    except ValueError:
        return " ".join(arguments.split())


_TOOL_MENTION = re.compile(
    r"(?:\b(?:call(?:ed|ing)?|us(?:ed|ing)|ran|invok(?:ed|ing)|execut(?:ed|ing)|quer(?:ied|ying)|via|through|with)"
    r"\s+(?:the\s+)?)`?([A-Za-z][\w.\-]*[\w])`?(\s+(?:tool|function|api|endpoint|action)\b)?",
)
_IDENTIFIER = re.compile(r"[a-z0-9]_[a-z0-9]|[a-z][A-Z]|[a-z]\.[a-z]|__")


def tools_mentioned(text: str) -> list[str]:
    """Tool-like names the text says were called: `lookup_order`, the searchDocs tool, via crm.update."""
    found = []
    for match in _TOOL_MENTION.finditer(text):
        name, tool_word = match.group(1), match.group(2)
        if _IDENTIFIER.search(name) or tool_word or match.group(0).count("`") >= 2:
            found.append(name)
    return found


_WRITE_CLAIM = re.compile(
    r"\b(I(?:'ve| have)?|we(?:'ve| have)?)\s+(?:now\s+|also\s+|just\s+|successfully\s+)?"
    r"(updated|booked|sent|cancell?ed|scheduled|created|submitted|processed|refunded|reset|deployed|fixed|"
    r"restarted|filed|emailed|notified|placed|changed|added|removed|deleted|issued|applied|reserved|"
    r"transferred|saved|committed|merged|pushed|uploaded|rolled back|escalated|opened|closed|approved|granted)\b"
    r"|\b(?:has|have) been (?:successfully )?(updated|booked|sent|cancell?ed|scheduled|created|submitted|"
    r"processed|refunded|reset|deployed|fixed|restarted|filed|placed|changed|added|removed|deleted|issued|"
    r"applied|reserved|transferred|saved|committed|merged|pushed|uploaded|escalated|approved|granted)\b",
    re.I,
)
_READ_CLAIM = re.compile(
    r"\b(I(?:'ve| have)?|we(?:'ve| have)?)\s+(?:now\s+|also\s+|just\s+)?"
    r"(checked|verified|looked up|looked into|searched|queried|confirmed|reviewed|pulled|retrieved|fetched|"
    r"consulted|ran|analy[sz]ed|inspected|scanned|read through|went through)\b"
    r"|\baccording to (?:the|our) (?:system|records|database|logs|api|tool|results)\b",
    re.I,
)
_REFUSAL = re.compile(
    r"\b(I(?:'m| am)?\s*(?:sorry,?\s*)?(?:but\s*)?(?:I\s*)?(?:can(?:no|')t|cannot|won't|will not|"
    r"am not able to|'m not able to|am unable to|'m unable to)\s+(?:help|assist|do|provide|comply|fulfil|"
    r"complete|share|process|support|perform|answer|engage)"
    r"|I must decline|not (?:able|allowed|permitted) to (?:help|assist)|against (?:our|my) (?:policy|policies|guidelines)"
    r"|(?:can't|cannot|won't) (?:help|assist) with (?:that|this))",
    re.I,
)
_ADMITS_FAILURE = re.compile(
    r"\b(unable|couldn't|could not|can't|cannot|wasn't able|was not able|weren't able|failed|failure|"
    r"error|unfortunately|not available|unavailable|try again later|didn't work|did not work|"
    r"went wrong|not possible|outage|down right now|having trouble|encountered (?:an|a) (?:issue|problem)|"
    r"returned an? (?:issue|problem)|timed out|rate[- ]limit)",
    re.I,
)
_SUCCESS = re.compile(
    r"\b(successfully|done|completed|all set|has been|have been|I've|I have|here (?:is|are)|confirmed|"
    r"is now|are now|resolved|ready|finished|took care)\b",
    re.I,
)
_FROM_MEMORY = re.compile(
    r"\b(as of my (?:last|knowledge)|based on (?:my|general) knowledge|from memory|from what I know|"
    r"typically|generally|usually|historically|last I (?:checked|knew)|in my training|my knowledge|"
    r"I recall|should be (?:around|about|roughly)|(?:is|are) (?:usually|typically|often))\b",
    re.I,
)
_CLARIFY = re.compile(
    r"\b((?:could|can|would) you (?:please )?(?:clarify|confirm|specify|tell me|provide|share|let me know|"
    r"describe|explain)|which (?:one|of|account|option|version|file|date|time)|do you (?:mean|want)|"
    r"would you like|please (?:clarify|confirm|specify|provide|share)|did you mean|"
    r"before I (?:proceed|continue|start)|can you (?:clarify|confirm))",
    re.I,
)
_PLAN_STEP = re.compile(r"^\s*(?:step\s*)?(\d{1,2})[.):]\s+\S", re.I | re.M)
_INJECTION = re.compile(
    r"(ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your) (?:instructions|prompts|directions|rules)"
    r"|disregard (?:the |all |any |your )?(?:previous|prior|above|earlier|system)"
    r"|you are now (?:a|an|in)\b|new instructions?\s*:|system (?:prompt|override|message|notice)\s*:"
    r"|(?:important|attention|note)\s*(?:to|for)?\s*(?:the )?(?:ai|assistant|agent|llm)s?\s*[:,\-]"
    r"|(?:assistant|ai|agent),? (?:you must|please|now) "
    r"|do not (?:tell|inform|mention (?:this )?to) the user|without (?:telling|informing) the user"
    r"|exfiltrat|(?:forward|send|email|post|upload) (?:all|the|this|every|any|your) [^.\n]{0,60}? to "
    r"[^\s]+(?:@|https?://))",
    re.I,
)


@dataclass(frozen=True, slots=True)
class AnswerClaims:
    write_claim: bool
    read_claim: bool
    refusal: bool
    admits_failure: bool
    success: bool
    from_memory: bool
    clarifying_question: bool


def answer_claims(answer: str) -> AnswerClaims:
    tail = answer.strip()[-400:]
    return AnswerClaims(
        write_claim=bool(_WRITE_CLAIM.search(answer)),
        read_claim=bool(_READ_CLAIM.search(answer)),
        refusal=bool(_REFUSAL.search(answer)),
        admits_failure=bool(_ADMITS_FAILURE.search(answer)),
        success=bool(_SUCCESS.search(answer)),
        from_memory=bool(_FROM_MEMORY.search(answer)),
        clarifying_question="?" in tail and bool(_CLARIFY.search(tail)),
    )


def plan_steps(trace: Trace) -> int:
    """The longest numbered plan any LLM wrote (0 when none)."""
    best = 0
    for span in trace.llm_spans:
        numbers = [int(n) for n in _PLAN_STEP.findall(span.output_content)]
        if numbers and numbers[0] == 1:
            best = max(best, max(numbers))
    return best


def injected_instruction(text: str) -> str | None:
    match = _INJECTION.search(text or "")
    return match.group(0) if match else None


def similarity(a: str, b: str) -> float:
    """Word-set Jaccard: good enough to see an LLM repeating itself."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)
