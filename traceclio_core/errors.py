"""One small exception hierarchy: exceptions where the program must stop, Reject records where the user needs data."""

from __future__ import annotations

from pydantic import BaseModel


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
    # "rejected": left out of the run; "truncated": kept, with an oversized value cut.
    action: str = "rejected"
    # True when the whole trace was set aside (it then appears in assignments.jsonl with a null cluster).
    whole_trace: bool = False
    excerpt: str | None = None

    def message(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        who = f" trace {self.trace_id}" if self.trace_id else ""
        who += f" span {self.span_id}" if self.span_id else ""
        return f"{where}{who}: {self.reason}"
