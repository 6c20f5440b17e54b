"""Scrub text before anyone sees it: no emails, URLs, ids, numbers, or names of people, customers or tenants.

Used on every summary, title and description that leaves the pipeline. Errs on the side of removing:
a capitalised word in mid-sentence is taken for a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Bounded parts: an unbounded local part backtracks quadratically over long runs of word characters.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63}){1,8}")
_URL = re.compile(r"\b(?:https?|ftp|s3|gs|file)://\S+|\bwww\.\S+|\b[\w-]+\.(?:com|org|net|io|ai|dev|co|app)\b\S*", re.I)
_PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")
# Ids: hex runs, UUIDs, and tokens mixing letters with digits (ORD-88231, usr_9f2a, AB12CD).
_ID = re.compile(r"\b[0-9a-f]{8,}\b|\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{4,}\b", re.I)
_NUMBER = re.compile(r"[$€£]?\d[\d,.:/]*%?")
_MID_SENTENCE_NAME = re.compile(r"(?<=[a-z,;] )(?:[A-Z][a-zA-Z'&-]+)(?: (?:[A-Z][a-zA-Z'&-]+|&|of|and))*")
_SPACES = re.compile(r"\s+")
# Capitalised words that are not names; kept when they appear mid-sentence.
_COMMON = frozenset("I I'm I've I'll OK API APIs URL JSON SQL CSV PDF HTTP HTTPS CLI UI AI LLM PR CI CD".split())


def name_variants(names: Iterable[str]) -> list[str]:
    """'acme-logistics' → ['acme-logistics', 'acme logistics', 'acme']: the name, spaced, and its first
    word (4+ letters). Later words ('logistics', 'health', 'data') are usually common words, and
    scrubbing them everywhere would maim ordinary text."""
    out: set[str] = set()
    for name in names:
        if not name:
            continue
        name = name.strip()
        out.add(name)
        words = [w for w in re.split(r"[\s_.\-]+", name) if w]
        out.add(" ".join(words))
        if words and len(words[0]) >= 4 and not words[0].isdigit():
            out.add(words[0])
    return sorted(out, key=len, reverse=True)


def compile_names(names: Iterable[str]) -> re.Pattern[str] | None:
    variants = name_variants(names)
    if not variants:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(v) for v in variants) + r")\b", re.I)


def scrub_generated(text: str, names: re.Pattern[str] | None = None) -> str:
    """For text traceclio wrote from aggregates (titles, descriptions): keep its counts and words, but
    remove any tenant name, email, URL or id that slipped in from the evidence."""
    if not text:
        return ""
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<url>", text)
    if names is not None:
        text = names.sub("<name>", text)
    return _SPACES.sub(" ", text).strip()


def sanitize(text: str, names: re.Pattern[str] | None = None) -> str:
    """Replace emails, URLs, phone numbers, ids, numbers, known names and likely proper nouns with
    placeholders, and collapse whitespace."""
    text = scrub_generated(text, names)
    text = _PHONE.sub("<number>", text)
    text = _ID.sub("<id>", text)
    text = _NUMBER.sub("<number>", text)
    return _MID_SENTENCE_NAME.sub(lambda m: m.group(0) if m.group(0) in _COMMON else "<name>", text)


def contains_name(text: str, names: re.Pattern[str] | None) -> bool:
    return bool(names is not None and names.search(text or ""))
