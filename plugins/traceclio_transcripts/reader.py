"""Read transcript files: JSON Lines (one run, or one list of messages, per line) or one JSON array of runs.

Plain or zstd-compressed, UTF-8 with or without a byte-order mark. Each run comes with its place (file,
line, and array position); a line or an array element that is not JSON becomes a Reject naming file and
line, and reading goes on where it can (after a broken array element nothing further can be located).
A JSON array is read whole into memory; JSON Lines stream.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from traceclio_core.errors import Reject
from traceclio_core.file_format import UTF8_BOM, ZSTD_MAGIC
from traceclio_core.rejects import RejectLog
from traceclio_transcripts.runs import Place

_WHITESPACE = " \t\r\n"


def _open(path: Path, handle: IO[bytes]) -> IO[bytes]:
    if handle.read(4) == ZSTD_MAGIC:
        import zstandard

        handle.seek(0)
        return zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
    handle.seek(0)
    return handle


def _is_message(value: Any) -> bool:
    return isinstance(value, dict) and "role" in value


def _runs_in(value: Any, place: Place) -> Iterator[tuple[Any, Place]]:
    """A line's (or file's) value as runs: a list of messages is one run, a list of runs is many."""
    if isinstance(value, list) and value and not _is_message(value[0]):
        for index, run in enumerate(value):
            yield run, Place(place.source, place.line, index)
    else:
        yield value, place


class TranscriptFile:
    """Yields (run value, place) from one file; what cannot be parsed goes to `rejects`."""

    def __init__(self, path: Path, rejects: RejectLog):
        self.path = path
        self.source = str(path)
        self.rejects = rejects

    def runs(self) -> Iterator[tuple[Any, Place]]:
        with self.path.open("rb") as handle:
            lines = _lines(_open(self.path, handle))
            first = next(lines, None)
            if first is None:
                return
            first = first.removeprefix(UTF8_BOM)
            if first.lstrip().startswith((b"[", b"{")) and not _parses(first):
                # Not a whole value on its first line: a pretty-printed document, read whole.
                data = first + b"".join(lines)
                text = self._decode(1, data)
                if text is not None and not (yield from self._document(text)):
                    yield from self._json_lines(iter(data.splitlines(keepends=True)))
                return
            yield from self._json_lines(itertools.chain([first], lines))

    def _json_lines(self, lines: Iterable[bytes]) -> Iterator[tuple[Any, Place]]:
        for number, line in enumerate(lines, start=1):
            text = self._decode(number, line)
            if text is None or not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError as err:
                why = "line is not valid JSON" if line.endswith(b"\n") else \
                    "file ends in the middle of a line (truncated)"
                self._reject(number, f"{why}: {err}", text)
                continue
            yield from _runs_in(value, Place(self.source, number))

    def _document(self, text: str) -> Generator[tuple[Any, Place], None, bool]:
        """One JSON value spread over lines: an array is walked element by element so each run keeps
        the line it starts on; an object is one run. Returns False for an object that does not parse
        (more likely JSON Lines with a broken first line, so the caller reads it line by line)."""
        decoder = json.JSONDecoder()
        position = _skip(text, 0)
        if not text.startswith("[", position):
            try:
                value, _ = decoder.raw_decode(text, position)
            except ValueError:
                return False
            yield from _runs_in(value, Place(self.source, _line_of(text, position)))
            return True
        elements: list[tuple[Any, int]] = []
        array_line = _line_of(text, position)
        position = _skip(text, position + 1)
        line, counted = 1, 0
        while position < len(text) and text[position] != "]":
            line += text.count("\n", counted, position)
            counted = position
            try:
                value, position = decoder.raw_decode(text, position)
            except ValueError as err:
                self._reject(line, f"array element {len(elements)} is not valid JSON ({err}); the rest of the "
                                   "file cannot be read", None)
                break
            elements.append((value, line))
            position = _skip(text, position)
            if text.startswith(",", position):
                position = _skip(text, position + 1)
            elif position < len(text) and text[position] != "]":
                self._reject(_line_of(text, position), f"expected ',' or ']' after array element "
                                                       f"{len(elements) - 1}; the rest of the file cannot be read",
                             None)
                break
        if elements and _is_message(elements[0][0]):
            yield [value for value, _ in elements], Place(self.source, array_line)  # one run's messages
            return True
        for index, (value, start) in enumerate(elements):
            yield value, Place(self.source, start, index, whole_file=True)
        return True

    def _decode(self, number: int, line: bytes) -> str | None:
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as err:
            self._reject(number, f"not valid UTF-8 (byte {err.start})", line)
            return None

    def _reject(self, number: int, reason: str, excerpt: Any) -> None:
        if isinstance(excerpt, bytes):
            excerpt = excerpt[:300].decode("utf-8", "replace")
        self.rejects.add(Reject(source=self.source, line=number, reason=reason,
                                excerpt=excerpt[:300] if isinstance(excerpt, str) else None))


def _parses(line: bytes) -> bool:
    """Whether the line is a whole JSON value; a line that is not UTF-8 counts as one (and is rejected
    as a line), so it cannot send a JSON Lines file down the whole-document path."""
    try:
        json.loads(line)
    except UnicodeDecodeError:
        return True
    except ValueError:
        return False
    return True


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    pending = b""
    while chunk := stream.read(1 << 20):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending
