"""Values made safe where input enters the trace model, once, for every source.

Whatever a source read must become a Trace that can be hashed, written as UTF-8 JSON and Parquet, and
summed: a lone surrogate (valid in JSON's "\\ud800", not in UTF-8) is replaced with U+FFFD; a token count
must be a whole number from 0 to MAX_TOKENS; JSON decoded from a string must nest no deeper than
MAX_JSON_DEPTH. Callers say what changed in a record (semconv.py notes it, assembly.py records it).
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

# No model reads anywhere near 2^31 tokens in one call; the bound keeps a trace's sums inside int64.
MAX_TOKENS = (1 << 31) - 1
# JSON inside a string attribute (messages, documents) deeper than this is left as text.
MAX_JSON_DEPTH = 32
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def repaired(model: BaseModel, notes: list[str], where: str = "span") -> BaseModel:
    """`model` (a Span, a Message…) with every string in it, nested ones too, writable as UTF-8; each
    repair is described in `notes`. Almost every model writes as it is, so that is tried first."""
    try:
        model.model_dump_json()
        return model
    except PydanticSerializationError:
        return _repaired(model, where, notes)


def repair_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, so it can be written as UTF-8."""
    if text.isascii() or not _LONE_SURROGATE.search(text):
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)


def _repaired(model: BaseModel, where: str, notes: list[str]) -> BaseModel:
    """The model with every string in it (nested messages and tool calls too) writable as UTF-8."""
    updates = {}
    for name, value in model:
        fixed = _repaired_value(value, f"{where} {name}", notes)
        if fixed is not value:
            updates[name] = fixed
    return model.model_copy(update=updates) if updates else model


def _repaired_value(value: Any, where: str, notes: list[str]) -> Any:
    if isinstance(value, str):
        fixed = repair_text(value)
        if fixed is not value:
            notes.append(f"{where} holds a lone surrogate (not encodable as UTF-8); replaced with U+FFFD")
        return fixed
    if isinstance(value, BaseModel):
        return _repaired(value, where, notes)
    if isinstance(value, tuple):
        fixed = tuple(_repaired_value(item, where, notes) for item in value)
        return value if all(a is b for a, b in zip(fixed, value)) else fixed
    return value


def as_token_count(value: Any) -> int | None:
    """`value` as a count of tokens (a whole number from 0 to MAX_TOKENS, perhaps written as text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_TOKENS:
        return value
    return None


def depth_at_most(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests no deeper than `limit` lists and objects (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return False
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True
