"""A trace file's bytes → a readable stream and the format it holds, told from the bytes themselves.

zstd is undone first. Then a byte-order mark, leading whitespace or blank lines cannot fool the detection:
JSON Lines is text whose first non-blank character is "{" (UTF-8, with or without a BOM, or UTF-16 with
one, as Windows tools write it); a first line that is only "{" or "[" starts one pretty-printed JSON
document (a request, or a list of them); length-prefixed messages start with a plausible 4-byte
big-endian length and then a message. A file that is none of these gets one record saying what was tried.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Enough of the start of a file to tell its format, and to find a good line after a damaged first one.
SNIFF_BYTES = 64 * 1024
# A length prefix above this is damage, not a message: the Collector's exporters send far smaller batches.
MAX_MESSAGE_BYTES = 1 << 30
JSON_LINES, JSON_DOCUMENT, LENGTH_PREFIXED = "JSON Lines", "one JSON document", "length-prefixed messages"
# A JSON Lines request on a later line: what tells a file with a damaged first line from binary noise.
_LATER_REQUEST = re.compile(rb'\n[ \t]*\{[ \t]*"resource_?[sS]pans"')
# Any line of text that starts like JSON: what tells UTF-16 text from bytes that happen to start FF FE.
_JSON_LINE_START = re.compile(r"(?:\A|\n)[ \t\r\ufeff]*[\{\[]")
# The first byte of a serialised ExportTraceServiceRequest: field 1 (resource_spans), length-delimited.
_PROTOBUF_START = b"\x0a"


@dataclass
class Opened:
    """The file's readable stream and what it holds; a context manager that closes the file."""

    stream: IO[bytes]
    raw: IO[bytes]
    format: str | None  # JSON_LINES, JSON_DOCUMENT, LENGTH_PREFIXED, or None when the bytes are none
    why: str = ""  # for None: what was tried
    damage: str | None = None  # zstd trouble worth a record: a truncation, or a false start

    def __enter__(self) -> IO[bytes]:
        return self.stream

    def __exit__(self, *exc) -> None:
        self.stream.close()
        self.raw.close()


def open_trace_file(path: Path, start: int = 0, end: int | None = None) -> Opened:
    """The file, or only its bytes [start, end) (a shard of plain JSON Lines; see shards.py)."""
    if start or end is not None:
        raw: IO[bytes] = io.BufferedReader(_Range(path, start, end), SNIFF_BYTES)
    else:
        raw = open(path, "rb", buffering=SNIFF_BYTES)  # noqa: SIM115 - the caller closes the stream
    stream: IO[bytes] = raw
    damage = None
    if raw.peek(4)[:4] == ZSTD_MAGIC:
        import zstandard

        damage = zstd_damage(raw)
        raw.seek(0)
        reader = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True,
                                                                                closefd=False), SNIFF_BYTES)
        try:
            reader.peek(SNIFF_BYTES)
            stream = reader
        except zstandard.ZstdError as err:
            # zstd's magic number, then no zstd: sniff the bytes as they are.
            damage = f"file starts like zstd but is not ({err}); read as it is"
            raw.seek(0)
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    if head.startswith(UTF16_BOMS) and _JSON_LINE_START.search(head.decode("utf-16", "replace")):
        return Opened(_Utf16AsUtf8(stream), raw, JSON_LINES, damage=damage)
    if head.startswith(UTF8_BOM):
        stream.read(len(UTF8_BOM))
        head = head[len(UTF8_BOM):]
    fmt, why = detect(head)
    return Opened(stream, raw, fmt, why, damage)


def detect(head: bytes) -> tuple[str | None, str]:
    """The format a stream starting with `head` holds (BOM removed), or None and what was tried."""
    text = head.lstrip(b" \t\r\n")
    if text.split(b"\n", 1)[0].strip() in (b"{", b"["):
        return JSON_DOCUMENT, ""
    if not text or text[:1] == b"{":
        return JSON_LINES, ""
    size = int.from_bytes(head[:4], "big") if len(head) >= 4 else None
    whole = _framed(head)
    if whole:
        return LENGTH_PREFIXED, ""
    if _LATER_REQUEST.search(head):
        # The first line is damaged, later ones are requests: read it as lines, reject the bad one.
        return JSON_LINES, ""
    if whole == 0:  # a plausible first prefix whose message runs past what was sniffed
        return LENGTH_PREFIXED, ""
    prefix = (f"a length prefix of {size:,} bytes followed by {head[4:5]!r}, not the start of a message"
              if size is not None else f"only {len(head)} bytes, too few for a length prefix")
    return None, (f"neither OTLP JSON Lines (its first non-blank bytes are {text[:12]!r}, not '{{') nor "
                  f"length-prefixed protobuf ({prefix}); nothing in it was read")


def _framed(head: bytes) -> int | None:
    """How many whole, non-empty length-prefixed messages `head` starts with, or None when it cannot be
    that format: its first prefix is too large, or its first message does not start like a request.
    Damage after a whole message still counts as this format. (A text file whose first bytes are NULs,
    as a crash can leave one, starts with a zero "length", but the next "prefix" is text.)"""
    offset = whole = 0
    while offset + 4 <= len(head):
        size = int.from_bytes(head[offset:offset + 4], "big")
        start = head[offset + 4:offset + 5]
        if size > MAX_MESSAGE_BYTES or (size and start and start not in (_PROTOBUF_START, b"{")):
            return whole or None
        offset += 4 + size
        whole += bool(size) and offset <= len(head)
    return whole if offset >= 4 else None


def zstd_damage(raw: IO[bytes]) -> str | None:
    """Where a zstd file ends inside a frame, else None. zstandard's stream reader stops silently at such a
    cut, so this walks the frame and block headers (nothing is decompressed) to tell."""
    import zstandard

    size = os.fstat(raw.fileno()).st_size
    offset = frames = 0
    while offset < size:
        raw.seek(offset)
        header = raw.read(18)  # the longest frame header
        if header[1:4] == b"\x2a\x4d\x18" and header[0] & 0xF0 == 0x50:  # a skippable frame
            offset += 8 + int.from_bytes(header[4:8], "little")
        elif header[:4] != ZSTD_MAGIC:
            return None  # not a frame: the decompressor reports this itself
        else:
            try:
                offset += zstandard.frame_header_size(header)
            except zstandard.ZstdError:
                return f"the file ends inside the header of zstd frame {frames + 1} (truncated)"
            checksum = header[4] & 0x04
            last = 0
            while not last and offset + 3 <= size:
                raw.seek(offset)
                block = int.from_bytes(raw.read(3), "little")
                last, kind, length = block & 1, (block >> 1) & 3, block >> 3
                offset += 3 + (1 if kind == 1 else length)
            if not last:
                offset = size + 1
            offset += 4 if checksum else 0
        frames += 1
        if offset > size:
            return (f"the file ends inside zstd frame {frames} (truncated): what decompresses before the cut is "
                    "read, the rest is lost")
    return None


def splittable(path: Path) -> bool:
    """Whether the file can be read in byte ranges cut at line ends: plain JSON Lines (no zstd, no UTF-16)."""
    try:
        opened = open_trace_file(path)
    except OSError:
        return False
    with opened:
        return opened.format == JSON_LINES and opened.stream is opened.raw and opened.damage is None


class _Range(io.RawIOBase):
    """Bytes [start, end) of a file, read as a file of their own."""

    def __init__(self, path: Path, start: int, end: int | None):
        self.file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with this reader
        self.file.seek(start)
        self.left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = len(buffer) if self.left is None else min(len(buffer), self.left)
        if size <= 0:
            return 0
        count = self.file.readinto(memoryview(buffer)[:size]) or 0
        if self.left is not None:
            self.left -= count
        return count

    def close(self) -> None:
        self.file.close()
        super().close()


class _Utf16AsUtf8(io.RawIOBase):
    """A UTF-16 text stream (BOM first) read as UTF-8 bytes, so the line reader needs no second path."""

    def __init__(self, stream: IO[bytes]):
        self.text = io.TextIOWrapper(stream, encoding="utf-16", newline="")
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            chunk = self.text.read(1 << 16)
            if not chunk:
                break
            self.pending += chunk.encode("utf-8", "surrogatepass")
        out, self.pending = (self.pending, b"") if size < 0 else (self.pending[:size], self.pending[size:])
        return out

    def close(self) -> None:
        self.text.close()
        super().close()
