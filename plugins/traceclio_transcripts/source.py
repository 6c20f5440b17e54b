"""The transcript source as a plugin: local files of chat transcripts in, complete traces out.

A file is read here when its first bytes show chat messages or `--format transcripts` says so (see
traceclio_core/file_format.py); every other local file is the OTLP reader's. Runs are translated by
runs.py and go through the one assembly path (duplicate ids, bounds, tenant, outcome, rejects).
A malformed run is a Reject naming file, line (and array index) and run id; a malformed message is a
Reject too, and the rest of its run is kept.

No fingerprint of its own: the local-file fingerprint (traceclio_otlp) hashes these files' bytes, and
the pipeline keys it with the transcript settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from traceclio_core.assembly import SpanRecord, TraceAssembler
from traceclio_core.errors import Reject
from traceclio_core.file_format import file_format
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import Trace
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import InputFormat, Settings
from traceclio_core.shards import FilePiece, Shard, packed
from traceclio_otlp.source import expand, is_local
from traceclio_transcripts.reader import TranscriptFile
from traceclio_transcripts.runs import Place, run_id, to_records

SOURCE = "transcript-files"


@hookimpl(trylast=True)
def traceclio_load_traces(locations: list[str], settings: Settings, rejects: RejectLog) -> Iterable[Trace] | None:
    files = [path for loc in locations if is_local(loc) for path in expand(loc)
             if file_format(path, settings.input_format) is InputFormat.TRANSCRIPTS]
    if not files:
        return None
    return TranscriptFiles(files, settings, rejects)


@hookimpl(trylast=True)
def traceclio_read_shard(shard: Shard, settings: Settings, rejects: RejectLog) -> Iterable[Trace] | None:
    if shard.source != SOURCE:
        return None
    return TranscriptFiles([Path(piece.path) for piece in shard.pieces], settings, rejects)


class TranscriptFiles:
    """Traces of every run in `files`, in file order; a file is a shard's smallest piece (run ids may be
    FILE:LINE, so a file is never cut)."""

    def __init__(self, files: list[Path], settings: Settings, rejects: RejectLog):
        self.files = files
        self.settings = settings
        self.rejects = rejects

    def shards(self, target_bytes: int) -> list[Shard]:
        sizes = {str(path): path.stat().st_size for path in self.files}
        return packed([FilePiece(str(path)) for path in self.files], SOURCE, target_bytes, sizes)

    def __iter__(self) -> Iterator[Trace]:
        return load_traces(self.files, self.settings, self.rejects)


def load_traces(files: list[Path], settings: Settings, rejects: RejectLog) -> Iterator[Trace]:
    """Traces of every run in `files`, in file order."""
    assembler = TraceAssembler(rejects, settings)

    def runs() -> Iterator[list[SpanRecord]]:
        for path in files:
            for value, place in TranscriptFile(path, rejects).runs():
                records = _records(value, place, settings, rejects)
                if records:
                    yield records

    yield from assembler.assemble_whole(runs())


def _where(place: Place) -> str:
    return f"run at array index {place.index}: " if place.index is not None else ""


def _records(value: Any, place: Place, settings: Settings, rejects: RejectLog) -> list[SpanRecord]:
    def bad_message(trace_id: str, number: int, why: str) -> None:
        rejects.add(Reject(source=place.source, line=place.line, trace_id=trace_id,
                           reason=f"{_where(place)}message {number} is left out ({why}); the rest of the run is kept"))

    try:
        return to_records(value, place, settings, bad_message)
    except (ValueError, TypeError, AttributeError) as err:
        rejects.add(Reject(source=place.source, line=place.line, trace_id=run_id(value, place, settings),
                           whole_trace=True, reason=f"{_where(place)}malformed run: {err}",
                           excerpt=str(value)[:300]))
        return []
