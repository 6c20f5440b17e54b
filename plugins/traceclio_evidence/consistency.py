"""What later steps do with what earlier steps said.

Each reading compares one part of a trace with another, in general terms: a figure the answer states
against the figures the results hold and what they add up to; a field a result left empty against what
the answer says of it; a record a later call acts on against the other records the same result listed and
against what the result said of that record; something a call started or acquired against the calls that
stop or release it; an answer against the one before it, across a user's turn. None of it names a domain
or a behaviour: a record is a JSON object, a figure a number, a field a key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from traceclio_core.model import Span
from traceclio_structure.spans import action_kind, name_words
from traceclio_structure.values import values
from traceclio_core.json_text import loads_shared
from traceclio_evidence.text import declines, unable

# A figure within this share of a candidate (or a cent of it) is that candidate, written with rounding.
FIGURE_TOLERANCE = 0.005
MAX_GROUP = 60  # sums over more items than this are not tried (a long table's column)
# Leaf values that say a field holds nothing.
_MISSING = frozenset({"", "n/a", "na", "null", "none", "unknown", "tbd", "-", "--", "not available", "pending data"})
# What an answer says when it tells the reader a field has no value.
_SAYS_MISSING = re.compile(r"\b(?:not (?:available|listed|recorded|provided|known|set|yet)|unknown|missing|no data|"
                           r"n/a|isn't (?:listed|recorded|available|known)|wasn't (?:listed|recorded|provided)|"
                           r"no (?:value|figure|record|information|info)|not in the (?:record|data|system)|"
                           r"blank|empty|none (?:given|listed|recorded))\b", re.I)
_SAYS_NONE = re.compile(r"\b(?:no|none|zero|nothing|empty|not any|0)\b", re.I)
# Keys whose true value marks a record as not open to action; any other key's false does.
_NEGATIVE_WHEN_TRUE = frozenset(
    "busy conflict conflicts blocked locked expired full taken occupied suspended overdue flagged closed booked "
    "reserved sold_out out_of_stock soldout unavailable disabled deleted cancelled canceled revoked frozen".split())
_NEGATIVE_STATUS = frozenset(
    "busy unavailable taken full closed occupied conflict ineligible denied rejected expired invalid blocked "
    "locked suspended declined frozen revoked booked reserved".split()) | {"sold out", "out of stock",
                                                                            "not available", "no availability"}
_STATUS_KEYS = frozenset("status state availability result verdict eligibility".split())
# Verbs of calls that start or take hold of something that is meant to be stopped or given back.
ACQUIRE_WORDS = frozenset("start launch provision spawn allocate acquire lock spin boot lease mount attach".split())
RELEASE_WORDS = frozenset("stop terminate destroy delete close release unlock deallocate teardown shutdown "
                          "kill remove cleanup clean detach unmount return end deprovision drop free".split())
# What a user writes when they dispute an answer.
_DISPUTE = re.compile(r"\b(?:are you sure|that'?s (?:not right|wrong|incorrect|not correct)|(?:this|that|it) "
                      r"(?:is|seems|looks) (?:wrong|incorrect|off)|i don'?t think (?:so|that'?s)|i disagree|"
                      r"that can'?t be|you'?re wrong|not what i|double[- ]check|check again|are you certain|"
                      r"i(?:'m| am) pretty sure|i was told|actually,? (?:it|i|the)|no,? (?:it|that|the))\b", re.I)
# What an answer writes when it takes the user's side.
_CONCEDES = re.compile(r"\b(?:you'?re (?:right|correct|absolutely right)|you are (?:right|correct)|"
                       r"(?:my|i) apolog|sorry for the (?:confusion|error|mistake)|good catch|"
                       r"thanks? (?:you )?for (?:correcting|catching|pointing)|i stand corrected|"
                       r"i was (?:wrong|mistaken)|i made (?:a|an) (?:mistake|error))", re.I)
# Text written as a tool call rather than made as one: a function-call JSON object, a call tag, or
# `name(key=...)`.
_CALL_JSON = re.compile(r"\{\s*\"(?:name|tool|function|tool_name|action)\"\s*:\s*\"[\w.-]+\"\s*,\s*"
                        r"\"(?:arguments|parameters|args|input|action_input)\"\s*:", re.I)
_CALL_TAG = re.compile(r"<\s*(?:tool_call|function_call|invoke|tool_use|function=)|\[TOOL_CALLS\]", re.I)
_CALL_SYNTAX = re.compile(r"^\s*`{0,3}\s*[a-z][a-z0-9]*(?:_[a-z0-9]+)+\(\s*[a-z_]+\s*=", re.I | re.M)


def parse(text: str | None) -> Any | None:
    if not text or text.lstrip()[:1] not in "[{":
        return None
    try:
        return loads_shared(text)
    except ValueError:
        return None


def records(obj: Any) -> Iterator[list[dict]]:
    """Every list of two or more JSON objects a value holds (the matches a search returned)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            dicts = [x for x in item if isinstance(x, dict)]
            if len(dicts) >= 2:
                yield dicts
            stack.extend(item)


def objects(obj: Any) -> Iterator[dict]:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def scalar_leaves(obj: Any) -> set[str]:
    """Each string and number a value holds, lower-cased (booleans and small counts say nothing of identity)."""
    out: set[str] = set()
    for d in objects(obj) if isinstance(obj, (dict, list)) else []:
        for value in d.values():
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, str) and len(value.strip()) >= 2:
                out.add(value.strip().lower())
            elif isinstance(value, (int, float)) and abs(value) >= 11:
                out.add(f"{value:g}")
    if isinstance(obj, list):
        out.update(str(x).lower() for x in obj if isinstance(x, str) and len(x) >= 2)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lstrip("$€£").replace(",", "")
        try:
            return float(text)
        except ValueError:
            return None
    return None


# -- figures the answer derives ----------------------------------------------------------------------

def figure_candidates(results: list[str]) -> list[float]:
    """Figures a careful reader could work out from the results: per key, the sum and mean over a list of
    records; per record, the difference, ratio and product of two of its figures; and the sum over
    records of one key times another (quantity × price)."""
    out: list[float] = []
    for text in results:
        parsed = parse(text)
        if parsed is None:
            numbers = [float(n) for n in values(text).numbers if _number(n) is not None][:MAX_GROUP]
            if len(numbers) >= 2:
                out.append(sum(numbers))
            continue
        for group in records(parsed):
            by_key: dict[str, list[float]] = {}
            for d in group[:MAX_GROUP]:
                for key, value in d.items():
                    number = _number(value)
                    if number is not None:
                        by_key.setdefault(key, []).append(number)
            for column in by_key.values():
                if len(column) >= 2:
                    out += [sum(column), sum(column) / len(column), max(column) - min(column)]
            keys = [k for k, c in by_key.items() if len(c) == len(group[:MAX_GROUP])]
            for i, a in enumerate(keys):
                for b in keys[i + 1:]:
                    out.append(sum(x * y for x, y in zip(by_key[a], by_key[b])))
        for d in objects(parsed):
            figures = [n for n in (_number(v) for v in d.values()) if n is not None][:12]
            for i, a in enumerate(figures):
                for b in figures[i + 1:]:
                    out += [a + b, abs(a - b), a * b]
                    if b:
                        out += [a / b * 100, a / b]
            if len(figures) >= 3:
                out.append(sum(figures))
    return out


def _matches(figure: float, candidate: float) -> bool:
    if abs(figure - candidate) <= max(0.01, FIGURE_TOLERANCE * abs(candidate)):
        return True
    # "about 1,200" for 1,204.5: a figure of two significant digits is the candidate rounded.
    digits = f"{abs(figure):g}".replace(".", "").strip("0")
    return len(digits) <= 2 and candidate and abs(figure - candidate) <= 0.05 * abs(candidate)


def derived_figures(loose: list[str], results: list[str]) -> tuple[int, int]:
    """Of the answer's figures found verbatim nowhere in the trace: how many a reader could work out from
    the results, and how many they could not (while the results hold figures at all)."""
    numbers = [n for n in (_number(v) for v in loose) if n is not None]
    if not numbers:
        return 0, 0
    candidates = figure_candidates(results)
    derived = sum(1 for n in numbers if any(_matches(n, c) for c in candidates))
    has_figures = bool(candidates) or any(values(r).numbers for r in results)
    return derived, (len(numbers) - derived) if has_figures else 0


# -- fields a result left empty ------------------------------------------------------------------------

def _key_words(key: str) -> list[str]:
    return [w for w in name_words(key) if len(w) >= 3 and w not in ("the", "and", "value", "data", "info")]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;\n])\s+", text or "") if s.strip()]


def empty_fields(results: list[str], answer: str) -> tuple[int, int, int]:
    """Fields a result holds with no value (null, '', 'N/A'), then, of those the answer speaks of, how many
    it gives a value (a figure, a date, an id in the same sentence) and how many it says have none."""
    empty: set[tuple[str, ...]] = set()
    for text in results:
        parsed = parse(text)
        for d in objects(parsed) if parsed is not None else []:
            for key, value in d.items():
                missing = value is None or (isinstance(value, str) and value.strip().lower() in _MISSING)
                words = _key_words(key)
                if missing and words:
                    empty.add(tuple(words))
    filled = told = 0
    sentences = [s.lower() for s in _sentences(answer)]
    for words in empty:
        about = [s for s in sentences if all(w in s for w in words)]
        if not about:
            continue
        if any(_SAYS_MISSING.search(s) for s in about):
            told += 1
        elif any(values(s).all() for s in about):
            filled += 1
    return len(empty), filled, told


# -- which record a call acts on -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Choice:
    candidates: int  # records in the result the acted-on one came from
    asked: bool  # a user turn came between that result and the call
    better_match_passed: bool  # another record's text matches the request better than the chosen one's


def _record_text(record: dict) -> set[str]:
    words: set[str] = set()
    for value in record.values():
        if isinstance(value, str) and not values(value).ids and len(value) < 200:
            words.update(w for w in re.findall(r"[a-z]{3,}", value.lower()))
    return words


def _identity(record: dict) -> set[str]:
    return {v for v in scalar_leaves(record) if len(v) >= 3}


def choices(tools: list[Span], request: str, user_turns: list[tuple[int, str]]) -> list[Choice]:
    """For each later call whose arguments carry a value only one record of an earlier result list holds:
    how many records there were, whether the user was asked in between, and whether another record matched
    the request's words better."""
    asked_words = set(re.findall(r"[a-z]{3,}", request.lower()))
    out = []
    for i, span in enumerate(tools):
        parsed = parse(span.tool_result)
        if parsed is None:
            continue
        for group in records(parsed):
            identities = [_identity(r) for r in group]
            for later in tools[i + 1:]:
                given = scalar_leaves(parse(later.tool_arguments))  # empty when the arguments are not JSON
                hits = [j for j, ident in enumerate(identities)
                        if ident & given and not any(ident & given <= other for k, other in enumerate(identities) if k != j)]
                if len(hits) != 1:
                    continue
                chosen = hits[0]
                score = [len(_record_text(r) & asked_words) for r in group]
                asked = any(span.end_ns <= at <= later.start_ns for at, _ in user_turns)
                out.append(Choice(len(group), asked, max(score) > score[chosen]))
                break
    return out


def _negative(record: dict) -> bool:
    for key, value in record.items():
        words = set(name_words(key))
        if isinstance(value, bool):
            if value and words & _NEGATIVE_WHEN_TRUE:
                return True
            if not value and not words & _NEGATIVE_WHEN_TRUE and not words & {"error", "errors", "failed"}:
                return True
        elif isinstance(value, str) and words & _STATUS_KEYS and value.strip().lower().replace("_", " ") in _NEGATIVE_STATUS:
            return True
    return False


def acted_on_negative(tools: list[Span]) -> int:
    """Calls that change something and carry a value that only records an earlier result marked negative
    hold (a false flag, a status such as busy or unavailable), none of those marked otherwise."""
    negative: set[str] = set()
    positive: set[str] = set()
    count = 0
    for span in tools:
        if action_kind(span.tool_name or "") == "write":
            given = scalar_leaves(parse(span.tool_arguments))
            count += bool(given & (negative - positive))
        parsed = parse(span.tool_result)
        for d in objects(parsed) if parsed is not None else []:
            flat = {k: v for k, v in d.items() if not isinstance(v, (dict, list))}
            (negative if _negative(flat) else positive).update(
                v for v in scalar_leaves(flat) if len(v) >= 3)
    return count


# -- started and never stopped -------------------------------------------------------------------------

def unreleased(tools: list[Span]) -> tuple[int, int]:
    """Successful calls that start or take hold of something (their tool's first verb), and how many of them
    no later call that stops or releases carries a value of (their result's or arguments' values)."""
    acquired = left = 0
    for i, span in enumerate(tools):
        words = name_words(span.tool_name or "")
        if not words or words[0] not in ACQUIRE_WORDS or span.failed:
            continue
        acquired += 1
        mine = set()
        for text in (span.tool_result, span.tool_arguments):
            parsed = parse(text)
            mine |= scalar_leaves(parsed) if parsed is not None else set(values(text or "").ids)
        released = False
        for later in tools[i + 1:]:
            later_words = name_words(later.tool_name or "")
            if later_words and later_words[0] in RELEASE_WORDS:
                parsed = parse(later.tool_arguments)
                given = scalar_leaves(parsed) if parsed is not None else set(values(later.tool_arguments or "").ids)
                if not mine or mine & given:
                    released = True
                    break
        left += not released
    return acquired, left


# -- an answer across a user's turn ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Revision:
    disputed: bool  # a later user turn disputes an answer
    revised_without_new_data: bool  # a disputed answer changed with nothing new that bears the change out
    revised_with_new_data: bool
    held: bool  # a disputed answer kept its figures and its yes or no


# How the opening of an answer says no: a negation, a refusal, or nothing found.
_SAYS_NO = re.compile(r"\b(?:not|no|none|nothing|never|cannot|can't|can not|unable|isn't|aren't|wasn't|weren't|won't|"
                      r"doesn't|don't|didn't|ineligible|unavailable|denied|declined|unfortunately)\b|n't\b", re.I)


def _opening(text: str) -> str:
    return (_sentences(text) or [""])[0]


_REFUSES = re.compile(r"\b(?:cannot|can't|can not|unable|not able|not possible|not allowed|not permitted|"
                      r"unfortunately|does not allow|doesn't allow|isn't possible|won't be able)\b", re.I)


def _gives_way(before: str, after: str, dispute: str) -> bool:
    """The later answer takes the user's side: it concedes; or the earlier answer opened with a no and the
    later one opens with a yes and refuses nothing anywhere; or it takes up a figure the user's dispute
    gave that the earlier answer did not state. A later answer that still declines holds its ground,
    however it opens."""
    if _CONCEDES.search(after):
        return True
    if declines(after) or unable(after) or _REFUSES.search(after):
        return False
    flipped = bool(_SAYS_NO.search(_opening(before))) and not _SAYS_NO.search(_opening(after))
    theirs = values(dispute).all() - values(before).all()
    return flipped or bool(theirs & values(after).all())


def revision(turns: list[tuple[str, str, int]], tools: list[Span]) -> Revision:
    """`turns` are (role, text, time) of the conversation in order: user turns and the assistant's replies
    that called no tool. A changed answer is borne out by new data when a call ran after the user's turn and
    every figure the answer newly states is in what those calls returned; taking up the user's own figure,
    or changing with nothing new to show for it, is giving way."""
    disputed = without = with_data = held = False
    last_answer: tuple[str, int] | None = None
    pending_user: list[tuple[str, int]] = []
    for role, text, at in turns:
        if role == "user":
            if last_answer is not None:
                pending_user.append((text, at))
            continue
        if last_answer is not None and pending_user:
            disputing = " ".join(t for t, _ in pending_user if _DISPUTE.search(t))
            ran = [s for s in tools if last_answer[1] <= s.start_ns <= at]
            new = values(text).all() - values(last_answer[0]).all()
            # Borne out when at least half of what the answer newly states came back from a call, in between
            # or earlier in the run (the rest worked out from it: a total, a difference).
            returned = set().union(*(values(s.tool_result or "").all() for s in tools if s.start_ns <= at))
            borne_out = bool(new) and 2 * len(new & returned) >= len(new)
            disputed = disputed or bool(disputing)
            if disputing:
                gave_way = _gives_way(last_answer[0], text, disputing)
                without = without or (gave_way and not borne_out)
                held = held or not gave_way
            if ran and new:
                with_data = True
        last_answer, pending_user = (text, at), []
    return Revision(disputed, without, with_data, held)


def call_text(answer: str) -> bool:
    """The answer holds text written as a tool call: a function-call object, a call tag, or a line opening
    with `snake_name(key=`."""
    return bool(_CALL_JSON.search(answer) or _CALL_TAG.search(answer) or _CALL_SYNTAX.search(answer))


def most_changes_of_one_tool(ok_tools: list[Span]) -> int:
    counts: dict[str, int] = {}
    for span in ok_tools:
        if action_kind(span.tool_name or "") == "write":
            counts[span.tool_name or ""] = counts.get(span.tool_name or "", 0) + 1
    return max(counts.values(), default=0)


# -- a record acted on that lacks what the request asked for ---------------------------------------------

def acted_against_request(tools: list[Span], request: str) -> int:
    """Calls that change something carrying a value only one record of an earlier result holds, where
    that record has a false flag whose key the request names, every word of it by stem ("pet-friendly"
    asked, `pet_friendly: false` booked)."""
    asked = {w[:5] for w in re.findall(r"[a-z]{3,}", request.lower())}
    count = 0
    for i, span in enumerate(tools):
        if action_kind(span.tool_name or "") != "write" or span.failed:
            continue
        given = scalar_leaves(parse(span.tool_arguments))
        if not given:
            continue
        for earlier in tools[:i]:
            parsed = parse(earlier.tool_result)
            group = [d for d in objects(parsed)] if parsed is not None else []
            flats = [{k: v for k, v in d.items() if not isinstance(v, (dict, list))} for d in group]
            identities = [{v for v in scalar_leaves(f) if len(v) >= 3} for f in flats]
            hits = [j for j, ident in enumerate(identities) if ident & given]
            if len(hits) != 1:
                continue
            record = flats[hits[0]]
            if any(value is False and (words := [w[:5] for w in name_words(key) if len(w) >= 3])
                   and set(words) <= asked and not set(name_words(key)) & _NEGATIVE_WHEN_TRUE
                   for key, value in record.items()):
                count += 1
                break
    return count
