"""An error message with what varies between occurrences stripped (ids, numbers, paths, quoted values,
addresses), so the same failure reads the same everywhere it happens."""

from __future__ import annotations

import re

_STEPS = (
    (re.compile(r"https?://\S+"), "<url>"),
    (re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"), "<email>"),
    (re.compile(r"(?:/[\w.-]+){2,}/?|[A-Za-z]:\\[\w\\.-]+"), "<path>"),
    (re.compile(r"'[^']{0,80}'|\"[^\"]{0,80}\"|`[^`]{0,80}`"), "<value>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f-]{27}\b|\b(?!\d+[a-z]{1,3}\b)(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9][\w-]{4,}\b", re.I),
     "<id>"),  # an id mixes letters and digits; "340ms" is a figure with its unit
    (re.compile(r"\d+(?:\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)
MAX_CHARS = 80


def signature(message: str) -> str:
    """'Order ORD-1234 not found at /v1/orders/ORD-1234 (took 12ms)' → 'order <id> not found at <path> (took <n>ms)'."""
    text = (message or "")[:1000].strip().splitlines()[0] if (message or "").strip() else ""
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    return text.strip().lower()[:MAX_CHARS]
