"""What the user asked for, set against what the tool calls carried: dates, amounts, limits, things the
user said not to do, and the extra steps a request adds ("Also, email me a confirmation").

These are the checks a reviewer makes by reading the request beside the tool calls. They look at values
and verbs, never at one domain's words, so they work the same on a booking, a refund or a deploy.
"""

from __future__ import annotations

import json
import re

from traceclio_core.model import Span
from traceclio_offline.signals import name_words

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_ISO_DATE = re.compile(r"\b(?:19|20)\d\d-(\d\d)-(\d\d)(?!\d)")
_MONTH_DAY = re.compile(_MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(?:usd|eur|gbp|dollars|euros|pounds)\b", re.I)
_LIMIT = re.compile(
    r"\b(?:under|below|less than|no more than|not more than|at most|up to|max(?:imum)?|cap(?:ped)? at|"
    r"limit(?: of| is)?|budget(?: is| of)?(?: strictly)?(?: under)?)\s*:?\s*"
    r"([$€£¥]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:usd|eur|gbp|dollars|euros|pounds))",
    re.I,
)
# Verbs a user forbids, grouped by what a tool would have to do to break the rule.
ACTION_GROUPS = {
    "contact": "email emails emailed mail notify notified notification notifications contact contacted message "
               "messaged text call send sent share shared sms ping alert post publish".split(),
    "delete": "delete deleted remove removed drop purge erase wipe".split(),
    "cancel": "cancel cancelled canceled refund refunded void revoke".split(),
    "pay": "pay paid charge charged purchase buy bought order".split(),
    "change": "update updated edit edited modify modified change changed set write overwrite".split(),
    "deploy": "deploy deployed release push merge restart rollback".split(),
    "book": "book booked booking reserve reserved schedule scheduled".split(),
}
_GROUP_OF = {verb: group for group, verbs in ACTION_GROUPS.items() for verb in verbs}
_ACTION_WORDS = "|".join(sorted(_GROUP_OF, key=len, reverse=True))
_FORBIDS = re.compile(
    r"\b(?:do not|don't|dont|never|must not|mustn't|should not|shouldn't)\s+(?:\w+\s+){0,3}?(" + _ACTION_WORDS + r")\b"
    r"|\b(?:must not|mustn't|should not|cannot) be (" + _ACTION_WORDS + r")\b"
    # "no emails", "no refunds": a bare "no" forbids only the action right after it, and not a participle
    # ("still no shared mailbox" names a thing that is missing).
    r"|\bno\s+(?!\w+ed\b)(" + _ACTION_WORDS + r")\b",
    re.I,
)
_ALSO = re.compile(r"\b(?:also|and then|as well as|plus|afterwards|after that)\b[,:]?\s+(.{0,80})", re.I)
_AMOUNT_KEY = re.compile(r"amount|price|cost|total|rent|fare|fee|payout|budget|sum|value", re.I)


def month_days(text: str) -> set[tuple[int, int]]:
    """Calendar dates a text names, as (month, day): ISO dates, "March 9", "9 March"."""
    found = {(int(m), int(d)) for m, d in _ISO_DATE.findall(text or "")}
    for month, day in _MONTH_DAY.findall(text or ""):
        found.add((_month_number(month), int(day)))
    for day, month in _DAY_MONTH.findall(text or ""):
        found.add((_month_number(month), int(day)))
    return {(m, d) for m, d in found if 1 <= m <= 12 and 1 <= d <= 31}


def _month_number(name: str) -> int:
    name = name.lower()
    return next(number for month, number in _MONTHS.items() if month.startswith(name[:3]))


def _number(text: str) -> float | None:
    digits = re.sub(r"[^\d.]", "", text)
    try:
        return float(digits) if digits else None
    except ValueError:
        return None


def amounts(text: str) -> set[float]:
    """Money amounts a text names: "$1,360.92", "€50", "120 euros"."""
    found = set()
    for symbol_form, word_form in _MONEY.findall(text or ""):
        value = _number(symbol_form or word_form)
        if value is not None:
            found.add(value)
    return found


def limits(request: str) -> set[float]:
    """Upper bounds the user set: "under $500", "budget is strictly under €2,000", "hard limit $90"."""
    return {v for raw in _LIMIT.findall(request or "") if (v := _number(raw)) is not None}


def argument_amounts(span: Span) -> set[float]:
    """Amounts in a call's arguments: money-looking strings anywhere, numbers under amount-like keys."""
    found = amounts(span.tool_arguments or "")
    try:
        arguments = json.loads(span.tool_arguments or "")
    except ValueError:
        return found
    if isinstance(arguments, dict):
        for key, value in arguments.items():
            if _AMOUNT_KEY.search(str(key)) and isinstance(value, (int, float)) and not isinstance(value, bool):
                found.add(float(value))
    return found


def forbidden_actions(request: str) -> set[str]:
    """Kinds of action the user ruled out: "Please do NOT email anyone" → {"contact"}."""
    return {_GROUP_OF[next(w for w in words if w).lower()] for words in _FORBIDS.findall(request or "")}


def action_groups(span: Span) -> set[str]:
    """Kinds of action a tool call performs, read from its name: `send_customer_update` → {"contact"}."""
    return {_GROUP_OF[w] for w in name_words(span.tool_name or "") if w in _GROUP_OF}


_PAST_FORMS = {verb for verb in _GROUP_OF if verb.endswith(("ed", "sent", "paid", "bought"))}


def claimed_actions(answer: str) -> set[str]:
    """Kinds of action the answer says were done: "…and sent a confirmation to …" → {"contact"}."""
    return {_GROUP_OF[w] for w in re.findall(r"[a-z]+", (answer or "").lower()) if w in _PAST_FORMS}


def follow_up_actions(request: str) -> set[str]:
    """Kinds of action asked for as an extra step: "…. Also, email me a confirmation." → {"contact"}."""
    groups = set()
    for tail in _ALSO.findall(request or ""):
        first_verbs = [w for w in re.findall(r"[a-z]+", tail.lower())[:3] if w in _GROUP_OF]
        groups.update(_GROUP_OF[w] for w in first_verbs[:1])
    return groups


def broken_limit(request: str, calls: list[Span]) -> bool:
    """A call went past an upper bound the user set."""
    bounds = limits(request)
    if not bounds:
        return False
    ceiling = min(bounds)
    return any(amount > ceiling * 1.001 for span in calls for amount in argument_amounts(span))


def shifted_value(request: str, answer: str, calls: list[Span]) -> bool:
    """The answer confirms a date the user gave, or states an amount, but the call that did the work carried
    another: a different day (often day and month swapped), or the amount off by a power of ten (cents for
    units)."""
    # Where the trace did not record the request, the dates the answer confirms are all there is to go by.
    confirmed = month_days(answer) & month_days(request) if (request or "").strip() else month_days(answer)
    dated = [month_days(span.tool_arguments or "") for span in calls]
    dated = [days for days in dated if days]
    # The last dated call is the one that did the work: an earlier search on the right day does not undo it.
    if confirmed and dated and not dated[-1] & confirmed:
        return True
    asked = amounts(request) | amounts(answer)
    for span in calls:
        for amount in argument_amounts(span):
            if amount not in asked and any(abs(amount - a * f) < 0.01 or abs(amount * f - a) < 0.01
                                           for a in asked for f in (10, 100, 1000)):
                return True
    return False
