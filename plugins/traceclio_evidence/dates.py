"""Dates the answer gives against the dates and periods the trace holds.

An answer can give a date found in a result, one a reader works out from the trace (a date plus a period
the trace states: net 30, four weeks' notice, a 14-day window), or one neither found nor worked out. Only
whole dates are read (ISO, "Oct 18, 2024", "18 October 2024", or a month and day in a trace whose dates
share one year).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                               "nov", "dec"))}
_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})")
_NAMED_MD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?"
                       r"(?:,?\s+(20\d{2}))?\b", re.I)
_NAMED_DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                       r"[a-z]*\.?(?:,?\s+(20\d{2}))?\b", re.I)
# A period the trace states: "net 30", "30 days", "4 weeks", "notice_period_weeks": 4, "window_days": 14.
_PERIOD = re.compile(r"\b(?:net\s*(\d{1,3})|(\d{1,3})[\s-]*(day|week|month)s?\b)|"
                     r"\"[a-z_]*?(day|week|month)s?[a-z_]*\"\s*:\s*(\d{1,3})\b", re.I)


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def whole_dates(text: str, year: int | None) -> list[date]:
    """The whole dates a text gives; a month and day without a year take `year` (None: left out)."""
    out = [d for d in (_safe(int(y), int(m), int(dd)) for y, m, dd in _ISO.findall(text or "")) if d]
    for month, day, y in _NAMED_MD.findall(text or ""):
        if y or year:
            found = _safe(int(y or year), _MONTHS[month.lower()[:3]], int(day))
            out += [found] if found else []
    for day, month, y in _NAMED_DM.findall(text or ""):
        if y or year:
            found = _safe(int(y or year), _MONTHS[month.lower()[:3]], int(day))
            out += [found] if found else []
    return out


def periods(text: str) -> set[int]:
    """The periods a text states, in days (a month as 28 to 31 of them)."""
    out: set[int] = set()
    for m in _PERIOD.finditer(text or ""):
        net, n, unit, key_unit, key_n = m.groups()
        count, unit = (int(net), "day") if net else (int(n), unit.lower()) if n else (int(key_n), key_unit.lower())
        if unit == "day":
            out.add(count)
        elif unit == "week":
            out.add(7 * count)
        else:
            out |= {days for days in range(28 * count, 31 * count + 1)}
    return out


def _add_months(start: date, months: int) -> date | None:
    y, m = divmod(start.month - 1 + months, 12)
    return _safe(start.year + y, m + 1, start.day)


def answer_dates(answer: str, trace_texts: list[str]) -> tuple[int, int]:
    """Of the answer's whole dates found nowhere in the trace, how many are a trace date plus or minus a
    period the trace states (or a day either side of one: last day versus the day after), and how many
    are not."""
    context = " ".join(trace_texts)
    known = whole_dates(context, None)
    years = Counter(d.year for d in known)
    year = years.most_common(1)[0][0] if years else None
    known = set(whole_dates(context, year))
    stated = [d for d in dict.fromkeys(whole_dates(answer, year)) if d not in known]
    if not stated or not known:
        return 0, 0
    spans = periods(context) | periods(answer)
    derived = unexplained = 0
    for when in stated:
        gaps = {abs((when - k).days) for k in known}
        by_months = any(_add_months(k, sign * months) in (when, when - timedelta(days=1), when + timedelta(days=1))
                        for k in known for months in range(1, 25) for sign in (1, -1)
                        if 28 * months in spans)
        if by_months or any(g in spans or g - 1 in spans or g + 1 in spans for g in gaps):
            derived += 1
        else:
            unexplained += 1
    return derived, unexplained
