"""JSON text decoded fast, with the standard library's results and errors.

orjson decodes what it can (several times faster than `json`); where it refuses what `json` takes (NaN,
Infinity, integers past 64 bits, lone surrogates) or the text is not JSON, `json.loads` has the last
word, so a caller sees exactly what `json.loads` gives or raises (ValueError, RecursionError).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


@lru_cache(maxsize=4096)
def _decoded(text: str) -> tuple[bool, Any]:
    try:
        return True, loads(text)
    except ValueError as err:
        return False, str(err)


def loads_shared(text: str) -> Any:
    """`loads`, remembered for the texts several readers of one trace each parse (tool results and
    arguments): the value is shared between them, so read it and never change it."""
    ok, value = _decoded(text)
    if ok:
        return value
    raise ValueError(value)
