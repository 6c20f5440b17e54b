"""Specific values in text (numbers, amounts, dates, ids, emails, links) and where a value came from.

Grounding is read as provenance: a value the answer states is found in a tool result, in what the user
wrote, in the instructions, or nowhere in the trace. Nothing here knows a domain: a value is a token shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Parts are bounded (an address's local part holds at most 64 characters): an unbounded `[\w.+-]+` before
# an "@" backtracks over every long run of word characters, quadratic in a 256 KiB tool result.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_URL = re.compile(r"\bhttps?://[^\s)\]}>\"']+|\bwww\.[^\s)\]}>\"']+", re.I)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_DAY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b|"
                        r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
                        re.I)


def _day(text: str) -> str:
    """A date as month-day ('03-19'): a year is often left out or filled in, the day is what was asked."""
    if "-" in text and len(text) == 10:
        return text[5:]
    month, day, *rest = text.split("/")
    return f"{int(month):02d}-{int(day):02d}" if int(month) <= 12 else f"{int(day):02d}-{int(month):02d}"


def dates_in(text: str) -> frozenset[str]:
    days = {_day(d) for d in _DATE.findall(text)}
    for m in _MONTH_DAY.finditer(text):
        month = (m.group(1) or m.group(4)).lower()[:3]
        day = int(m.group(2) or m.group(3))
        if 1 <= day <= 31:
            days.add(f"{_MONTHS.index(month) + 1:02d}-{day:02d}")
    return frozenset(days)


def without_dates(text: str) -> str:
    """The text with its dates blanked out (a date's day is not a figure)."""
    return _MONTH_DAY.sub(" ", _DATE.sub(" ", text or ""))


# An id mixes letters and digits (ORD-88213, a1b2c3d4) or is a long run of digits.
_ID = re.compile(r"\b(?=[A-Za-z0-9_-]{0,63}\d)(?=[A-Za-z0-9_-]{0,63}[A-Za-z])[A-Za-z0-9][A-Za-z0-9_-]{3,63}\b|"
                 r"\b\d{6,}\b")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w])")
# Small integers ("3 options", "step 2") say little about where a figure came from.
_TRIVIAL = {str(i) for i in range(11)}


@dataclass(frozen=True, slots=True)
class Values:
    numbers: frozenset[str]
    ids: frozenset[str]
    dates: frozenset[str]
    emails: frozenset[str]
    urls: frozenset[str]

    def all(self) -> frozenset[str]:
        return self.numbers | self.ids | self.dates | self.emails | self.urls


def _number(token: str) -> str:
    """1,200.50 and 1200.5 are the same figure."""
    text = token.replace(",", "").lstrip("+")
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:g}"


def values(text: str) -> Values:
    """The figures, ids, dates, emails and URLs a text holds (remembered for short texts: one trace's
    texts are read by several evidence modules)."""
    text = text or ""
    return _remembered(text) if len(text) <= REMEMBERED_CHARS else _values(text)


def _values(text: str) -> Values:
    emails = frozenset(e.lower().rstrip(".") for e in _EMAIL.findall(text))
    urls = frozenset(u.rstrip(".,;:!?").lower() for u in _URL.findall(text))
    rest = _URL.sub(" ", _EMAIL.sub(" ", text))
    dates = dates_in(rest)
    rest = _MONTH_DAY.sub(" ", _DATE.sub(" ", rest))
    ids = frozenset(i.lower() for i in _ID.findall(rest))
    numbers = frozenset(n for n in (_number(t) for t in _NUMBER.findall(rest)) if n not in _TRIVIAL)
    return Values(numbers=numbers, ids=ids, dates=dates, emails=emails, urls=urls)


# A thousand texts at most, none longer than this: the key texts are kept alive with their values.
REMEMBERED_CHARS = 32 * 1024
_remembered = lru_cache(maxsize=1024)(_values)


class Pool:
    """Every value one part of a trace holds (its tool results, the user's turns, the instructions).

    `reader` reads one text's values; pass one that remembers (`ValueReader`) when many pools share texts.
    """

    def __init__(self, texts, reader=None):
        kept = [t.lower() for t in texts if t]
        self.text = " ".join(kept)
        read = reader or values
        found = [read(t) for t in kept]
        self.values = frozenset().union(*(f.all() for f in found))
        self.numbers = frozenset().union(*(f.numbers for f in found))

    def holds(self, value: str) -> bool:
        return value in self.values or (len(value) >= 4 and value in self.text)


class ValueReader:
    """`values`, remembering each text it has read: the pools of one trace share most of their texts."""

    def __init__(self):
        self._seen: dict[str, Values] = {}

    def __call__(self, text: str) -> Values:
        found = self._seen.get(text)
        if found is None:
            found = self._seen[text] = values(text)
        return found


def provenance(value: str, pools: dict[str, Pool]) -> str:
    """The first pool (in the order given) that holds the value, else 'nowhere'."""
    for name, pool in pools.items():
        if pool.holds(value):
            return name
    return "nowhere"
