"""What a trace's spans show, read in general terms, for every facet plugin: error classes from HTTP codes
and exception wording, what kind of action a tool name says, call arguments compared as values, tools an
LLM asked for or named, empty results, planted instructions, plan steps, how alike two texts are.

Written for agent traces in general (any domain, framework or dialect); nothing here names a behaviour.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from traceclio_core.model import Span
from traceclio_core.json_text import loads_shared

ERROR_CLASSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("context_overflow", r"context[ _-]?(length|window)|maximum context|too many tokens|token limit|prompt is too long|"
                             r"input is too long|too long for the model|request too large"),
        ("iteration_limit", r"max(imum)?[ _-]?(iterations?|steps|turns)|recursion[ _-]?limit|iteration[ _-]?limit|"
                            r"step[ _-]?limit|(?<!event )loop[ _-]?(limit|error)|(step|turn|iteration) budget|"
                            r"aborted after \d+ (reasoning )?(turns|steps|iterations)"),
        ("unknown_tool", r"(unknown|invalid|unrecogni[sz]ed|unsupported) (tool|function)|(tool|function) "
                         r"\S+ (does not exist|not found|is not (a valid|available))|no such (tool|function)|"
                         r"is not a valid tool"),
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
    r'|"(status|status_code|code)"\s*:\s*"?(4\d\d|5\d\d)\b'
    # Shell and code tools (coding agents) report failure in their output, not in the span status.
    r"|traceback \(most recent call last\)|\bexit (?:code|status):? ?[1-9]|: command not found\b",
    re.I,
)

WRITE_WORDS = frozenset(
    "create update send post book cancel delete submit write set put add remove schedule refund transfer deploy "
    "restart apply assign reset approve file notify email place charge pay modify edit commit push merge upload "
    "insert patch reserve escalate rollback provision revoke grant sms resolve close fix mitigate dispatch renew "
    "roll undo revert disable enable toggle save archive rename invite publish register subscribe unsubscribe "
    "fill".split()
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
    return list(_name_words(name))


@lru_cache(maxsize=8192)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in _SPLIT.split(_CAMEL.sub(" ", name).lower()) if w)


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
        return json.dumps(loads_shared(arguments), sort_keys=True)
    except ValueError:
        return " ".join(arguments.split())


_TOOL_MENTION = re.compile(
    r"(?:\b(?:call(?:ed|ing)?|us(?:ed|ing)|ran|invok(?:ed|ing)|execut(?:ed|ing)|quer(?:ied|ying)|via|through|with)"
    r"\s+(?:the\s+)?)`?([A-Za-z][\w.\-]*[\w])`?(\s+(?:tool|function|api|endpoint|action)\b)?",
)
# "before calling any tool", "using the right tool": words that stand where a tool name would.
_NOT_TOOL_NAMES = frozenset("any a an the this that each every some another other one my your our their no "
                            "right same correct wrong new appropriate relevant".split())
_IDENTIFIER = re.compile(r"[a-z0-9]_[a-z0-9]|[a-z][A-Z]|[a-z]\.[a-z]|__")


# The ReAct text protocol (LangChain's format): the model asks for a call in its text, not as a tool call.
_REACT_ACTION = re.compile(r"^\s*Action\s*:\s*`?([A-Za-z][\w.\-]*)`?\s*\n\s*Action\s+Input\s*:", re.M)


def react_actions(text: str) -> list[str]:
    """Tools an LLM output asks for in the ReAct text protocol ("Action: lookup_order\nAction Input: {…}")."""
    return _REACT_ACTION.findall(text or "")


def tools_mentioned(text: str) -> list[str]:
    """Tool-like names the text says were called: `lookup_order`, the searchDocs tool, via crm.update."""
    found = []
    for match in _TOOL_MENTION.finditer(text):
        name, tool_word = match.group(1), match.group(2)
        if name.lower() in _NOT_TOOL_NAMES:
            continue
        loose = match.group(0).split()[0].lower() in ("via", "through", "with")
        if (_IDENTIFIER.search(name) and not loose) or tool_word or match.group(0).count("`") >= 2:
            found.append(name)
    return found


_INJECTION = re.compile(
    r"(ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your) (?:instructions|prompts|directions|rules)"
    r"|disregard (?:the |all |any |your )?(?:previous|prior|above|earlier|system)"
    r"|you are now (?:a|an|in)\b|new instructions?\s*:|system (?:prompt|override|message|notice)\s*:"
    r"|(?:important|attention|note)\s*(?:to|for)?\s*(?:the )?(?:ai|assistant|agent|llm)s?\s*[:,\-]"
    r"|(?:note|message|instructions?|reminder) (?:to|for) (?:any |all |the )?(?:ai |llm |automated )?"
    r"(?:agents?|assistants?|models?|bots?)\b"
    r"|(?:assistant|ai|agent),? (?:you must|please|now) "
    r"|\b(?:assistant|ai|agent|llm|model)\s*:\s*[^\n]{0,60}?\b(?:you must|you should|always|never|do not|tell the user)"
    r"|<!--[^>]{0,200}?\b(?:assistant|ai|agent|llm|model)\b"
    r"|(?:ignore|disregard|forget|override) (?:all |any |the |your |of )*(?:previous |prior |earlier |above |system |"
    r"original )?(?:instructions|guidelines|rules|directions|prompts|policies|safeguards)"
    r"|\bif you are an? (?:ai|llm|language model|assistant|agent|bot)\b"
    r"|\b(?:note|message|instructions?|reminder|notice)s? (?:to|for) (?:any |all |the )?(?:ai|llm|gpt|automated)\b"
    r"[\w -]{0,30}?\b(?:tools?|systems?|screeners?|assistants?|agents?|models?|readers?|reviewers?|bots?)\b"
    r"|#{2,}\s*(?:system|admin|developer)\s*#{2,}|\[\[?\s*(?:system|admin|developer)(?: override| message| notice)?\s*\]\]?"
    r"|do not (?:tell|inform|mention (?:this )?to) the user|without (?:telling|informing) the user"
    r"|exfiltrat|(?:forward|send|email|post|upload) (?:all|the|this|every|any|your) [^.\n]{0,60}? to "
    r"[^\s]+(?:@|https?://))",
    re.I,
)


_LIST_ITEM = re.compile(r"^\s*(?:(?:step\s*)?\d{1,2}[.):]|[-*•])\s+\S", re.I | re.M)


_INLINE_ITEM = re.compile(r"(?:^|[\s:;,])\(?(?:\d{1,2}|[a-h])\)\s+\S|\bstep \d{1,2}\s*[:.)-]", re.I)
_ARROW = re.compile(r"\s(?:->|→|=>)\s")
_SEQUENCE_WORD = re.compile(r"\b(?:then|next|finally|after that|afterwards)\b", re.I)
_FIRST = re.compile(r"\bfirst\b", re.I)
_PLAN_WORD = re.compile(r"^\s*(?:(?:my |the |revised |updated )?(?:plan|approach|steps)\b|let me plan)", re.I)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_ANNOUNCED_STEPS = re.compile(r"\bin (two|three|four|five|six|[2-9]) (?:steps|stages|parts)\b", re.I)


def plan_items(text: str) -> int:
    """Steps in a plan a text lays out: a list, "1) … 2) …", "a -> b -> c", or "first …, then …, then …"."""
    counts = [len(_LIST_ITEM.findall(text)), len(_INLINE_ITEM.findall(text))]
    announced = _ANNOUNCED_STEPS.search(text)
    if announced:
        counts.append(_NUMBER_WORDS.get(announced.group(1).lower(), 0) or int(announced.group(1)))
    arrows = len(_ARROW.findall(text))
    counts.append(arrows + 1 if arrows >= 2 else 0)
    if _PLAN_WORD.search(text):
        # "Approach -> gather data; cross-check; act": a plan announced by name, its steps split by semicolons.
        counts.append(text.count(";") + 1)
    if _FIRST.search(text):
        counts.append(1 + len(_SEQUENCE_WORD.findall(text)))
    best = max(counts)
    return best if best >= 2 else 0


_EMPTY_RESULT = re.compile(
    r'^\s*(?:\[\s*\]|\{\s*\}|null|none|)\s*$|"(?:results|items|data|hits|matches|rows|records|documents)"\s*:\s*\[\s*\]'
    r'|"(?:count|total|total_results|num_results)"\s*:\s*0\b|\bno (?:results|matches|records|documents) found\b|'
    r"\b0 (?:results|matches|records)\b|\bno matching (?:records|results|items|documents|entries)\b|^\s*nothing found\b|"
    r"\bno (?:\w+ ){0,2}(?:match(?:es|ed)?|were found|found)\b",
    re.I,
)


def empty_result(result: str | None) -> bool:
    """An empty answer from a tool: `[]`, `{"hotels": []}`, "no products match your search", a zero count."""
    if result is None:
        return False
    if _EMPTY_RESULT.search(result[:500]):
        return True
    try:
        value = loads_shared(result)
    except ValueError:
        return False
    if isinstance(value, dict) and isinstance(value.get("data"), dict):
        value = value["data"]  # a common envelope: {"data": {...}, "status": "ok"}
    # Every list the result carries is empty: {"hotels": []}, {"status": 200, "products": []}.
    lists = [v for v in value.values() if isinstance(v, list)] if isinstance(value, dict) else []
    return bool(lists) and not any(lists)


def injected_instruction(text: str) -> str | None:
    match = _INJECTION.search(text or "")
    return match.group(0) if match else None


def similarity(a: str, b: str) -> float:
    """Word-set Jaccard: good enough to see an LLM repeating itself."""
    wa, wb = set(a.lower().split()), set(b.lower().split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)
