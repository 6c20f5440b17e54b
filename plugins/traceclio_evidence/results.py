"""What tool results say about themselves, and whether later steps heeded it.

A result can say that it is not the end of the matter: that the work it reports is still under way (a
status field reads queued or running), that there is more to read than it holds (a next-page cursor, a
has-more flag, a total above what it returned), or how old its data is (an as-of time hours before the
call). A call made after a failure can differ from the one that failed by a switch turned on (a boolean
argument set true, a `--flag` added to a command). None of this names a domain: a status is a field
named status or state, a cursor a field named for the next page, an age a timestamp under a key that says
when the data was taken.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from traceclio_core.model import Span
from traceclio_evidence.consistency import parse
from traceclio_structure.spans import looks_failed
from traceclio_structure.values import values

# A status that says the work goes on; one that says it has come to an end (well or not).
UNFINISHED = frozenset("pending queued submitted processing in_progress in-progress running scheduled accepted "
                       "awaiting waiting initiated started enqueued requested provisioning deploying building "
                       "inprogress".split()) | {"in progress", "not started", "on hold"}
FINISHED = frozenset("completed complete done succeeded success successful finished failed failure error "
                     "cancelled canceled ready active delivered issued ticketed approved rejected resolved closed "
                     "merged deployed live passed settled paid refunded shipped confirmed expired "
                     "terminated stopped".split())
_STATUS_KEY = re.compile(r"(?:^|_)(?:status|state|phase|stage)$", re.I)
# Fields that say a result holds one page of more.
_MORE_FLAG = re.compile(r"^(?:has_?more|more|more_available|truncated|incomplete|partial|has_next(?:_page)?)$", re.I)
_CURSOR = re.compile(r"^(?:next(?:_?(?:page|cursor|token|page_token|offset|link|url))?|next_?page_?token|"
                     r"(?:page_)?cursor|continuation(?:_token)?|after)$", re.I)
_TOTAL = re.compile(r"^(?:total|total_?count|total_?results|total_?items|count_total|num_?results|total_?hits)$",
                    re.I)
_PAGE_OF = re.compile(r"\bpage\s+(\d{1,4})\s*(?:of|/)\s*(\d{1,5})\b", re.I)
# Keys that date the data a result holds (not a record's own dates: an order's created_at is no age).
_AS_OF = re.compile(r"(?:^|_)(?:as_?of|cached(?:_at)?|snapshot(?:_at|_time|_taken)?|refreshed(?:_at)?|"
                    r"generated(?:_at)?|fetched(?:_at)?|synced(?:_at)?|last_?(?:sync|refresh)(?:ed)?(?:_at)?|"
                    r"data_?(?:as_?of|timestamp|time)|computed(?:_at)?|captured(?:_at)?)$", re.I)
_FLAG = re.compile(r"(?<![\w-])--?[a-z][\w-]*", re.I)
MAX_NODES = 2_000  # leaves looked at per result


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    """(key, value) for every keyed value of a parsed result, breadth first, at most MAX_NODES of them."""
    queue, seen = deque([value]), 0
    while queue and seen < MAX_NODES:
        item = queue.popleft()
        if isinstance(item, dict):
            for key, inner in item.items():
                seen += 1
                yield str(key), inner
                if isinstance(inner, (dict, list)):
                    queue.append(inner)
        elif isinstance(item, list):
            queue.extend(x for x in item[:50] if isinstance(x, (dict, list)))


def _statuses(result: Any) -> set[str]:
    return {value.strip().lower() for key, value in _walk(result)
            if isinstance(value, str) and len(value) <= 40 and _STATUS_KEY.search(key)}


def _unfinished(state: str) -> bool:
    return state in UNFINISHED or state.replace(" ", "_") in UNFINISHED


def _finished(state: str) -> bool:
    return state.replace(" ", "_") in FINISHED


def unfinished(tools: list[Span]) -> tuple[int, int]:
    """Successful results whose status says the work is still under way (and none says it ended), and of
    those, how many no later result of the run reports as come to an end."""
    states = [(i, _statuses(parse(s.tool_result))) for i, s in enumerate(tools) if not looks_failed(s)]
    open_at = [i for i, found in states if any(map(_unfinished, found)) and not any(map(_finished, found))]
    left = sum(1 for i in open_at if not any(j > i and any(map(_finished, found)) for j, found in states))
    return len(open_at), left


# What an answer writes when it tells the reader the work is not over yet.
_STILL_UNDER_WAY = re.compile(r"\b(?:still|not yet|yet to|in progress|under way|underway|pending|queued|"
                              r"scheduled|processing|will (?:be|take|finish|complete|update|notify|let)|"
                              r"once (?:it|the|that)|"
                              r"when (?:it|the) (?:finishes|completes|is done)|shortly|soon|check back|"
                              r"(?:has|have) (?:been )?(?:started|submitted|queued|kicked off|initiated)|"
                              # The progressive: "is being promoted", "currently rolling out".
                              r"(?:is|are) being \w+|currently (?:being )?\w+ing)\b", re.I)


def under_way_untold(answer: str) -> bool:
    """The answer says nothing of work still under way."""
    return not _STILL_UNDER_WAY.search(answer or "")


def _says_more(result: Any, text: str) -> bool:
    """Whether a result says there is more than it holds: a next-page cursor, a has-more flag, a total
    above the longest list it gives, or (in plain text) "page 1 of 3"."""
    if result is None:
        page = _PAGE_OF.search(text[:2000])
        return bool(page) and int(page.group(1)) < int(page.group(2))
    longest = 0
    totals = []
    for key, value in _walk(result):
        if isinstance(value, list):
            longest = max(longest, len(value))
        elif _MORE_FLAG.match(key) and value is True:
            return True
        elif (_CURSOR.match(key) and isinstance(value, (str, int)) and not isinstance(value, bool)
              and str(value).strip()):
            return True
        elif _TOTAL.match(key) and isinstance(value, int) and not isinstance(value, bool):
            totals.append(value)
    return isinstance(result, dict) and longest > 0 and any(t > longest for t in totals)


def more_left(tools: list[Span]) -> tuple[int, int]:
    """Successful results that say there is more to read, and of those, how many no later call of the
    same tool went on to read."""
    said = left = 0
    for i, span in enumerate(tools):
        if looks_failed(span) or not _says_more(parse(span.tool_result), span.tool_result or ""):
            continue
        said += 1
        left += not any(s.tool_name == span.tool_name for s in tools[i + 1:])
    return said, left


def _instant(value: Any) -> float | None:
    """A timestamp (seconds since the epoch) read from epoch seconds or milliseconds or an ISO 8601 text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1e9 < value < 1e13:
        return value / 1000 if value > 1e11 else float(value)
    if not isinstance(value, str) or len(value) < 10 or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one no clock reaches
        return None


def oldest_data_hours(tools: list[Span]) -> float:
    """How many hours before its call the oldest as-of time a successful result gives is (0: none given)."""
    oldest = 0.0
    for span in tools:
        if looks_failed(span) or not span.start_ns:
            continue
        called = span.start_ns / 1e9
        for key, value in _walk(parse(span.tool_result)):
            if _AS_OF.search(key) and (moment := _instant(value)) is not None:
                oldest = max(oldest, (called - moment) / 3600)
    return round(oldest, 1)


def _switches(arguments: str | None) -> set[str]:
    """The switches a call's arguments turn on: boolean fields set true, and --flags in string values."""
    parsed = parse(arguments)
    if parsed is None:
        return {f.lower() for f in _FLAG.findall(arguments or "")}
    out = set()
    for key, value in _walk(parsed):
        if value is True:
            out.add(key.lower())
        elif isinstance(value, str):
            out |= {f.lower() for f in _FLAG.findall(value)}
    return out


def _without_switches(arguments: str | None) -> str:
    """The call with its switches taken out, to tell the same call with a switch added from another call."""
    parsed = parse(arguments)
    if parsed is None:
        return " ".join(_FLAG.sub(" ", arguments or "").split())

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if not isinstance(v, bool)}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return " ".join(_FLAG.sub(" ", value).split()) if isinstance(value, str) else value

    return json.dumps(strip(parsed), sort_keys=True, default=str)


def switched_on_after_failure(tools: list[Span]) -> int:
    """Failed calls whose next call of the same tool is the same call with a switch turned on (a boolean
    argument set true, a --flag added) that the failed one did not have."""
    count = 0
    for i, span in enumerate(tools):
        if not looks_failed(span):
            continue
        following = next((s for s in tools[i + 1:] if s.tool_name == span.tool_name), None)
        if (following is not None and _switches(following.tool_arguments) - _switches(span.tool_arguments)
                and _without_switches(following.tool_arguments) == _without_switches(span.tool_arguments)):
            count += 1
    return count


# A limit the user puts on the work: the word that follows "no", "without", "only", "under" …
_LIMIT = re.compile(r"\b(?:no|without|exclud\w*|only|avoid\w*|never|not|under|below|within|at most|"
                    r"max(?:imum)?|except|must(?: be)?)\s+(?:the |a |an |any |more than )?([a-z][\w-]{2,})", re.I)


def dropped_in_handoff(request: str, delegated: list[str]) -> int:
    """Values the request gives (figures, dates, ids) and limits it sets (the word after no, only,
    under …) that no input handed to another agent carries (0 when nothing was handed on)."""
    delegated = [d for d in delegated if d]
    if not delegated or not request:
        return 0
    given_text = " ".join(delegated).lower()
    asked, given = values(request), values(given_text)
    missing = (asked.numbers - given.numbers) | (asked.dates - given.dates) | (asked.ids - given.ids)
    missing = {v for v in missing if v not in given_text}
    limits = {m.group(1).lower() for m in _LIMIT.finditer(request)}
    return len(missing) + sum(1 for word in limits if word not in given_text)
