"""Pieces of the input that can be read apart: what the engines hand to worker processes or Ray tasks.

A source whose input can be split returns, from `traceclio_load_traces`, an iterable that also has
`shards(target_bytes) -> list[Shard]`: its input cut into shards, in reading order, that together read
exactly what iterating it reads. A shard is plain data (paths and byte ranges), so it pickles to any
worker; the worker reads it through `traceclio_read_shard`. Each source is one stream: its shards are read
apart, then put back in order (sharded.py), and a trace id found in two shards of a stream merges them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class FilePiece:
    """Bytes [start, end) of one file (end None: to the end). A piece after the first of its file starts on
    a line boundary, and numbers its lines from 1: the pipeline adds the lines of the pieces before it."""

    path: str
    start: int = 0
    end: int | None = None

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end is None


@dataclass(frozen=True)
class Shard:
    """Pieces read in order as one stream by the source plugin named `source`."""

    source: str
    pieces: tuple[FilePiece, ...]
    size: int = 0  # bytes, for planning
    index: int = 0  # its place in its stream, set by the pipeline


def joined(shards: list[Shard]) -> Shard:
    """Consecutive shards of one stream as one: their pieces in order, neighbouring ranges of a file made one."""
    pieces: list[FilePiece] = []
    for piece in (p for s in shards for p in s.pieces):
        last = pieces[-1] if pieces else None
        if last is not None and last.path == piece.path and last.end is not None and last.end == piece.start:
            pieces[-1] = FilePiece(last.path, last.start, piece.end)
        else:
            pieces.append(piece)
    return replace(shards[0], pieces=tuple(pieces), size=sum(s.size for s in shards))


def packed(pieces: list[FilePiece], source: str, target_bytes: int, sizes: dict[str, int]) -> list[Shard]:
    """Pieces grouped, in order, into shards of about `target_bytes` (small files share a shard)."""
    shards: list[Shard] = []
    current: list[FilePiece] = []
    size = 0
    for piece in pieces:
        length = (piece.end if piece.end is not None else sizes[piece.path]) - piece.start
        if current and size + length > target_bytes:
            shards.append(Shard(source, tuple(current), size))
            current, size = [], 0
        current.append(piece)
        size += length
    if current:
        shards.append(Shard(source, tuple(current), size))
    return shards
