"""One small exception hierarchy: exceptions where the program must stop, Reject records where the user needs data."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

# An id in a record is for finding the input again; a longer "id" is damage, shown only by its start.
_ID_CHARS = 64


class TraceclioError(Exception):
    """Base for errors that stop a run."""


class ConfigurationError(TraceclioError):
    """The settings or the command line ask for something that cannot work."""


class SourceError(TraceclioError):
    """A trace source cannot be read at all (missing file, unreachable server)."""


class StrictModeError(TraceclioError):
    """--strict was given and some input had to be set aside."""


class Reject(BaseModel):
    """Input set aside (or cut) with where it came from and why. One line of rejected.jsonl."""

    source: str
    line: int | None = None
    trace_id: str | None = None
    span_id: str | None = None
    reason: str
    # "rejected": left out of the run; "truncated": kept, with an oversized (or too deeply nested) value cut;
    # "repaired": kept, with a value that could not be used as it was made safe (the reason says how);
    # "facet_failed": kept, without model-written facets.
    action: str = "rejected"
    # True when the whole trace was set aside (it then appears in assignments.jsonl with a null cluster).
    whole_trace: bool = False
    excerpt: str | None = None

    @field_validator("source", "trace_id", "span_id", "reason", "excerpt")
    @classmethod
    def _writable(cls, value: str | None, info) -> str | None:
        """A record quotes the input that was bad, so it must survive what was bad about it: text that UTF-8
        cannot hold (a lone surrogate) is written as its escape, and an overlong id is cut."""
        if value is None:
            return None
        if info.field_name in ("trace_id", "span_id") and len(value) > _ID_CHARS:
            value = value[:_ID_CHARS] + "…"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value

    def message(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        who = f" trace {self.trace_id}" if self.trace_id else ""
        who += f" span {self.span_id}" if self.span_id else ""
        return f"{where}{who}: {self.reason}"
