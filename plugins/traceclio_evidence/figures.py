"""Figures in an answer against the figures the tools returned: misquoted, and misattributed.

A figure found nowhere in the trace that differs from a returned figure by a transposition or one digit
is a misquote, not an invention. A figure that sits beside the wrong thing in the answer (the value one
call returned for A written next to B, and B's next to A) is misattributed. Both are read from positions
and digits alone, whatever the domain.
"""

from __future__ import annotations

import re

from traceclio_core.model import Span
from traceclio_structure.values import values
from traceclio_core.json_text import loads_shared

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
NEAR = 40  # characters within which a figure is read as belonging to a name beside it


def _digits(value: str) -> str:
    return value.replace(",", "").replace(".", "")


def _near_miss(a: str, b: str) -> bool:
    """Same length, and equal but for two swapped digits or one changed digit."""
    da, db = _digits(a), _digits(b)
    if len(da) != len(db) or len(da) < 3 or da == db:
        return False
    diff = [i for i in range(len(da)) if da[i] != db[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and da[diff[0]] == db[diff[1]] and da[diff[1]] == db[diff[0]]


def misquoted(answer_numbers: frozenset[str], returned: frozenset[str], seen_text: str) -> int:
    """Answer figures found nowhere else that are a near miss of a figure a tool returned."""
    loose = [n for n in answer_numbers if n not in returned and n not in seen_text]
    return sum(1 for n in loose if any(_near_miss(n, r) for r in returned))


def _arguments(span: Span) -> dict:
    try:
        args = loads_shared(span.tool_arguments or "")
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


def _subjects(a: Span, b: Span) -> tuple[str, str] | None:
    """What two calls of one tool are each about: the one short text argument in which they differ."""
    x, y = _arguments(a), _arguments(b)
    differing = [k for k in set(x) | set(y) if x.get(k) != y.get(k)]
    if len(differing) != 1:
        return None
    first, second = x.get(differing[0]), y.get(differing[0])
    if all(isinstance(v, str) and 2 <= len(v) <= 40 for v in (first, second)):
        return first.lower(), second.lower()
    return None


def swapped(answer: str, tools: list[Span]) -> bool:
    """Two calls of one tool about different subjects, and the answer writes each call's figure next to
    the other subject."""
    lowered = answer.lower()
    for i, first in enumerate(tools):
        for second in tools[i + 1:]:
            if first.tool_name != second.tool_name or not (first.tool_result and second.tool_result):
                continue
            subjects = _subjects(first, second)
            if subjects is None or not all(s in lowered for s in subjects):
                continue
            a, b = subjects
            a_figures, b_figures = values(first.tool_result).numbers, values(second.tool_result).numbers
            own_a, own_b = a_figures - b_figures, b_figures - a_figures
            if _beside(lowered, b, own_a) and _beside(lowered, a, own_b) and not _beside(lowered, a, own_a):
                return True
    return False


def _beside(text: str, name: str, figures: frozenset[str]) -> bool:
    for match in re.finditer(re.escape(name), text):
        window = text[max(0, match.start() - NEAR): match.end() + NEAR]
        if values(window).numbers & figures:
            return True
    return False
