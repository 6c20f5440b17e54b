"""Read OTLP trace files as the Collector's file exporter writes them, one span at a time.

Formats, told from the bytes (streams.py): JSON Lines (one ExportTraceServiceRequest per line), one
pretty-printed JSON document, and length-prefixed messages (4-byte big-endian length, then protobuf or
JSON), optionally in a zstd stream. Each line (or message) is read on its own (messages.py turns it into
spans): whatever goes wrong in one becomes a Reject naming file, line (or message number) and trace id,
and reading goes on; a file that cannot be read further says where it stopped.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from traceclio_core.errors import TraceclioError
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan
from traceclio_otlp.messages import RequestReader
from traceclio_otlp.streams import JSON_DOCUMENT, JSON_LINES, MAX_MESSAGE_BYTES, UTF8_BOM, open_trace_file


class FileReader:
    """Yields RawSpans from one file; rejects go to `rejects`."""

    def __init__(self, path: Path, rejects: RejectLog, max_attribute_bytes: int = 256 * 1024, start: int = 0,
                 end: int | None = None):
        self.path = path
        self.range = (start, end)  # a shard's bytes of the file (see traceclio_core/shards.py)
        self.requests = RequestReader(str(path), rejects, max_attribute_bytes)
        self._number = 0  # the line or message being read, for a record of where reading stopped

    @property
    def lines_read(self) -> int:
        """Lines (or messages) read so far; a shard's line numbers start after those of the shards before it."""
        return self._number

    def spans(self) -> Iterator[RawSpan]:
        try:
            opened = open_trace_file(self.path, *self.range)
        except Exception as err:  # unreadable, or a zstd stream that is damaged from its first bytes
            self.requests.reject(None, f"file cannot be read ({type(err).__name__}: {err})", None)
            return
        with opened as stream:
            if opened.damage:
                self.requests.reject(None, opened.damage, None)
            if opened.format is None:
                self.requests.reject(None, f"file is {opened.why}", None)
                return
            try:
                if opened.format == JSON_LINES:
                    yield from self._json_lines(stream)
                elif opened.format == JSON_DOCUMENT:
                    yield from self._json_document(stream)
                else:
                    yield from self._length_prefixed(stream)
            except TraceclioError:
                raise
            except Exception as err:  # a damaged stream (zstd, UTF-16): keep what was read, say where it stopped
                self.requests.reject(self._number or None, f"reading stopped here ({type(err).__name__}: {err}); "
                                     "what was read before is kept", None)

    # -- JSON Lines ---------------------------------------------------------------------------------

    def _json_lines(self, stream: IO[bytes]) -> Iterator[RawSpan]:
        for number, line in enumerate(_lines(stream), start=1):
            self._number = number
            if not line.strip():
                continue
            yield from self._guarded(number, line, lambda: self._json_line(number, line))

    def _json_line(self, number: int, line: bytes) -> list[RawSpan]:
        try:
            # A BOM may also start a later line, where files that each had one were concatenated.
            text = line.removeprefix(UTF8_BOM).decode("utf-8")
        except UnicodeDecodeError as err:
            self.requests.reject(number, f"line is not valid UTF-8 (byte {err.start})", line)
            return []
        try:
            message = json.loads(text)
        except RecursionError:
            self.requests.reject(number, "line nests JSON deeper than the parser allows (about 1,000 levels)", text)
            return []
        except ValueError as err:
            complete = line.endswith(b"\n")
            why = "line is not valid JSON" if complete else "file ends in the middle of a line (truncated)"
            self.requests.reject(number, f"{why}: {err}", text)
            return []
        return list(self.requests.from_json(message, number))

    def _json_document(self, stream: IO[bytes]) -> Iterator[RawSpan]:
        """A pretty-printed file: one request, or a list of them (each numbered as a line is)."""
        data = stream.read()
        try:
            document = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as err:
            why = (f"file starts like one pretty-printed JSON document but is not valid JSON "
                   f"({type(err).__name__}: {err})")
            # JSON Lines whose first line is damaged has whole requests on later lines: lose only what is bad.
            if any(line.startswith(b"{") and line.rstrip().endswith(b"}") for line in data.splitlines()[1:]):
                self.requests.reject(None, why + "; read as JSON Lines instead", data)
                yield from self._json_lines(io.BytesIO(data))
            else:
                self.requests.reject(None, why + "; nothing in it was read", data)
            return
        requests = document if isinstance(document, list) else [document]
        for number, message in enumerate(requests, start=1):
            self._number = number
            yield from self._guarded(number, b"", lambda: list(self.requests.from_json(message, number)))

    # -- length-prefixed protobuf / JSON -----------------------------------------------------------

    def _length_prefixed(self, stream: IO[bytes]) -> Iterator[RawSpan]:
        number = 0
        while True:
            header = _read_exactly(stream, 4)
            if not header:
                return
            number += 1
            self._number = number
            if len(header) < 4:
                self.requests.reject(number, "file ends inside a message's length prefix (truncated)", None)
                return
            size = int.from_bytes(header, "big")
            if size > MAX_MESSAGE_BYTES:
                self.requests.reject(number, f"length prefix says {size:,} bytes, more than any message "
                                     f"({MAX_MESSAGE_BYTES:,}): the prefix is damaged, and the rest of the file "
                                     "cannot be split into messages", header)
                return
            payload = _read_exactly(stream, size)
            if len(payload) < size:
                self.requests.reject(number, f"file ends inside message {number}: {len(payload)} of {size} bytes "
                                             "(truncated)", None)
                return
            yield from self._guarded(number, payload, lambda: self._message(number, payload))

    def _message(self, number: int, payload: bytes) -> list[RawSpan]:
        if payload[:1] == b"{":
            try:
                return list(self.requests.from_json(json.loads(payload.decode("utf-8")), number))
            except (ValueError, UnicodeDecodeError, RecursionError) as err:
                self.requests.reject(number, f"message is not valid JSON: {type(err).__name__}: {err}", payload)
                return []
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(payload)
        except DecodeError as err:
            self.requests.reject(number, f"message is not a valid ExportTraceServiceRequest: {err}", payload)
            return []
        return list(self.requests.from_proto(request, number))

    # -- the boundary -----------------------------------------------------------------------------

    def _guarded(self, number: int, excerpt: bytes, read) -> list[RawSpan]:
        """One line's (or message's) spans; anything that goes wrong in it sets that line aside, not the run."""
        try:
            return read()
        except TraceclioError:
            raise
        except Exception as err:
            self.requests.reject(number, f"line could not be read ({type(err).__name__}: {err})", excerpt)
            return []

def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    """Lines of a binary stream; works on zstd readers too."""
    pending = b""
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line + b"\n"
    if pending:
        yield pending


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    parts, remaining = [], size
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 24))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
