"""What results require before a change, and where two results disagree.

A result can say a step is required first (`requires_approval: true`, `verification_required`, "requires
a manager's sign-off"); the calls after it either take that step, hear from the user, or go on and change
something anyway. Two results can give the same field of the same subject different values; the answer
either says so or states one of them as if there were no other. Steps and subjects are read from key
names, call names and shared values, never from a list of domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from traceclio_core.model import Span
from traceclio_evidence.consistency import objects, parse, records, scalar_leaves
from traceclio_evidence.dates import whole_dates
from traceclio_evidence.qualifiers import all_figures
from traceclio_evidence.request import content_words
from traceclio_structure.spans import action_kind, looks_failed, name_words

_REQUIRES = frozenset("require requires required requirement needs needed mandatory must pending awaiting".split())
_NOT_STEP = _REQUIRES | frozenset("is has to be the a an of for before first".split())
_REQUIRES_TEXT = re.compile(r"\b(?:requires?|required|needs? to be|must be|must first|awaiting|pending)\s+"
                            r"(?:an? |the |prior |explicit |written )?([a-z][a-z -]{3,40}?)(?=[.,;:!)\"]|$| before| "
                            r"from| by| prior)", re.I)


@dataclass(frozen=True, slots=True)
class Requirement:
    at: int  # when the result that states it ended
    step: frozenset[str]  # the step's words, by stem ("approv", "manag")


def _stems(words) -> frozenset[str]:
    return frozenset(w[:5] for w in words if len(w) >= 4 and w not in _NOT_STEP)


def requirements(tools: list[Span]) -> list[Requirement]:
    """The steps results say are required: a true flag whose key says so (`requires_approval`,
    `approval_required`, `needs_review`), a string under such a key (`requires: "manager sign-off"`), and
    text that says "requires …", "must be … before"."""
    out = []
    for span in tools:
        if looks_failed(span):
            continue
        parsed = parse(span.tool_result)
        texts: list[str] = []
        for d in objects(parsed) if parsed is not None else []:
            for key, value in d.items():
                words = name_words(key)
                if not set(words) & _REQUIRES:
                    if isinstance(value, str) and len(value) < 300:
                        texts.append(value)
                    continue
                if value is True:
                    step = _stems(words)
                elif isinstance(value, str) and value.strip() and value.lower() not in ("none", "no", "false", "n/a"):
                    step = _stems(words) | _stems(content_words(value))
                elif isinstance(value, list) and value:
                    step = _stems(words) | _stems(w for v in value if isinstance(v, str) for w in content_words(v))
                else:
                    continue
                if step:
                    out.append(Requirement(span.end_ns, step))
        if parsed is None:
            texts.append(span.tool_result or "")
        for text in texts:
            for m in _REQUIRES_TEXT.finditer(text[:2000]):
                step = _stems(content_words(m.group(1)))
                if step:
                    out.append(Requirement(span.end_ns, step))
    return out


def unmet(found: list[Requirement], tools: list[Span], user_times: list[int]) -> tuple[int, int]:
    """Of the requirements, (met, unmet): met when a later call's name or arguments name the step, or the
    user speaks before the next change; unmet when a call that changes something follows with neither."""
    met = missed = 0
    for need in found:
        later = [s for s in tools if s.start_ns >= need.at]
        change = next((s for s in later if action_kind(s.tool_name or "") == "write" and not looks_failed(s)), None)
        before = [s for s in later if change is None or s.start_ns < change.start_ns]
        took_step = any(_stems(name_words(s.tool_name or "")) & need.step or
                        _stems(content_words(s.tool_arguments or "")) & need.step for s in before)
        heard = any(need.at <= t <= (change.start_ns if change is not None else t) for t in user_times)
        if took_step or heard:
            met += 1
        elif change is not None:
            missed += 1
    return met, missed


# -- results that disagree -------------------------------------------------------------------------------

_VOLATILE = frozenset("id ids time date timestamp created updated modified at ms latency duration elapsed took "
                      "count page offset limit cursor token next total version etag hash request trace span "
                      "generated fetched retrieved".split())
_CONFLICT_TOLD = re.compile(r"\b(?:differ\w*|conflict\w*|discrepan\w*|inconsisten\w*|mismatch\w*|disagree\w*|"
                            r"contradict\w*|whereas|while (?:the|one|another)|on the other hand|but (?:the|another)|"
                            r"however|two (?:different|sources)|another source|other source)\b", re.I)


_NAMING = frozenset("id name sku code number title email ref reference slug symbol ticker isbn handle username "
                    "account customer user order ticket product item".split())


def _fields(obj: Any, asked: set[str]) -> tuple[set[str], dict[tuple[str, ...], str]]:
    """A result's subject (the values of keys that name it, an id, a name, a code, and the values it shares
    with its call's arguments: what the call asked about) and its other scalar fields by key stems, for
    results that describe one subject (no list of several records)."""
    ident: set[str] = set()
    fields: dict[tuple[str, ...], str] = {}
    if next(records(obj), None) is not None or not isinstance(obj, dict):
        return set(), {}  # several records: a search's matches, not one subject
    if len(obj) == 1 and isinstance(next(iter(obj.values())), dict):
        obj = next(iter(obj.values()))  # an envelope: {"data": {...}}
    # Its own fields: nested objects are other subjects (a passenger, a payment method).
    for key, value in obj.items():
        if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
            continue
        words = set(name_words(key))
        text = str(value).strip().lower()
        if words & (_VOLATILE - {"id", "ids"}):
            continue  # a request id, a time: the call's, not the subject's
        if text in asked or words & _NAMING:
            if len(text) >= 3:
                ident.add(text)
        elif text:
            fields[tuple(w[:5] for w in name_words(key))] = text
    return ident, fields


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _comparable(a: tuple[str, ...], b: tuple[str, ...], x: str, y: str) -> bool:
    """Two fields of two results give the same thing: the same key, or keys sharing a word whose values are
    both dates (`contract_end`, `current_term_end`)."""
    return a == b or bool(set(a) & set(b) - {"is", "has", "the"}) and bool(_DAY.match(x)) and bool(_DAY.match(y))


def _stated(value: str, answer: str) -> bool:
    """The answer gives the value: a figure among its figures (45 for 45.0, $1,200 for 1200), a text word
    for word."""
    if _DAY.match(value):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return False
        return day in whole_dates(answer, day.year)
    try:
        figure = float(value)
    except ValueError:
        return bool(re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", answer))
    return any(abs(f - figure) <= 0.005 for f in all_figures(answer))


def disagreements(tools: list[Span], answer: str) -> tuple[int, bool]:
    """Fields of one subject (results of two different tools that name it by a shared id, name or asked-for
    value) that the two give different values, with no change made between them, and that the answer does
    not state both of; and whether the answer says results differ."""
    seen: list[tuple[Span, set[str], dict[tuple[str, ...], str]]] = []
    low = (answer or "").lower()
    count = 0
    for span in tools:
        if looks_failed(span):
            continue
        if action_kind(span.tool_name or "") == "write":
            seen.clear()  # a change between two reads explains their difference
            continue
        parsed = parse(span.tool_result)
        if parsed is None:
            continue
        asked = {v.strip().lower() for v in scalar_leaves(parse(span.tool_arguments))}
        ident, fields = _fields(parsed, asked)
        for other, other_ident, other_fields in seen:
            if other.tool_name == span.tool_name:
                continue  # the same tool again: a retry, or the same question of another subject
            if not ident & other_ident:
                continue  # not the same subject
            for key, value in fields.items():
                for their_key, theirs in other_fields.items():
                    if (_comparable(key, their_key, value, theirs) and theirs != value
                            and not (_stated(value, low) and _stated(theirs, low))):
                        count += 1
        seen.append((span, ident, fields))
    return count, bool(count) and bool(_CONFLICT_TOLD.search(low))
