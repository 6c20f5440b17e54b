"""Where a result is about something other than what was asked, or the answer retells it otherwise.

A lookup for one id can return a record with another; a figure given in one currency can be retold in
another; a result that reports its items one by one can hold failed items under a successful whole; a
change can be dated before the day the run took place. Each is read from key names, currency signs and
codes, item statuses and dates, never from a domain.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from traceclio_core.model import Span
from traceclio_evidence import text
from traceclio_evidence.consistency import objects, parse, records
from traceclio_structure.spans import action_kind, looks_failed, name_words

# -- a result about another subject ----------------------------------------------------------------------

_ID_WORDS = frozenset("id number no code ref reference sku key uuid".split())


def _id_fields(obj: Any, top_only: bool) -> dict[str, str]:
    """Fields that name a subject (`order_id`, `account_number`, `sku`), by key, lower-cased."""
    out: dict[str, str] = {}
    items = [obj] if top_only else list(objects(obj))
    for d in items:
        if not isinstance(d, dict):
            continue
        for key, value in d.items():
            words = name_words(key)
            if words and words[-1] in _ID_WORDS and isinstance(value, (str, int)) and not isinstance(value, bool):
                text_value = str(value).strip().lower()
                if len(text_value) >= 3:
                    out.setdefault(key.lower(), text_value)
    return out


def other_subject(tools: list[Span]) -> int:
    """Successful calls asked for one subject by id (`{"order_id": "A-1"}`) whose result names, under the
    same key at its top, another (`{"order_id": "A-7", …}`)."""
    count = 0
    for span in tools:
        if looks_failed(span):
            continue
        asked = _id_fields(parse(span.tool_arguments), top_only=True)
        result = parse(span.tool_result)
        if not asked or not isinstance(result, dict):
            continue
        given = _id_fields(result, top_only=True)
        count += any(key in given and given[key] != value for key, value in asked.items())
    return count


# -- a figure retold in another currency -----------------------------------------------------------------

_SIGNS = {"$": "usd", "€": "eur", "£": "gbp", "¥": "jpy", "₹": "inr", "₩": "krw", "₽": "rub", "₺": "try", "₪": "ils"}
_CODES = frozenset("usd eur gbp jpy inr cad aud chf cny sek nok dkk pln brl mxn zar sgd hkd nzd krw try ils".split())
_SIGNED = re.compile(r"([$€£¥₹₩₽₺₪])\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?([$€£¥₹₩₽₺₪])|"
                     r"\b([A-Za-z]{3})\s?(\d[\d,]*(?:\.\d+)?)\b|\b(\d[\d,]*(?:\.\d+)?)\s?([A-Za-z]{3})\b")


def _money(text_value: str) -> list[tuple[float, str]]:
    out = []
    for m in _SIGNED.finditer(text_value or ""):
        sign, figure = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3)) if m.group(4) else (
            m.group(5), m.group(6)) if m.group(5) else (m.group(8), m.group(7))
        currency = _SIGNS.get(sign) or (sign.lower() if sign.lower() in _CODES else None)
        if currency:
            try:
                out.append((float(figure.replace(",", "")), currency))
            except ValueError:
                continue
    return out


def result_money(results: list[str]) -> list[tuple[float, str]]:
    """The amounts results give with their currency: a figure beside a `currency` field of the same
    record, or written with a sign or code ("€120", "120 EUR")."""
    out: list[tuple[float, str]] = []
    for raw in results:
        parsed = parse(raw)
        if parsed is None:
            out += _money(raw)
            continue
        for d in objects(parsed):
            currency = next((str(v).lower() for k, v in d.items() if "currency" in k.lower() and isinstance(v, str)
                             and str(v).lower() in _CODES), None)
            for key, value in d.items():
                if isinstance(value, str):
                    out += _money(value)
                elif currency and isinstance(value, (int, float)) and not isinstance(value, bool) and value:
                    out.append((float(value), currency))
    return out


def currency_changed(results: list[str], answer: str) -> int:
    """Answer amounts written in another currency than the one a result gave the same figure in, where no
    result gives that figure in the answer's currency (a conversion changes the figure)."""
    given = result_money(results)
    count = 0
    for figure, currency in _money(answer):
        same = [c for f, c in given if abs(f - figure) <= 0.005]
        count += bool(same) and currency not in same
    return count


# -- failed items under a successful whole ----------------------------------------------------------------

_ITEM_FAILED = frozenset("failed failure error errored rejected declined bounced skipped invalid undeliverable "
                         "timeout timedout aborted".split())
_STATUS_KEYS = frozenset("status state result outcome".split())


def failed_items(tools: list[Span]) -> int:
    """Items of successful results (records of a list) whose status says they failed, while some other
    item of the same list did not."""
    count = 0
    for span in tools:
        parsed = None if looks_failed(span) else parse(span.tool_result)
        for group in records(parsed) if parsed is not None else []:
            failed = [d for d in group if _item_failed(d)]
            if failed and len(failed) < len(group):
                count += len(failed)
    return count


def _item_failed(record: dict) -> bool:
    for key, value in record.items():
        words = set(name_words(key))
        if isinstance(value, str) and words & _STATUS_KEYS and value.strip().lower().replace("-", "_") in _ITEM_FAILED:
            return True
        if isinstance(value, bool) and words & {"success", "ok", "succeeded", "delivered", "sent", "processed"}:
            return not value
        if words & {"error", "errors", "failure", "failures"} and value not in (None, "", [], {}, False, 0):
            return True
    return False


# -- a change dated before the run -----------------------------------------------------------------------

_ISO_DAY = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_TODAY = re.compile(r"(?:\btoday is|\btoday'?s date(?: is)?|\bcurrent date(?: is)?|\bthe date is|"
                    r"\"(?:today|current_date|now|as_of_date)\"\s*:)\s*\"?(20\d{2}-\d{2}-\d{2})", re.I)


def run_day(texts: list[str]) -> date | None:
    """The day of the run as the trace itself states it: "today is …" in the instructions or the request,
    a `today` or `current_date` field in a result (None when nothing says so: the clock of the spans
    and the dates of made-up data need not agree)."""
    for source in texts:
        m = _TODAY.search(source or "")
        if m:
            try:
                return date.fromisoformat(m.group(1))
            except ValueError:
                continue
    return None


def past_dated_changes(tools: list[Span], today: date | None) -> int:
    """Successful calls that change something whose arguments give only dates before the day of the run
    (an appointment booked, a payment scheduled for a day already past)."""
    if today is None:
        return 0
    count = 0
    for span in tools:
        if looks_failed(span) or action_kind(span.tool_name or "") != "write":
            continue
        days = []
        for y, m, d in _ISO_DAY.findall(span.tool_arguments or ""):
            try:
                days.append(date(int(y), int(m), int(d)))
            except ValueError:
                continue
        count += bool(days) and max(days) < today
    return count


def failure_untold(answer: str) -> bool:
    return not (text.admits_failure(answer) or text.declines(answer) or text.unable(answer))
