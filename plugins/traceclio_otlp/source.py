"""The OTLP file source as a plugin: local paths, directories and globs in, complete traces out.

All the files of one run are read as one stream, so a trace whose spans were split across files is
assembled whole as long as its pieces are within the trace window of each other.
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from traceclio_core.errors import SourceError
from traceclio_core.file_format import file_format
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import InputFormat
from traceclio_core.shards import FilePiece, Shard, packed

if TYPE_CHECKING:  # loading the plugin (every command) stays light; reading files imports the rest
    from traceclio_core.model import Trace
    from traceclio_core.rejects import RejectLog
    from traceclio_core.settings import Settings

SUFFIXES = (".jsonl", ".json", ".pb", ".bin", ".otlp", ".zst")
# Part of the fingerprint: a cached run of the same files must not outlive a change in how they are read.
READER_VERSION = "2"
SOURCE = "otlp-files"


def is_local(location: str) -> bool:
    return "://" not in location or location.startswith("file://")


def expand(location: str) -> list[Path]:
    """Files named by a path, a directory (its trace files, sorted) or a glob."""
    location = location.removeprefix("file://")
    path = Path(location)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))
    if path.is_file():
        return [path]
    matches = sorted(Path(p) for p in glob.glob(location, recursive=True) if Path(p).is_file())
    if not matches:
        raise SourceError(f"no trace files at {location!r}")
    return matches


@hookimpl(trylast=True)
def traceclio_source_fingerprint(locations: list[str], settings: Settings) -> str | None:
    if not locations or not all(is_local(loc) for loc in locations):
        return None
    digest = hashlib.sha256()
    for path in (p for loc in locations for p in expand(loc)):
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
        digest.update(b"\0")
    return f"otlp-files:{READER_VERSION}:" + digest.hexdigest()


@hookimpl(trylast=True)
def traceclio_load_traces(locations: list[str], settings: Settings, rejects: RejectLog) -> Iterable[Trace] | None:
    local = [loc for loc in locations if is_local(loc)]
    if not local:
        return None
    # Chat transcripts among the files are the transcript reader's (traceclio_transcripts).
    files = [path for loc in local for path in expand(loc)
             if file_format(path, settings.input_format) is InputFormat.OTLP]
    return OtlpFiles([FilePiece(str(path)) for path in files], settings, rejects)


@hookimpl(trylast=True)
def traceclio_read_shard(shard: Shard, settings: Settings, rejects: RejectLog) -> Iterable[Trace] | None:
    if shard.source != SOURCE:
        return None
    return OtlpFiles(list(shard.pieces), settings, rejects)


class OtlpFiles:
    """The traces of OTLP files (or of pieces of them) read as one stream; splits into shards."""

    def __init__(self, pieces: list[FilePiece], settings: Settings, rejects: RejectLog):
        self.pieces = pieces
        self.settings = settings
        self.rejects = rejects
        self.lines_read: dict[str, int] = {}

    def shards(self, target_bytes: int) -> list[Shard]:
        from traceclio_otlp.cuts import pieces
        from traceclio_otlp.streams import splittable

        sizes = {p.path: Path(p.path).stat().st_size for p in self.pieces}
        split = [part for piece in self.pieces
                 for part in (pieces(Path(piece.path), target_bytes) if splittable(Path(piece.path)) else [piece])]
        return packed(split, SOURCE, target_bytes, sizes)

    def __iter__(self) -> Iterator[Trace]:
        from traceclio_core.assembly import TraceAssembler

        assembler = TraceAssembler(self.rejects, self.settings)

        def spans():
            from traceclio_otlp.reader import FileReader  # protobuf

            for piece in self.pieces:
                # The reader bounds each attribute as it is read (nesting, items, size: safe to hold); assembly
                # then bounds every source's span fields the same way.
                reader = FileReader(Path(piece.path), self.rejects, self.settings.max_attribute_bytes,
                                    piece.start, piece.end)
                yield from reader.spans()
                self.lines_read[piece.path] = reader.lines_read

        yield from assembler.assemble(spans())
