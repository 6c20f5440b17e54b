"""Sensitive data types in text, by pattern and checksum: the recognisers observability tools ship for
emails, phone numbers, payment cards (Luhn), national ids, IBANs, secrets and keys.

Presidio would be the field's library, but its analyzer needs a spaCy model that PyPI does not carry,
so the pattern recognisers are kept here, small and checksum-checked where a checksum exists.
"""

from __future__ import annotations

import re

from traceclio_core.json_text import loads_shared

_PATTERNS = {
    "email": re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"),
    "phone": re.compile(r"(?<![\w-])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}(?![\w-])"),
    "card": re.compile(r"(?<!\d)(?:\d[ -]?){13,19}(?!\d)"),
    "national_id": re.compile(r"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}\b"),
    "secret": re.compile(r"\b(?:sk|pk|rk)[-_](?:live|test|prod)?[-_]?[A-Za-z0-9]{16,}\b|\bAKIA[0-9A-Z]{16}\b|"
                         r"\bgh[pousr]_[A-Za-z0-9]{30,}\b|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.|"
                         r"-----BEGIN (?:RSA |EC )?PRIVATE KEY-----", re.I),
    # A value under a key that names a credential (password: …, "api_key": "…"): the value is the secret.
    "secret_value": re.compile(r"\b(?:password|passwd|passphrase|api[_-]?key|secret(?:[_-]?key)?|client[_-]?secret|"
                               r"access[_-]?(?:key|token)|auth[_-]?token|token|private[_-]?key)[\"']?\s*[:=]\s*[\"']?"
                               r"([^\s\"',;]{6,})", re.I),
}


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def found(text: str) -> dict[str, set[str]]:
    """Each data type found, with the matched values (normalised), e.g. {'email': {'a@b.co'}}."""
    out: dict[str, set[str]] = {}
    text = text or ""
    for kind, pattern in _PATTERNS.items():
        for match in pattern.findall(text):
            value = match if isinstance(match, str) else match[0]
            kind = "secret" if kind == "secret_value" else kind
            if kind == "card":
                digits = re.sub(r"\D", "", value)
                if not (13 <= len(digits) <= 19 and _luhn(digits)):
                    continue
                value = digits
            out.setdefault(kind, set()).add(value.lower())
    return out


# JSON fields named for a person: the field name says what the value is, where no pattern could.
_PERSONAL_FIELDS = re.compile(r"^(?:full_?name|first_?name|last_?name|name|customer_?name|patient_?name|"
                              r"employee_?name|traveller_?name|passenger_?name|email|e_?mail|phone|mobile|"
                              r"address|street|dob|date_?of_?birth|birth_?date|ssn|national_?id|passport|"
                              r"iban|account_?number|card_?number)$", re.I)


def personal_fields(result: str | None) -> set[str]:
    """Values of fields a tool result names as a person's (name, email, phone, address, ids), lower-cased."""
    try:
        parsed = loads_shared(result or "")
    except ValueError:
        return set()
    found, stack = set(), [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str) and len(value) >= 3 and _PERSONAL_FIELDS.match(str(key)):
                    found.add(value.lower())
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found
