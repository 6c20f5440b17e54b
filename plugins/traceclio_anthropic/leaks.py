"""Deny generated text that copies trace content or carries injected instructions.

Trace content is untrusted: an instruction planted in a tool result must not steer a name, and no long
verbatim stretch of a customer's data may surface as a facet or a cluster title. Text is compared as
runs of LEAK_WORDS consecutive normalised words ("shingles").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from traceclio_core.model import Trace

# Six words in a row shared with trace content is a copy, not a coincidence of behaviour vocabulary.
LEAK_WORDS = 6
# Words read per trace and shingles kept per run: bound memory on large runs (later text goes unchecked).
WORDS_PER_TRACE = 4000
MAX_SHINGLES = 2_000_000
_WORD = re.compile(r"[a-z0-9']+")
_INSTRUCTION = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above|earlier) (instructions|prompts?)|disregard (the |all )?"
    r"(previous|prior|above) |system prompt|you are now|new instructions|developer mode", re.I)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, size: int = LEAK_WORDS) -> set[int]:
    words = _words(text)
    return {hash(tuple(words[i:i + size])) for i in range(len(words) - size + 1)}


def untrusted_text(trace: Trace) -> Iterable[str]:
    """The free text a trace carries: messages, model outputs, tool arguments and results."""
    for span in trace.spans:
        yield from (m.content for m in span.input_messages + span.output_messages if m.content)
        yield from (t for t in (span.tool_arguments, span.tool_result, span.input_text, span.output_text) if t)


def instruction_like(text: str) -> bool:
    return bool(_INSTRUCTION.search(text or ""))


class LeakIndex:
    """Shingles of the trace content seen in this run; thread-safe, bounded."""

    def __init__(self):
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def add_trace(self, trace: Trace) -> set[int]:
        """Index the trace and return its own shingles (to check its facets against)."""
        words: list[str] = []
        for text in untrusted_text(trace):
            words.extend(_words(text))
            if len(words) >= WORDS_PER_TRACE:
                break
        own = {hash(tuple(words[i:i + LEAK_WORDS])) for i in range(min(len(words), WORDS_PER_TRACE) - LEAK_WORDS + 1)}
        with self._lock:
            if len(self._seen) < MAX_SHINGLES:
                self._seen |= own
        return own

    def problem(self, text: str, own: set[int] | None = None, instructions: bool = True) -> str | None:
        """Why `text` may not be used (copies trace content, or reads like an instruction), or None.
        Checked against `own` shingles when given, else against every trace indexed in this run."""
        if instructions and instruction_like(text):
            return "reads like an instruction taken from trace content"
        found = shingles(text) & (own if own is not None else self._seen)
        if found:
            return f"copies {LEAK_WORDS}+ words of trace content verbatim"
        return None
