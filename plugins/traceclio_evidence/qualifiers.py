"""What results say of their own content, and whether the answer keeps it.

A result can warn (a `warning` or `note` field, a "Note:" line), qualify what it holds (an estimate, a
dry run, a draft, a low confidence), state a fact about its subject (eligible: false, status: expired), or
give a field a figure. An answer built on it can pass that on, drop it, or say the opposite. Each reading
compares the two in general terms: a note is any text under a key of that kind, a qualifier any flag or
status of that kind, a field any key. No reading names a domain or a behaviour.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from traceclio_evidence.consistency import (FIGURE_TOLERANCE, _matches, figure_candidates, objects, parse, records,
                                            scalar_leaves)
from traceclio_evidence.request import content_words
from traceclio_structure.spans import name_words

# -- notes and warnings ----------------------------------------------------------------------------------

_NOTE_WORDS = frozenset("warning warnings notice notices note notes caveat caveats advisory advisories alert "
                        "alerts disclaimer disclaimers restriction restrictions condition conditions requirement "
                        "requirements limitation limitations remark remarks caution important".split())
_NOTE_LINE = re.compile(r"^\s*[*_#>\[(-]*\s*(?:warning|note|notice|caution|important|caveat|attention|heads up)\b"
                        r"\s*[:!\])-]\s*(.{12,})$", re.I | re.M)
NOTE_MIN_WORDS = 3  # a note of fewer distinct content words says too little to look for in the answer
NOTE_KEPT_SHARE = 0.25  # an answer that carries this share of a note's own words passes it on


def _stems(text: str) -> set[str]:
    return {w[:5] for w in content_words(text)}


def _note_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def notes(results: list[str]) -> list[str]:
    """Every note a result carries: text under a key that names a warning, note, caveat, condition or the
    like (`warning`, `policy_note`, `restrictions`), and lines of plain text that open so ("Note: …")."""
    out: list[str] = []
    for text in results:
        parsed = parse(text)
        if parsed is None:
            out += [m.group(1) for m in _NOTE_LINE.finditer(text or "")]
            continue
        for d in objects(parsed):
            for key, value in d.items():
                if set(name_words(key)) & _NOTE_WORDS:
                    out += [t for t in _note_texts(value) if len(content_words(t)) >= NOTE_MIN_WORDS]
    return list(dict.fromkeys(out))


def notes_unmentioned(found: list[str], answer: str, request: str) -> int:
    """Of the notes, those whose own words (not the request's) the answer hardly carries."""
    said, asked = _stems(answer), _stems(request)
    missed = 0
    for note in found:
        own = _stems(note) - asked
        if len(own) >= 2 and len(own & said) < max(1, math.ceil(NOTE_KEPT_SHARE * len(own))):
            missed += 1
    return missed


# -- qualifiers --------------------------------------------------------------------------------------------

# What a result can say of its own content, by the words a flag, a status or a mode uses for it.
_QUALIFIER_WORDS = {
    "estimate": frozenset("estimate estimated approximate approx projected forecast indicative".split()),
    "provisional": frozenset("preliminary provisional tentative draft unverified unconfirmed unofficial "
                             "unreviewed".split()),
    "simulated": frozenset("dry dryrun simulated simulation simulate sandbox mock preview rehearsal "
                           "whatif hypothetical".split()),
    "partial": frozenset("partial incomplete sampled sample subset".split()),
}
# A false flag of these says the same (verified: false is unverified).
_QUALIFIED_WHEN_FALSE = {
    "provisional": frozenset("verified confirmed final official reviewed binding guaranteed".split()),
    "partial": frozenset("complete completed full".split()),
    "simulated": frozenset("applied committed executed live persisted".split()),
}
_MODE_KEYS = frozenset("status state type kind mode source environment env stage quality basis method".split())
_CONFIDENCE_KEYS = frozenset("confidence certainty probability likelihood".split())
LOW_CONFIDENCE = 0.6
# How an answer keeps each qualifier.
_KEEPS = {
    "estimate": re.compile(r"\b(?:estimat\w*|approx\w*|about|around|roughly|~|expected|projected|forecast\w*|"
                           r"likely|could|may|might|up to|indicative|subject to)\b|~", re.I),
    "provisional": re.compile(r"\b(?:preliminar\w*|provisional\w*|tentativ\w*|draft|unverified|unconfirmed|"
                              r"not (?:yet )?(?:final|confirmed|verified|official|reviewed)|pending|subject to|"
                              r"until|once|awaiting)\b", re.I),
    "simulated": re.compile(r"\b(?:dry[- ]?run|simulat\w*|sandbox|preview|mock|hypothetical|would|no changes?|"
                            r"nothing (?:was|has been|were) (?:changed|applied|made)|not (?:yet )?(?:applied|"
                            r"made|executed|committed|live))\b", re.I),
    "partial": re.compile(r"\b(?:partial\w*|incomplete|sample\w*|subset|some|not all|only|first \d+|of the \d+)\b",
                          re.I),
    "uncertain": re.compile(r"\b(?:confiden\w*|uncertain\w*|unsure|may|might|likely|possibl\w*|probabl\w*|unclear|"
                            r"appears?|seems?|suggests?|not (?:certain|sure|definitive)|tentativ\w*)\b", re.I),
}


def _kinds_of(words: set[str]) -> set[str]:
    return {kind for kind, marks in _QUALIFIER_WORDS.items() if words & marks}


def _leaves(value: Any) -> Iterator[tuple[str, Any]]:
    for d in objects(value):
        for key, item in d.items():
            if not isinstance(item, (dict, list)):
                yield key, item


def qualifiers(results: list[str]) -> set[str]:
    """What the results say of their own content: an estimate, provisional, simulated (a dry run, a
    preview, a sandbox), partial, or of low confidence. Read from flags (`is_estimate: true`, `verified:
    false`), from status-like fields (`mode: "dry_run"`, `status: "draft"`), from confidence fields below
    0.6 and from plain-text results that call themselves so."""
    out: set[str] = set()
    for text in results:
        parsed = parse(text)
        if parsed is None:
            head = (text or "")[:400].lower()
            out |= _kinds_of(set(re.findall(r"[a-z]+", head.replace("dry run", "dryrun").replace("dry-run", "dryrun")))
                             & (_QUALIFIER_WORDS["simulated"] | _QUALIFIER_WORDS["provisional"]))
            continue
        for key, value in _leaves(parsed):
            words = set(name_words(key))
            if isinstance(value, bool):
                if value:
                    out |= _kinds_of(words)
                else:
                    out |= {kind for kind, marks in _QUALIFIED_WHEN_FALSE.items() if words & marks}
            elif isinstance(value, str) and words & _MODE_KEYS and len(value) <= 40:
                out |= _kinds_of(set(name_words(value)))
            elif isinstance(value, (int, float)) and words & _CONFIDENCE_KEYS:
                share = value / 100 if value > 1 else value
                if 0 <= share < LOW_CONFIDENCE:
                    out.add("uncertain")
    return out


def qualifiers_dropped(found: set[str], answer: str, request: str = "") -> list[str]:
    """The qualifiers the answer gives no sign of (a word the request used too, "the preview environments",
    is the request's, not a sign)."""
    asked = request.lower()

    def keeps(kind: str) -> bool:
        return any(m.group(0).lower() not in asked for m in _KEEPS[kind].finditer(answer))

    return sorted(kind for kind in found if answer and not keeps(kind))


# -- a result's facts, said the other way round ----------------------------------------------------------

# A status word and the words that say the opposite of it.
_OPPOSITES = {
    "eligible": "ineligible", "available": "unavailable", "approved": "denied rejected declined",
    "valid": "invalid expired", "active": "inactive expired suspended cancelled canceled terminated",
    "open": "closed", "passed": "failed failing", "verified": "unverified", "confirmed": "unconfirmed cancelled",
    "paid": "unpaid overdue", "covered": "uncovered excluded", "refundable": "nonrefundable",
    "compliant": "noncompliant", "allowed": "blocked forbidden disallowed", "enabled": "disabled",
    "healthy": "unhealthy degraded down", "online": "offline", "complete": "incomplete", "resolved": "unresolved",
    "authorized": "unauthorized", "accepted": "rejected declined", "qualified": "unqualified disqualified",
    "supported": "unsupported deprecated", "insured": "uninsured", "successful": "failed unsuccessful",
}
_NEGATIVE_OF = {neg: pos for pos, negs in _OPPOSITES.items() for neg in negs.split()}
_NEGATED = re.compile(r"\b(?:not|no longer|never|isn't|aren't|wasn't|weren't|won't|doesn't|don't|didn't|no|"
                      r"cannot|can't)\W+(?:\w+\W+){0,2}$", re.I)
# How an answer states that something holds of its subject ("is eligible", "has been approved").
_STATED = re.compile(r"\b(?:is|are|was|were|be|been|remains?|stays?|still|now|currently|shows?|marked|listed|"
                     r"appears?|looks?|fully|successfully|considered|confirmed as)\W+(?:\w+\W+){0,1}$", re.I)


@dataclass(frozen=True, slots=True)
class Fact:
    word: str  # the positive word ("eligible")
    holds: bool  # the result says it holds (eligible: true, status: approved) or not (false, denied)


def facts(results: list[str]) -> set[Fact]:
    """The status facts the results state, each kept only when every result agrees on it (a list that marks
    some records eligible and others not states no fact about the subject)."""
    seen: dict[str, set[bool]] = {}
    for text in results:
        parsed = parse(text)
        for key, value in _leaves(parsed) if parsed is not None else []:
            words = name_words(key)
            if isinstance(value, bool):
                for word in words:
                    if word in _OPPOSITES:
                        seen.setdefault(word, set()).add(value)
                    elif word in _NEGATIVE_OF:
                        seen.setdefault(_NEGATIVE_OF[word], set()).add(not value)
            elif isinstance(value, str) and set(words) & _MODE_KEYS and len(value) <= 40:
                word = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
                if word in _OPPOSITES:
                    seen.setdefault(word, set()).add(True)
                elif word in _NEGATIVE_OF:
                    seen.setdefault(_NEGATIVE_OF[word], set()).add(False)
    return {Fact(word, next(iter(held))) for word, held in seen.items() if len(held) == 1}


def _says(answer: str, word: str) -> tuple[bool, bool]:
    """Whether the answer says the word holds of its subject ("is eligible"; a bare "open a ticket" says
    nothing of a state), and whether it says it does not (negated, or an opposite)."""
    low = answer.lower().replace("-", "")
    yes = no = False
    for m in re.finditer(rf"\b{word}\b", low):
        before = low[max(0, m.start() - 40):m.start()]
        if _NEGATED.search(before):
            no = True
        elif _STATED.search(before):
            yes = True
    for opposite in _OPPOSITES[word].split():
        no = no or bool(re.search(rf"\b{opposite}\b", low))
    return yes, no


def contradicted(found: set[Fact], answer: str) -> int:
    """Facts the answer states the other way round: it says the word holds where the result says not, or
    says it does not where the result says it does, and never says what the result said."""
    out = 0
    for fact in found:
        yes, no = _says(answer, fact.word)
        out += (yes and not no) if not fact.holds else (no and not yes)
    return out


# -- a field's figure ---------------------------------------------------------------------------------------

_FIGURE = re.compile(r"(?<![\w.])[-+]?[$€£]?\s?\d[\d,]*(?:\.\d+)?%?(?![\w])")
_GENERIC_KEY_WORDS = frozenset("the and value data info id ids num number count total amount".split())


def _figure(text: str) -> float | None:
    try:
        return float(text.strip().lstrip("+$€£ ").rstrip("%").replace(",", ""))
    except ValueError:
        return None


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.01, FIGURE_TOLERANCE * abs(b)) or any(
        abs(a - b * scale) <= max(0.01, FIGURE_TOLERANCE * abs(b * scale)) for scale in (100, 0.01))


def _answer_sentences(answer: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;\n])\s+|\s+[-–•]\s+", answer or "") if s.strip()]


@dataclass(frozen=True, slots=True)
class FieldFigures:
    matched: int  # answer sentences naming a field give a figure it holds
    differ: int  # … give a figure found in no result instead, never the field's own
    other_record: int  # … name one record and give the field's figure of another


def _key_stems(key: str) -> tuple[str, ...]:
    return tuple(w[:5] for w in name_words(key) if len(w) >= 3 and w not in _GENERIC_KEY_WORDS)


def all_figures(text: str) -> list[float]:
    return [f for f in (_figure(t) for t in _FIGURE.findall(text or "")) if f is not None]


def field_figures(results: list[str], answer: str, elsewhere: str = "") -> FieldFigures:
    """For each numeric field the results hold, the answer's sentences that name it (every word of its key,
    by stem): whether they give one of its figures; or a figure that no result, nor `elsewhere` (the
    request, the instructions), holds and the results do not add up to, and never the field's own; or,
    where a list of records holds the field, the figure of another record than the one the sentence names."""
    fields: dict[tuple[str, ...], list[float]] = {}
    owners: dict[tuple[str, ...], list[tuple[float, set[str]]]] = {}  # a field's figure per record, and its names
    for text in results:
        parsed = parse(text)
        for key, value in _leaves(parsed) if parsed is not None else []:
            if isinstance(value, bool):
                continue
            figure = _figure(value) if isinstance(value, str) and len(value) <= 24 else (
                float(value) if isinstance(value, (int, float)) else None)
            words = _key_stems(key)
            if figure is not None and words:
                fields.setdefault(words, []).append(figure)
        for group in records(parsed) if parsed is not None else []:
            for record in group:
                ident = {v for v in scalar_leaves({k: v for k, v in record.items() if isinstance(v, str)})
                         if len(v) >= 3 and _figure(v) is None}
                for key, value in record.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and _key_stems(key):
                        owners.setdefault(_key_stems(key), []).append((float(value), ident))
    if not fields:
        return FieldFigures(0, 0, 0)
    known = all_figures(" ".join(results)) + all_figures(elsewhere)
    derivable: list[float] | None = None
    matched = differ = other = 0
    for sentence in _answer_sentences(answer):
        low = sentence.lower()
        figures = [f for f in all_figures(sentence) if not (1900 <= f <= 2100 and f == int(f))]
        if not figures:
            continue
        stems = {w[:5] for w in re.findall(r"[a-z]{3,}", low)}
        for words, held in fields.items():
            if not set(words) <= stems:
                continue
            if any(_same(f, h) for f in figures for h in held):
                matched += 1
                mine = owners.get(words, [])
                named = [v for v, ident in mine if any(x in low for x in ident)]
                if named and len({v for v, _ in mine}) > 1 and not any(_same(f, v) for f in figures for v in named):
                    other += 1
                continue
            # A small whole number is a list's item number ("were: 1. Legal — 2,190 2. …") or a count
            # more often than a field's figure: as in grounding (values._TRIVIAL), it is never loose.
            loose = [f for f in figures if not any(_same(f, k) for k in known) and not (f == int(f) and 0 <= f <= 10)]
            if loose:
                if derivable is None:
                    derivable = figure_candidates(results)
                if any(not any(_matches(f, c) for c in derivable) for f in loose):
                    differ += 1
    return FieldFigures(matched, differ, other)


# -- the user's figures in the calls ---------------------------------------------------------------------

_COUNTED = re.compile(r"(?<![\w.$€£])(\d{1,5})\s+(?:x\s+)?([a-z]{3,})\b", re.I)
# "party of 6", "quantity: 2"; not "nights for 2 guests", where the figure is the next word's.
_NAMED = re.compile(r"\b([a-z]{3,})(?:\s+(?:of|for|is|=|:))?\s*#?\s*(\d{1,5})(?![\w.,/:-])(?!\s+[a-z])", re.I)
_NOT_NOUNS = frozenset("and the for with from that this than then into per out more less pm am".split())


def user_figures(user_turns: list[str]) -> list[tuple[int, str]]:
    """Figures the user gives for a named thing: '3 nights', 'party of 6', 'quantity: 2' → (3, 'night') …"""
    out = []
    for turn in user_turns:
        for m in _COUNTED.finditer(turn or ""):
            if m.group(2).lower() not in _NOT_NOUNS:
                out.append((int(m.group(1)), m.group(2).lower()))
        for m in _NAMED.finditer(turn or ""):
            if m.group(1).lower() not in _NOT_NOUNS:
                out.append((int(m.group(2)), m.group(1).lower()))
    return out


def figures_sent(user_turns: list[str], arguments: list[str]) -> tuple[int, int]:
    """Of the call arguments whose key names a thing the user gave a figure for (by stem: `nights` for
    '3 nights', `party_size` for 'party of 6'), how many carry one of the user's figures for it and how many
    another (a later turn's correction is one of the user's figures too)."""
    given = user_figures(user_turns)
    if not given:
        return 0, 0
    sent = changed = 0
    for text in arguments:
        parsed = parse(text)
        for key, value in _leaves(parsed) if parsed is not None else []:
            if isinstance(value, bool) or not isinstance(value, int):
                continue
            stems = {w[:5] for w in name_words(key) if len(w) >= 3}
            mine = {n for n, noun in given if noun[:5] in stems}
            if not mine:
                continue
            if value in mine:
                sent += 1
            else:
                changed += 1
    return sent, changed


# -- fields a result keeps from the user -------------------------------------------------------------------

_INTERNAL = frozenset("internal confidential staff admin secret restricted hidden backoffice margin "
                      "wholesale".split())
INTERNAL_MIN_CHARS = 4  # shorter values ("no", "12") are found in an answer by chance


def internal_fields_told(results: list[str], answer: str, request: str) -> int:
    """Fields a result marks as not for the user (`internal_notes`, `staff_only`, `margin`, a field under an
    `internal` object) whose value the answer repeats and the request did not give."""
    low, asked = (answer or "").lower(), (request or "").lower()
    count = 0
    for text in results:
        parsed = parse(text)
        stack = [(parsed, False)] if parsed is not None else []
        while stack:
            item, inside = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    marked = inside or bool(set(name_words(key)) & _INTERNAL)
                    if isinstance(value, (dict, list)):
                        stack.append((value, marked))
                    elif marked and not isinstance(value, bool) and value is not None:
                        told = str(value).strip().lower()
                        if len(told) >= INTERNAL_MIN_CHARS and told in low and told not in asked:
                            count += 1
                        elif isinstance(value, str) and len(content_words(value)) >= NOTE_MIN_WORDS:
                            own = _stems(value) - _stems(request)
                            if len(own) >= 3 and len(own & _stems(answer)) >= max(3, len(own) // 2):
                                count += 1
            elif isinstance(item, list):
                stack.extend((x, inside) for x in item)
    return count


# -- cautionary wording in a result ------------------------------------------------------------------------

# Words by which a result says something stands against going ahead as asked. A whole word of a string
# value, not a key: `not_before` or `no_show_fee` is a field's name, not a caution.
_CAUTION = frozenset("unavailable expired exceeds exceeded insufficient restricted denied blocked conflict "
                     "conflicts mismatch deprecated discontinued recalled invalid overdue suspended incompatible "
                     "unsupported prohibited forbidden ineligible disallowed lapsed revoked void voided "
                     "outdated obsolete unsafe hazardous defective delisted embargoed sanctioned quarantined "
                     "frozen locked exempt excluded backordered unverified".split())
CAUTION_MAX_CHARS = 300  # longer strings are documents, where such words are read in passing


def cautions(results: list[str]) -> list[tuple[str, str]]:
    """String values of the results that hold a cautionary word (unavailable, expired, exceeds, recalled,
    deprecated …): (the word, the string)."""
    out: list[tuple[str, str]] = []
    for text in results:
        parsed = parse(text)
        for _, value in _leaves(parsed) if parsed is not None else []:
            if isinstance(value, str) and len(value) <= CAUTION_MAX_CHARS:
                words = set(re.findall(r"[a-z]+", value.lower().replace("_", " ")))
                out += [(w, value) for w in sorted(words & _CAUTION)]
    return list(dict.fromkeys(out))


def cautions_unreflected(found: list[tuple[str, str]], answer: str, request: str) -> int:
    """Of the cautionary words, those the answer gives no sign of: neither the word (by stem) nor a quarter
    of the string's own words, and the request did not use the word itself."""
    said, asked = _stems(answer), _stems(request)
    low = (answer or "").lower()
    missed = 0
    for word, value in found:
        if word[:5] in asked:
            continue
        own = _stems(value) - asked
        if word[:5] in said or word[:4] in low or (own and len(own & said) >= max(1, math.ceil(NOTE_KEPT_SHARE * len(own)))):
            continue
        missed += 1
    return missed
