"""What a call's arguments ask for, read in general terms: an irreversible command, a change confined to
test files, a placeholder nobody filled in, a result cut at the limit the call set.

These are shapes any engineer recognises in a tool call, whatever the agent or domain: the destructive
commands are the well-known irreversible ones of shells, git and SQL.
"""

from __future__ import annotations

import re

from traceclio_core.json_text import loads_shared

_DESTRUCTIVE = re.compile(
    r"\brm\s+-[a-z]*r[a-z]*f|\brm\s+-[a-z]*f[a-z]*r|\bgit\s+reset\s+--hard\b|\bgit\s+clean\s+-[a-z]*[fdx]|"
    r"\bgit\s+push\b[^\n]*(?:--force\b|\s-f\b)|\bdrop\s+(?:table|database|schema)\b|\btruncate\s+(?:table\s+)?\w|"
    r"\bdelete\s+from\s+[\w.\"`]+\s*(?:;|$|\"|')|\bmkfs\b|\bdd\s+if=|\bformat\s+[a-z]:|:\s*>\s*/",
    re.I | re.M)
# {name}, {{ name }}, ${name}, %(name)s: a slot of a template, not JSON (whose braces hold quotes and colons).
_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][\w.]*\s*\}\}|(?<![{$\w])\{[A-Za-z_][\w.]*\}(?!\})|\$\{[A-Za-z_][\w.]*\}|"
                          r"%\([A-Za-z_]\w*\)s")
_PATH = re.compile(r"[\w./-]+\.(?:py|js|ts|tsx|jsx|go|rs|java|rb|php|cs|cpp|c|h|kt|swift)\b")
_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|spec|__tests__)/|(?:^|/)test_[\w-]+\.|_test\.|\.test\.|\.spec\.", re.I)
_LIMIT = re.compile(r"\blimit\s+(\d+)\b|\"(?:limit|max_rows|page_size|top)\"\s*:\s*(\d+)", re.I)
# A line that opens with a speaker label, as in a transcript: the answer writing both sides of a chat.
_SPEAKER = re.compile(r"^\s*(?:\*\*)?(?:user|human|customer|assistant|ai|agent|bot)(?:\*\*)?\s*:", re.I | re.M)


def destructive(arguments: str | None) -> bool:
    return bool(_DESTRUCTIVE.search(arguments or ""))


def placeholders(text: str | None) -> bool:
    return bool(_PLACEHOLDER.search(text or ""))


def paths(arguments: str | None) -> list[str]:
    return _PATH.findall(arguments or "")


def only_tests(changed: list[str]) -> bool:
    """Files a change touched, all of them tests."""
    return bool(changed) and all(_TEST_PATH.search(p) for p in changed)


def _rows(result: str | None) -> int | None:
    try:
        value = loads_shared(result or "")
    except ValueError:
        return None
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        value = lists[0] if len(lists) == 1 else None
    return len(value) if isinstance(value, list) else None


def capped(arguments: str | None, result: str | None) -> bool:
    """The call set a row limit and its result holds exactly that many rows: there may be more."""
    match = _LIMIT.search(arguments or "")
    if not match:
        return False
    limit = int(match.group(1) or match.group(2))
    return limit > 1 and _rows(result) == limit


def speaker_turns(answer: str) -> int:
    lines = (answer or "").strip().splitlines()
    return len(_SPEAKER.findall("\n".join(lines[1:]))) if len(lines) > 1 else 0
