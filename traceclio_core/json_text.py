"""JSON text decoded fast, with the standard library's results and errors: for the JSON written into
attributes and tool results. (Whole OTLP lines are read with `json.loads`: their quoted nanosecond times
make the check below cost more than orjson saves on them.)

orjson decodes what it can (several times faster than `json`); where it refuses what `json` takes (NaN,
Infinity, 1e400, lone surrogates) or the text is not JSON, `json.loads` has the last word, so a caller
sees exactly what `json.loads` gives or raises (ValueError, RecursionError). orjson does not refuse an
integer past 64 bits: it reads it as a float. So a text where a number of 19 or more digits may start
goes to `json.loads` from the start (`_may_hold_long_integer`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import orjson


_RUN = re.compile(r"[0-9]{19}")
# What may stand before a JSON number token (its sign aside).
_BEFORE_NUMBER = frozenset(":[, \t\r\n")


def _may_hold_long_integer(text: str) -> bool:
    """Whether a number of 19 or more digits may start in `text`: a run of 19 digits after the start,
    white space, `:`, `[` or `,` (a sign between). Quoted runs, such as OTLP's nanosecond times, do not
    count; a string that only looks so costs the slower path."""
    for run in _RUN.finditer(text):
        at = run.start() - 1
        if at >= 0 and text[at] == "-":
            at -= 1
        if at < 0 or text[at] in _BEFORE_NUMBER:
            return True
    return False


def loads(text: str) -> Any:
    if _may_hold_long_integer(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


# What is remembered stays small: a few hundred texts (one trace's share many readers; traces rarely
# share texts), none longer than this (a 256 KiB tool dump decodes to several times its size).
REMEMBERED_CHARS = 32 * 1024


def _decode(text: str) -> tuple[bool, Any]:
    try:
        return True, loads(text)
    except ValueError as err:
        return False, str(err)


_remembered = lru_cache(maxsize=512)(_decode)


def loads_shared(text: str) -> Any:
    """`loads`, remembered for the texts several readers of one trace each parse (tool results and
    arguments): the value is shared between them, so read it and never change it."""
    ok, value = (_remembered if len(text) <= REMEMBERED_CHARS else _decode)(text)
    if ok:
        return value
    raise ValueError(value)
