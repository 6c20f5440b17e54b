"""What the user asked, against what was done and said.

A request can ask several things; a later turn can correct a value the first one gave; a call can change
something the request never asked to change; an answer can send the user elsewhere. Each is read from
the words and values of the turns and the calls, never from a list of tasks.
"""

from __future__ import annotations

import re

from traceclio_core.model import Span
from traceclio_structure.spans import name_words
from traceclio_structure.values import values

_STOP = frozenset(
    "the a an and or but if then so to of in on at for from by with about into over after before is are was "
    "were be been am do does did have has had can could would should will shall may might must i me my we our "
    "you your it its this that these those there here what which who whom whose when where why how please "
    "thanks thank also just any some all more most other much many very too not no yes get tell show let "
    "know need want like make sure them they their his her him she he us".split())
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z\d])|\n+")
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+")
_JOINED = re.compile(r",?\s+\b(?:and also|as well as|and then|plus|additionally)\b\s+", re.I)
# How a sentence opens when it asks for something rather than gives context.
_ASKING = re.compile(r"^\s*(?:(?:and |also |then |finally )?(?:can|could|would|will) you|please|i (?:need|want|would "
                     r"like|'d like)|tell me|show me|let me know|give me|also\b|and\b|then\b|finally\b|"
                     r"(?:find|check|send|book|cancel|update|change|add|remove|create|list|compare|summari[sz]e|"
                     r"explain|write|fix|run|schedule|refund|look up|get)\b)", re.I)
# Verbs of the same change, so that "book" asks for a `reserve_room` call and "cancel" for `void_order`.
_SAME_CHANGE = [frozenset(group.split()) for group in (
    "book reserve schedule hold", "cancel void revoke terminate stop", "send email mail notify message sms post",
    "refund reimburse credit return", "update change modify edit set adjust correct fix patch amend rename move",
    "create add new make open file register submit place log raise", "delete remove drop erase clear archive",
    "pay charge bill transfer", "approve accept confirm grant", "reject deny decline", "assign escalate route",
    "deploy release publish ship push merge commit", "restart reset reboot rollback revert undo")]
# An answer that sends the user elsewhere rather than doing it.
_REDIRECT = re.compile(r"\b(?:please (?:contact|reach out|call|visit|email|check with)|you (?:can|could|may|might|"
                       r"should|will need to) (?:contact|reach out|call|visit|email|check|log in|go to|submit)|"
                       r"(?:contact|reach out to|call) (?:our|the|your) \w+|visit (?:our|the) \w+|"
                       r"(?:i'?d|i would) (?:recommend|suggest) (?:contacting|reaching|calling|checking))", re.I)


def content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'-]{2,}", (text or "").lower()) if w not in _STOP}


def _stem(word: str) -> str:
    return word[:5]


def asks(request: str) -> list[str]:
    """The separate things a request asks: its questions, its list items, its sentences that open asking
    for something (can you, please, I need, an imperative), and clauses joined by 'and also', 'as well as',
    'plus'. Sentences that give context (who I am, what happened) ask nothing."""
    out = []
    for sentence in _SENTENCE.split(request or ""):
        sentence = sentence.strip()
        if not (sentence.endswith("?") or _ITEM.match(sentence) or _ASKING.match(sentence)):
            continue
        out += [p.strip(" ,.") for p in _JOINED.split(_ITEM.sub("", sentence)) if len(content_words(p)) >= 2]
    return out


def unanswered_asks(request: str, answer: str, calls: list[Span]) -> tuple[int, int]:
    """How many asks the request holds (when two or more), and how many of them neither the answer nor any
    call's arguments speak of: none of the ask's own words (those no other ask shares) appear, by stem."""
    parts = asks(request)
    if len(parts) < 2:
        return len(parts), 0
    said = {_stem(w) for w in content_words(answer + " " + " ".join(s.tool_arguments or "" for s in calls))}
    words = [content_words(p) for p in parts]
    missed = 0
    for i, own in enumerate(words):
        others = set().union(*(w for j, w in enumerate(words) if j != i))
        distinct = {_stem(w) for w in own - others}
        if distinct and not distinct & said:
            missed += 1
    return len(parts), missed


def _change_verbs(tool_name: str) -> set[str]:
    """The change a tool makes, as words: its verbs and the other words of their kind, and the rest of its
    name (`schedule_payment` is asked for by "pay")."""
    words = set(name_words(tool_name))
    verbs = set(words)
    for group in _SAME_CHANGE:
        if words & group:
            verbs |= group
    return {w for w in verbs if len(w) >= 3}


def _named(verbs: set[str], asked: set[str]) -> bool:
    return any(a.startswith(v[:4]) or v.startswith(a[:4]) for v in verbs for a in asked if len(a) >= 3)


def unrequested_changes(request_turns: list[str], writes: list[Span]) -> int:
    """Successful calls that change something, whose kind of change (their verb, or one of the same kind)
    no user turn names."""
    asked = {w for t in request_turns for w in re.findall(r"[a-z]{3,}", t.lower())} - _STOP
    out = 0
    for span in writes:
        name = (span.tool_name or "").lower()
        if any(w in name for w in ("transfer_to", "transfer-to", "handoff", "hand_off")):
            continue  # passing control to another agent changes nothing of the user's
        verbs = _change_verbs(span.tool_name or "")
        if verbs and not _named(verbs, asked):
            out += 1
    return out


# How a later turn says it replaces what the user said before.
_CORRECTS = re.compile(r"\b(?:actually|sorry,? (?:i|it|that|the)|i meant|i mean|correction|typo|instead of|rather than|"
                       r"not \S+,? but|make (?:it|that)|change (?:it|that) to|should (?:be|have been|read)|"
                       r"i (?:gave|typed|wrote|said) (?:the )?wrong|wrong (?:date|number|id|email|address|one))\b", re.I)


def correction(user_turns: list[tuple[int, str]], calls: list[Span], answer: str) -> str:
    """'ignored' when a later user turn says it corrects a value the first gave (actually, I meant, …) and
    gives a new date, figure, id or email of the same kind, and the calls after it and the answer still
    use the old value and never the new one;
    'applied' when they use the new one; '' when no turn corrects a value."""
    if len(user_turns) < 2:
        return ""
    first = values(user_turns[0][1])
    outcome = ""
    for at, text in user_turns[1:]:
        if not _CORRECTS.search(text):
            continue  # a later turn that brings new values answers a question; one that corrects says so
        later = values(text)
        for kind in ("dates", "numbers", "ids", "emails"):
            old, new = getattr(first, kind) - getattr(later, kind), getattr(later, kind) - getattr(first, kind)
            if not (old and new):
                continue
            after = " ".join([s.tool_arguments or "" for s in calls if s.start_ns >= at] + [answer]).lower()
            used = getattr(values(after), kind)
            if used & new or any(v in after for v in new if len(v) >= 4):
                outcome = outcome or "applied"
            elif used & old:
                return "ignored"
    return outcome


def redirects(answer: str) -> bool:
    return bool(_REDIRECT.search(answer or ""))
