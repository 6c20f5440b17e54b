"""OTLP values (AnyValue in OTLP/JSON or protobuf, and the span's integer fields) → plain Python, made safe.

One hostile value must not sink a run, so every attribute value is bounded as it is read: its nesting
(arrays and key-value lists deeper than MAX_DEPTH are cut), its size (characters and items past
--max-attribute-bytes are cut) and its integers (an intValue outside int64, OTLP's type, is clamped).
What was cut or clamped comes back as notes for the reader to record; input that is not an OTLP value at
all raises SpanError, which sets its span aside.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue

INT64 = (-(1 << 63), (1 << 63) - 1)
UINT64 = (0, (1 << 64) - 1)
# Arrays and key-value lists inside one attribute value; real instrumentations nest a handful of levels.
MAX_DEPTH = 32
# What a number or a boolean costs against the size budget, in characters (about its printed length).
SCALAR_COST = 8


class SpanError(ValueError):
    """One span (or line) is malformed; the message says how."""


@dataclass(slots=True)
class Note:
    """A value kept in a changed form: "truncated" (cut to fit) or "repaired" (clamped into range)."""

    action: str
    reason: str


def parse_int(value: Any, name: str) -> int:
    """An OTLP/JSON integer: a JSON number with no fraction, or a decimal string (int64 and fixed64 are
    strings in OTLP/JSON)."""
    if isinstance(value, bool):
        raise SpanError(f"{name} must be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith(("+", "-")) else text
        if digits.isascii() and digits.isdigit():
            try:
                return int(text)
            except ValueError:  # more digits than Python converts (4,300)
                pass
    raise SpanError(f"{name} must be an integer, got {str(value)[:40]!r}")


def clamp(value: int, bounds: tuple[int, int], name: str, type_name: str, notes: list[Note]) -> int:
    low, high = bounds
    if low <= value <= high:
        return value
    kept = max(low, min(high, value))
    shown = f"{value}" if len(str(value)) <= 40 else f"a {len(str(value))}-digit number"
    notes.append(Note("repaired", f"{name} = {shown} is outside {type_name}; clamped to {kept}"))
    return kept


def parse_double(value: Any, name: str) -> float:
    """A double; OTLP/JSON writes the non-finite ones as "NaN", "Infinity" and "-Infinity", which are kept."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:  # an integer beyond a double's range
            return float("inf") if value > 0 else float("-inf")
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise SpanError(f"{name} must be a number, got {str(value)[:40]!r}")


def scalar_text(value: Any, name: str) -> str:
    """A string field; a number or boolean where a string belongs is read as its text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float, bool)):
        return str(value)
    raise SpanError(f"{name} must be a string, got {type(value).__name__}")


@dataclass
class AttributeValue:
    """Decodes one attribute's value within its size budget; `notes` says what had to change."""

    key: str
    max_chars: int
    notes: list[Note] = field(default_factory=list)
    _left: int = 0
    _cut: str | None = None
    _deep: bool = False

    def __post_init__(self):
        self._left = self.max_chars

    def from_json(self, value: Any) -> Any:
        decoded = self._json(value, 0)
        self._summarise()
        return decoded

    def from_proto(self, value: AnyValue) -> Any:
        decoded = self._proto(value, 0)
        self._summarise()
        return decoded

    # -- OTLP/JSON ----------------------------------------------------------------------------------

    def _json(self, value: Any, depth: int) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise SpanError(f"attribute {self.key!r} value must be an AnyValue object, got {type(value).__name__}")
        if "stringValue" in value:
            return self._text(scalar_text(value["stringValue"], f"attribute {self.key!r}"), depth)
        if "intValue" in value:
            self._left -= SCALAR_COST
            return clamp(parse_int(value["intValue"], f"attribute {self.key!r}"), INT64, f"attribute {self.key!r}",
                         "int64", self.notes)
        if "doubleValue" in value:
            self._left -= SCALAR_COST
            return parse_double(value["doubleValue"], f"attribute {self.key!r}")
        if "boolValue" in value:
            self._left -= SCALAR_COST
            return _bool(value["boolValue"], self.key)
        if "arrayValue" in value:
            items = _values_of(value["arrayValue"], f"attribute {self.key!r} arrayValue")
            return self._container(items, depth, lambda item: self._json(item, depth + 1), list)
        if "kvlistValue" in value:
            entries = _values_of(value["kvlistValue"], f"attribute {self.key!r} kvlistValue")
            return self._container(entries, depth, lambda entry: self._json_entry(entry, depth), dict)
        if "bytesValue" in value:
            return self._text(scalar_text(value["bytesValue"], f"attribute {self.key!r} bytesValue"), depth)
        return None

    def _json_entry(self, entry: Any, depth: int) -> tuple[str, Any]:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise SpanError(f"attribute {self.key!r} holds a key-value entry without a string key")
        return entry["key"], self._json(entry.get("value"), depth + 1)

    # -- protobuf -----------------------------------------------------------------------------------

    def _proto(self, value: AnyValue, depth: int) -> Any:
        which = value.WhichOneof("value")
        if which == "string_value":
            return self._text(value.string_value, depth)
        if which == "array_value":
            return self._container(value.array_value.values, depth, lambda item: self._proto(item, depth + 1), list)
        if which == "kvlist_value":
            return self._container(value.kvlist_value.values, depth,
                                   lambda kv: (kv.key, self._proto(kv.value, depth + 1)), dict)
        if which == "bytes_value":
            return self._text(base64.b64encode(value.bytes_value).decode("ascii"), depth)
        if which is None:
            return None
        self._left -= SCALAR_COST
        return getattr(value, which)

    # -- the bounds ---------------------------------------------------------------------------------

    def _text(self, text: str, depth: int) -> str:
        if len(text) > self._left:
            kept = max(self._left, 0)
            self._cut = self._cut or (f"holds {len(text):,} characters; kept its first {kept:,}" if depth == 0
                                      else f"holds more than {self.max_chars:,} characters of values; kept what fits")
            text = text[:kept]
        self._left -= len(text)
        return text

    def _container(self, items, depth: int, decode, kind):
        if depth >= MAX_DEPTH:
            self._deep = True
            return None
        out = []
        for index, item in enumerate(items):
            if self._left <= 0:
                self._cut = self._cut or f"holds {len(items):,} items in one list; kept its first {index:,}"
                break
            self._left -= 1
            out.append(decode(item))
        return out if kind is list else dict(out)

    def _summarise(self) -> None:
        if self._deep:
            self.notes.append(Note("truncated", f"attribute {self.key!r} nests arrays or key-value lists deeper than "
                                                f"{MAX_DEPTH} levels; the deeper part is cut"))
        if self._cut:
            self.notes.append(Note("truncated", f"attribute {self.key!r} {self._cut} "
                                                "(raise --max-attribute-bytes to keep more)"))


def _values_of(container: Any, name: str) -> list:
    if container is None:
        return []
    if not isinstance(container, dict):
        raise SpanError(f"{name} must be an object with a values list, got {type(container).__name__}")
    values = container.get("values") or []
    if not isinstance(values, list):
        raise SpanError(f"{name} values must be a list, got {type(values).__name__}")
    return values


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value in (0, 1):
        return bool(value)
    raise SpanError(f"attribute {key!r} boolValue must be true or false, got {str(value)[:40]!r}")
