"""Figures whose field names their unit (amount_cents, latency_ms, size_bytes, fee_bps), against the unit
the answer writes beside them.

A result's `latency_ms: 450` written as "450 seconds" or `amount_cents: 12900` as "$12,900" is a figure
read in the wrong unit; "0.45 s" and "$129.00" are the same figure converted. Units are the SI and
currency units every engineer uses; nothing here knows a domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traceclio_evidence.consistency import _number, objects, parse

# Each unit: its family and its size in the family's base unit (seconds, bytes, currency units, ratio).
_UNITS = {
    "ns": ("time", 1e-9), "us": ("time", 1e-6), "ms": ("time", 1e-3), "s": ("time", 1.0), "min": ("time", 60.0),
    "h": ("time", 3600.0), "day": ("time", 86400.0),
    "b": ("size", 1.0), "kb": ("size", 1e3), "mb": ("size", 1e6), "gb": ("size", 1e9), "tb": ("size", 1e12),
    "kib": ("size", 1024.0), "mib": ("size", 1024.0 ** 2), "gib": ("size", 1024.0 ** 3),
    "cent": ("money", 0.01), "unit": ("money", 1.0), "thousand": ("money", 1e3), "million": ("money", 1e6),
    "bps": ("ratio", 1e-4), "pct": ("ratio", 1e-2),
}
# How a field name ends when it gives its unit.
_KEY_UNITS = {
    "ns": "ns", "nanos": "ns", "us": "us", "micros": "us", "ms": "ms", "millis": "ms", "msec": "ms",
    "s": "s", "sec": "s", "secs": "s", "seconds": "s", "min": "min", "mins": "min", "minutes": "min",
    "h": "h", "hr": "h", "hrs": "h", "hours": "h", "days": "day",
    "bytes": "b", "kb": "kb", "kib": "kib", "mb": "mb", "mib": "mib", "gb": "gb", "gib": "gib", "tb": "tb",
    "cents": "cent", "pence": "cent", "minor": "cent", "thousands": "thousand", "millions": "million",
    "bps": "bps", "pct": "pct", "percent": "pct",
}
_KEY = re.compile(r"(?:^|[_-])(" + "|".join(sorted(_KEY_UNITS, key=len, reverse=True)) + r")$", re.I)
# How an answer writes a unit after a figure.
_WORDS = {
    "ns": "ns|nanoseconds?", "us": "us|µs|microseconds?", "ms": "ms|msec|milliseconds?", "s": "s|secs?|seconds?",
    "min": "mins?|minutes?", "h": "h|hrs?|hours?", "day": "days?",
    "b": "b|bytes?", "kb": "kb|kilobytes?", "mb": "mb|megabytes?", "gb": "gb|gigabytes?", "tb": "tb|terabytes?",
    "kib": "kib", "mib": "mib", "gib": "gib", "cent": "cents?|¢|pence|p",
    "thousand": "thousand|k", "million": "million|m|mm", "bps": "bps|basis points?", "pct": "%|percent|pct",
}


def _forms(words: str) -> list[str]:
    """'secs?|seconds?' → sec, secs, second, seconds."""
    out = []
    for w in words.split("|"):
        out += [w[:-2], w[:-1]] if w.endswith("s?") else [w]
    return out


_WORD_UNIT = {w: unit for unit, words in _WORDS.items() for w in _forms(words)}
_FIGURE = re.compile(r"([$€£])?\s?(\d[\d,]*(?:\.\d+)?)\s?(%|¢|[a-zµ]+(?:\s(?:points?))?)?", re.I)
_CURRENCY_WORDS = re.compile(r"^(?:usd|eur|gbp|dollars?|euros?|pounds?)$", re.I)
TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class UnitReading:
    faithful: int  # figures of unit-named fields stated in their unit or converted right
    misread: int  # stated with another unit of the family, at a size the conversion does not give


def _stated(answer: str) -> list[tuple[float, str | None]]:
    """Each figure of the answer with the unit written beside it ('unit' for a currency sign), or None."""
    out = []
    for sign, digits, word in _FIGURE.findall(answer or ""):
        number = _number(digits)
        if number is None:
            continue
        unit = None
        token = (word or "").lower()
        if token in _WORD_UNIT:
            unit = _WORD_UNIT[token]
        elif sign or _CURRENCY_WORDS.match(token):
            unit = "unit"
        out.append((number, unit))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(TOLERANCE, TOLERANCE * abs(b))


def read_units(results: list[str], answer: str) -> UnitReading:
    """Each figure the answer writes with a unit, against the fields of the results whose name gives a
    unit of the same family: faithful when one field's value converts to it exactly, misread when none does
    but one field's value scaled by a power of ten or by the ratio of two of the family's units gives it."""
    fields = []
    for text in results:
        parsed = parse(text)
        for d in objects(parsed) if parsed is not None else []:
            for key, value in d.items():
                match = _KEY.search(key)
                raw = _number(value)
                if match and raw:
                    fields.append((raw, *_UNITS[_KEY_UNITS[match.group(1).lower()]]))
    faithful = misread = 0
    for number, written in _stated(answer) if fields else []:
        if written is None:
            continue
        family, size = _UNITS[written]
        mine = [(raw, unit_size) for raw, f, unit_size in fields if f == family]
        if any(_close(number, raw * unit_size / size) for raw, unit_size in mine):
            faithful += 1
        elif any(_close(number, raw * 10 ** p) for raw, _ in mine for p in range(-9, 10)) or any(
                _close(number, raw * unit_size / other) for raw, unit_size in mine
                for f, other in _UNITS.values() if f == family):
            misread += 1
    return UnitReading(faithful, misread)
