"""Which reader a local trace file is for: OTLP or chat transcripts, told from its first bytes or forced.

Every local file is claimed by exactly one reader, so nothing is read twice and nothing is dropped
unread: a file that is not plainly a transcript goes to the OTLP reader, which rejects what it cannot
read with file and line.
"""

from __future__ import annotations

from pathlib import Path

from traceclio_core.settings import InputFormat

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
UTF8_BOM = b"\xef\xbb\xbf"
# Enough of the start to see the top-level keys (an OTLP request names resourceSpans first); every
# local file is sniffed by each file reader, so this stays small.
SNIFF_BYTES = 64 * 1024


def file_format(path: Path, forced: InputFormat) -> InputFormat:
    """The reader for `path`: `forced` unless it is AUTO, else what the first bytes show."""
    if forced is not InputFormat.AUTO:
        return forced
    return InputFormat.TRANSCRIPTS if looks_like_transcripts(_head(path)) else InputFormat.OTLP


def looks_like_transcripts(head: bytes) -> bool:
    """A JSON array (runs, or one run's messages per line) that holds no OTLP `resourceSpans` early on, or
    a first JSON line that holds chat messages (`"role"`) and no `resourceSpans`. A JSON array of OTLP
    requests (one document, as some tools export) goes to the OTLP reader."""
    text = head.removeprefix(UTF8_BOM).lstrip()
    if text.startswith(b"["):
        return b'"resourceSpans"' not in text[:4096] and b'"resource_spans"' not in text[:4096]
    if not text.startswith(b"{"):
        return False  # length-prefixed protobuf, or not JSON at all: the OTLP reader says which
    first_line = text.split(b"\n", 1)[0]
    return b'"resourceSpans"' not in first_line and b'"role"' in first_line


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(ZSTD_MAGIC):
        import zstandard

        with path.open("rb") as handle:
            reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
            try:
                head = reader.read(SNIFF_BYTES)
            except zstandard.ZstdError:
                return b""  # a broken stream: the OTLP reader reports it
    return head
