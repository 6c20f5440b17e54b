"""What the user asked, against what was done and said.

A request can ask several things; a later turn can correct a value the first one gave; a call can change
something the request never asked to change; an answer can send the user elsewhere. Each is read from
the words and values of the turns and the calls, never from a list of tasks.
"""

from __future__ import annotations

import re

from traceclio_core.model import Span
from traceclio_evidence.consistency import _number, objects, parse
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


# -- the form the request or the instructions ask for -------------------------------------------------------

# How a request or instructions ask for a form of answer, by the form answer_form reads.
_FORM_ASKED = [
    ("json", re.compile(r"\b(?:(?:in|as|return|respond(?: only)? (?:in|with)|reply (?:in|with)|output|valid) "
                        r"(?:a |an |the |only )?json|json (?:only|object|format|output))\b", re.I)),
    ("table", re.compile(r"\b(?:(?:in|as) (?:a |the )?(?:markdown )?table|tabular|tabulate)\b", re.I)),
    ("list", re.compile(r"\b(?:bullet(?:ed)?(?: points?| list)?|(?:as|in) a (?:numbered |bulleted )?list|"
                        r"list (?:them|each|all) (?:out|as))\b", re.I)),
    ("brief", re.compile(r"\b(?:in (?:one|a single|1|two|2) (?:sentence|line|word)s?|one[- ]word|briefly|"
                         r"(?:under|at most|no more than|max(?:imum)?|within|fewer than|less than) \d{1,3} words|"
                         r"keep it (?:short|brief)|(?:yes or no|just the (?:number|figure|answer|name)))\b", re.I)),
]
_WORD_LIMIT = re.compile(r"\b(?:under|at most|no more than|max(?:imum)?|within|fewer than|less than) (\d{1,3}) words\b",
                         re.I)
BRIEF_WORDS = 60  # an answer asked to be brief that runs past this many words (or past the limit asked) is not


def form_asked(request: str, instructions: str) -> str:
    """The form the request (or else the instructions) asks the answer to take: json, table, list or brief."""
    for text in (request, instructions):
        for form, pattern in _FORM_ASKED:
            if pattern.search(text or ""):
                return form
    return ""


def form_kept(asked: str, request: str, instructions: str, form: str, words: int) -> bool:
    """Whether an answer of this form and length is the form asked."""
    if asked == "brief":
        limit = _WORD_LIMIT.search(request or "") or _WORD_LIMIT.search(instructions or "")
        return words <= (int(limit.group(1)) * 3 // 2 if limit else BRIEF_WORDS)
    if asked == "list":
        return form in ("list", "table")
    return form == asked


# -- asking the user for what they already gave ----------------------------------------------------------

# What an answer's question asks for, by the kind of value that answers it.
_ASKS_FOR = [
    ("emails", re.compile(r"\b(?:e-?mail(?: address)?)\b", re.I)),
    ("dates", re.compile(r"\b(?:what|which|the) (?:\w+ )?(?:date|day)\b", re.I)),
    ("ids", re.compile(r"\b(order|account|booking|reservation|ticket|case|reference|confirmation|tracking|"
                       r"customer|member|policy|invoice|employee|user) (?:number|no\.?|id|code|#)", re.I)),
]


# When the whole answer is a question, these ask for a value too.
_ASKS_FOR_WHOLLY = [
    ("money", re.compile(r"\b(?:how much|what amount|which amount|the amount)\b", re.I)),
    ("dates", re.compile(r"\b(?:when|what day|which day|what dates?|which dates?)\b", re.I)),
]
_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,]*(?:\.\d{2})?\s?(?:usd|eur|gbp|dollars|euros|pounds)\b", re.I)


def asks_again(answer: str, request_turns: list[str], wholly: bool = False) -> int:
    """Kinds of value the answer's questions ask the user for (an email, a date, an order number; when the
    answer is wholly a question, an amount or a time too) that a user turn already gave."""
    given = values(" ".join(request_turns))
    said = " ".join(request_turns).lower()
    out = 0
    for sentence in _SENTENCE.split(answer or ""):
        if not sentence.strip().endswith("?"):
            continue
        if wholly:
            for kind, pattern in _ASKS_FOR_WHOLLY:
                if pattern.search(sentence) and (_MONEY.search(said) if kind == "money" else given.dates):
                    out += 1
        for kind, pattern in _ASKS_FOR:
            m = pattern.search(sentence)
            # An id answers the question only when the user named what it is ("my order ORD-1182").
            if m and getattr(given, kind) and (kind != "ids" or m.group(1).lower() in said):
                out += 1
    return out


# -- limits the request or the instructions set --------------------------------------------------------

_UPPER = (r"under|below|less than|at most|no more than|not more than|no higher than|cheaper than|max(?:imum)?(?: of)?|"
          r"up to|not (?:to )?exceed(?:ing)?|(?:a |my |the )?budget(?: of| is)?|(?:a |the )?limit(?: of| is)?|"
          r"cap(?:ped)?(?: at| of)?")
# "more than", "over" and "above" set a limit less often than they state a condition ("if it costs more
# than $100, …"), so only these words are read as a lower limit.
_LOWER = r"at least|minimum(?: of)?|no less than|no fewer than"
_CONDITION = re.compile(r"\b(?:if|unless|whether|when)\b[^.?!;]*$", re.I)
_BOUND = re.compile(rf"\b({_UPPER}|{_LOWER})\s+(?:a |an |the )?([$€£]?)\s?(\d[\d,]*(?:\.\d+)?)\s?(k\b)?\s*([a-z]{{3,}})?",
                    re.I)
_MONEY_KEYS = frozenset("price cost amount total fare rate fee charge value budget sum payment refund credit "
                        "salary premium spend rent deposit subtotal".split())
_UPPER_WORDS = re.compile(rf"^(?:{_UPPER})$", re.I)


def limits(request: str, instructions: str) -> list[tuple[float, bool, bool, str]]:
    """The limits a request sets (under $300, at most 3 nights, at least 8 GB) and the upper limits the
    instructions set (refunds up to $200): (figure, upper, money, the noun after it)."""
    out = []
    for text, upper_only in ((request, False), (instructions, True)):
        for m in _BOUND.finditer(text or ""):
            upper = bool(_UPPER_WORDS.match(m.group(1).strip()))
            if upper_only and not upper or _CONDITION.search(text[max(0, m.start() - 80):m.start()]):
                continue
            figure = float(m.group(3).replace(",", "")) * (1000 if m.group(4) else 1)
            noun = (m.group(5) or "").lower()
            money = bool(m.group(2)) or noun in ("dollars", "euros", "pounds", "usd", "eur", "gbp")
            out.append((figure, upper, money, noun))
    return list(dict.fromkeys(out))


def limits_kept(request: str, instructions: str, writes: list[Span]) -> tuple[int, int]:
    """Of the figures calls that change something send for a limited thing (a money field for a money
    limit, a field named by the limit's noun otherwise), how many keep within it and how many go past."""
    bounds = limits(request, instructions)
    if not bounds:
        return 0, 0
    kept = crossed = 0
    for span in writes:
        parsed = parse(span.tool_arguments)
        for d in objects(parsed) if parsed is not None else []:
            for key, value in d.items():
                number = _number(value)  # None for nested objects and lists: objects() walks into them
                if number is None:
                    continue
                words = set(name_words(key))
                for figure, upper, money, noun in bounds:
                    if not (money and words & _MONEY_KEYS or noun and any(w[:5] == noun[:5] for w in words)):
                        continue
                    if (number > figure) if upper else (number < figure):
                        crossed += 1
                    else:
                        kept += 1
    return kept, crossed
