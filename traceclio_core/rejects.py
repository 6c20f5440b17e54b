"""Where set-aside input goes: counted, written to rejected.jsonl as it arrives, and echoed to the log."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from traceclio_core.errors import Reject, StrictModeError, TraceclioError

log = logging.getLogger("traceclio.rejects")

EXCERPT_CHARS = 300
T = TypeVar("T")


class RejectLog:
    """Collects rejects for one run. Sources call `add`; the run summary reads the counts."""

    def __init__(self, path: Path | None = None, strict: bool = False):
        self.path = path
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self._file: IO[str] | None = None
        self.traces_set_aside: list[str] = []
        # Kept for the source manifest, so a cached re-run reports the same rejects.
        self.records: list[dict] = []

    def add(self, reject: Reject) -> None:
        if reject.excerpt and len(reject.excerpt) > EXCERPT_CHARS:
            reject = reject.model_copy(update={"excerpt": reject.excerpt[:EXCERPT_CHARS] + "…"})
        self.counts[reject.action] += 1
        if reject.whole_trace and reject.trace_id:
            self.traces_set_aside.append(reject.trace_id)
        log.warning("%s %s", reject.action, reject.message())
        # Every documented key in every record, null where unknown.
        self.records.append(reject.model_dump())
        if self.path is not None:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("w", encoding="utf-8")
            self._file.write(_one_line(reject.model_dump_json()) + "\n")
            self._file.flush()
        if self.strict and reject.action == "rejected":
            raise StrictModeError(f"--strict: {reject.message()}")

    @property
    def rejected(self) -> int:
        return self.counts["rejected"]

    @property
    def truncated(self) -> int:
        return self.counts["truncated"]

    @property
    def repaired(self) -> int:
        return self.counts["repaired"]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self.path is not None:
            # An empty rejects file says "nothing was set aside" more plainly than a missing one.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("")


def _one_line(record: str) -> str:
    """A JSON line no reader splits: NEL and the Unicode line separators (valid, raw, inside JSON strings)
    are escaped, since str.splitlines() breaks lines at them."""
    return record.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def per_trace(rejects: RejectLog, stage: str, trace_id: str, work: Callable[[], T]) -> T | None:
    """`work()` for one trace, or None when it raised: an exception from one trace's content sets that trace
    aside (a whole-trace record naming the stage) instead of ending the run. Errors that must stop a run
    (--strict, configuration) still do."""
    try:
        return work()
    except TraceclioError:
        raise
    except Exception as err:
        rejects.add(Reject(source=stage, trace_id=trace_id, whole_trace=True,
                           reason=f"{stage} failed on this trace ({type(err).__name__}: {err}); "
                                  "the whole trace is set aside"))
        return None
