"""Survivable syncs: a ledger of what was written, bounded retries, and the loop that ties them together.

A store writer turns a SyncPlan into PlannedWrites, each with a stable key and a digest of its content.
The ledger (RUN_DIR/sync-<target hash>.jsonl) records a write once the store has accepted it, so a sync
interrupted halfway and run again writes only what is missing; writers also use idempotent ids so a
crash between the store's answer and the ledger line still ends with the item written once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("traceclio.sync")

RETRY_ATTEMPTS = 5
# Backoff doubles from here: 0.5, 1, 2, 4 s between the five attempts (about 8 s in all).
RETRY_BASE_SECONDS = 0.5


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def ledger_path(run_dir: Path, target: str) -> Path:
    return run_dir / f"sync-{hashlib.sha256(target.encode()).hexdigest()[:12]}.jsonl"


@dataclass(frozen=True)
class PlannedWrite:
    """One item to write. `kind` groups items a writer sends in one batch; `summary` is for --dry-run."""

    kind: str
    key: str
    payload: dict
    summary: str

    @property
    def digest(self) -> str:
        return digest(self.payload)


class StoreWriter(Protocol):
    target: str

    def plan(self) -> list[PlannedWrite]:
        """Every write this sync needs, in the order they must happen."""

    def batch_size(self, kind: str) -> int:
        """How many writes of `kind` go to the store in one call."""

    def write(self, kind: str, payloads: Sequence[dict]) -> set[int]:
        """Send one batch; return the indices that could not be written (e.g. trace not in the store)."""

    def is_retryable(self, error: Exception) -> bool:
        """True for rate limits (429), server errors (5xx) and dropped connections."""


class SyncLedger:
    """Keys already written to one target, with the digest of what was written."""

    def __init__(self, path: Path):
        self.path = path
        self.written: dict[str, str] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.written[entry["key"]] = entry["digest"]
                except (ValueError, KeyError):
                    continue  # A line cut short by a crash: its write is simply redone (idempotent ids).

    def done(self, write: PlannedWrite) -> bool:
        return self.written.get(write.key) == write.digest

    def record(self, writes: Sequence[PlannedWrite]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            for write in writes:
                handle.write(json.dumps({"key": write.key, "digest": write.digest}) + "\n")
                self.written[write.key] = write.digest
            handle.flush()


def with_retries(action: Callable[[], Any], is_retryable: Callable[[Exception], bool],
                 attempts: int = RETRY_ATTEMPTS, base_seconds: float = RETRY_BASE_SECONDS,
                 sleep: Callable[[float], None] = time.sleep) -> Any:
    """Run `action`, retrying retryable errors with exponential backoff; the last error is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as error:
            if attempt == attempts or not is_retryable(error):
                raise
            delay = base_seconds * 2 ** (attempt - 1)
            log.warning("store answered %s; retry %d of %d in %.1f s", type(error).__name__, attempt,
                        attempts - 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")


@dataclass
class SyncReport:
    planned: int = 0
    already_written: int = 0
    written: int = 0
    not_found: list[str] = field(default_factory=list)
    would_write: list[PlannedWrite] = field(default_factory=list)


def _batches(writes: list[PlannedWrite], size_of: Callable[[str], int]) -> Iterator[list[PlannedWrite]]:
    """Consecutive writes of one kind, cut at the writer's batch size; order across kinds is kept."""
    batch: list[PlannedWrite] = []
    for write in writes:
        if batch and (write.kind != batch[0].kind or len(batch) >= size_of(batch[0].kind)):
            yield batch
            batch = []
        batch.append(write)
    if batch:
        yield batch


def run_sync(writer: StoreWriter, run_dir: Path, dry_run: bool = False,
             sleep: Callable[[float], None] = time.sleep) -> SyncReport:
    """Write what the ledger does not hold yet; with `dry_run`, list it and write nothing (no ledger either)."""
    ledger = SyncLedger(ledger_path(run_dir, writer.target))
    planned = writer.plan()
    pending = [w for w in planned if not ledger.done(w)]
    report = SyncReport(planned=len(planned), already_written=len(planned) - len(pending))
    if dry_run:
        report.would_write = pending
        return report
    for batch in _batches(pending, writer.batch_size):
        missing = with_retries(lambda: writer.write(batch[0].kind, [w.payload for w in batch]),
                               writer.is_retryable, sleep=sleep)
        done = [w for i, w in enumerate(batch) if i not in missing]
        report.not_found.extend(batch[i].key for i in sorted(missing))
        ledger.record(done)
        report.written += len(done)
    return report
