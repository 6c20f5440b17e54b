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
from traceclio_evidence.consistency import objects, parse, records
from traceclio_structure.spans import action_kind, looks_failed, name_words

# -- a result about another subject ----------------------------------------------------------------------

_ID_WORDS = frozenset("id number no code ref reference sku key uuid".split())


def _id_fields(obj: Any) -> dict[str, str]:
    """The top-level fields of an object that name a subject (`order_id`, `account_number`, `sku`), by key,
    lower-cased."""
    out: dict[str, str] = {}
    for key, value in obj.items() if isinstance(obj, dict) else []:
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
        asked = _id_fields(parse(span.tool_arguments))
        result = parse(span.tool_result)
        if not asked or not isinstance(result, dict):
            continue
        given = _id_fields(result)
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


# -- a negative figure retold without its sign -------------------------------------------------------------

_READS_NEGATIVE = re.compile(r"\b(?:credit\w*|owe\w*|loss\w*|losing|lost|negative|deficit|overdra\w+|behind|short\w*|"
                             r"below|minus|debt|in the red|down|refund\w*|decline\w*|dropp?ed|fell|under|less|"
                             r"deduct\w*|withdraw\w*|outflow|net loss)\b", re.I)


def _negatives(results: list[str]) -> list[float]:
    out = []
    for raw in results:
        parsed = parse(raw)
        for d in objects(parsed) if parsed is not None else []:
            out += [float(v) for v in d.values() if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0]
    return out


def signs_dropped(results: list[str], answer: str) -> int:
    """Negative figures of the results (a balance of -16.0, a P&L of -8,058.68) that the answer writes
    unsigned in a sentence with no word that reads them as negative (credit, owe, loss, overdrawn …)."""
    negatives = _negatives(results)
    if not negatives:
        return 0
    count = 0
    for sentence in re.split(r"(?<=[.!?;\n])\s+", answer or ""):
        if _READS_NEGATIVE.search(sentence):
            continue
        for m in re.finditer(r"(?<![\w.])([-−(]?)\s?[$€£]?\s?(\d[\d,]*(?:\.\d+)?)", sentence):
            if m.group(1):
                continue  # written with its sign, or in parentheses as accountants do
            figure = float(m.group(2).replace(",", ""))
            count += any(abs(figure + n) <= 0.005 for n in negatives)
    return count


# -- an empty search narrowed by the agent, told as none at all ---------------------------------------------

_SAYS_NONE_AT_ALL = re.compile(r"\b(?:no|none|never|nothing|not any|clean|zero|there (?:is|are|were|was)n'?t)\b", re.I)
_EMPTY_TEXT = re.compile(r"\b(?:no (?:\w+ ){0,2}(?:found|matches?|results?|records?|availability|documents?|entries)|"
                         r"0 (?:results?|rows?|matches|records?|hits)|returned no)\b", re.I)


def _empty(result: str | None) -> bool:
    parsed = parse(result)
    if parsed is None:
        return bool(_EMPTY_TEXT.search((result or "")[:300]))
    if isinstance(parsed, list):
        return not parsed
    lists = [v for v in parsed.values() if isinstance(v, list)] if isinstance(parsed, dict) else []
    return bool(lists) and not any(lists)


def scope_dropped(tools: list[Span], request: str, answer: str) -> tuple[int, int]:
    """Empty results that are the run's last finding (no later lookup returned anything) of calls the agent
    narrowed itself (argument values the request did not give: a status, a date range, a jurisdiction, a
    window), and of those: how many the answer tells with their scope (it names one of those values), and
    how many it tells as none at all."""
    asked = request.lower()
    low = (answer or "").lower()
    scoped = unscoped = 0
    for i, span in enumerate(tools):
        if looks_failed(span) or not _empty(span.tool_result):
            continue
        if any(not looks_failed(s) and not _empty(s.tool_result) and action_kind(s.tool_name or "") != "write"
               for s in tools[i + 1:]):
            continue  # a later lookup found something: the empty one was a step, not the finding
        parsed = parse(span.tool_arguments)
        scope = [str(v).lower() for k, v in (parsed.items() if isinstance(parsed, dict) else [])
                 if isinstance(v, (str, int, float)) and not isinstance(v, bool) and len(str(v)) >= 2
                 and str(v).lower() not in asked and not set(name_words(k)) & _ID_WORDS
                 and not set(name_words(k)) & {"query", "q", "text", "search", "term", "keywords", "name"}]
        if not scope:
            continue
        if any(v in low for v in scope):
            scoped += 1
        elif _SAYS_NONE_AT_ALL.search(low):
            unscoped += 1
    return scoped, unscoped


# -- a check made on something else than what was changed ------------------------------------------------

_CHECK_WORDS = frozenset("test tests verify validate validation check healthcheck health probe lint assert "
                         "smoke".split())
_GENERIC = frozenset("app src lib test tests spec specs the and from where select count between sql query run "
                     "true false null json path file env production staging prod dev main master".split())


def _tokens(text: str | None) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9]{2,}", (text or "").lower().replace("_", " ")) if w not in _GENERIC}


def checked_elsewhere(tools: list[Span]) -> int:
    """Calls that change something or may (any call that is not a lookup) followed by checks (a call named
    for testing, verifying, a health check, or a count query) none of which names anything the change's
    arguments named (the fix in billing, the tests of shipping)."""
    count = 0
    for i, span in enumerate(tools):
        if (looks_failed(span) or action_kind(span.tool_name or "") == "read"
                or set(name_words(span.tool_name or "")) & _CHECK_WORDS):
            continue
        target = _tokens(span.tool_arguments)
        checks = [s for s in tools[i + 1:]
                  if set(name_words(s.tool_name or "")) & _CHECK_WORDS
                  or re.search(r"\bselect\s+count\s*\(", s.tool_arguments or "", re.I)]
        # A check with nothing of its own to name (the whole suite, every service) covers the change.
        named = [_tokens(s.tool_arguments) for s in checks]
        if target and checks and not any(not words or words & target for words in named):
            count += 1
    return count
