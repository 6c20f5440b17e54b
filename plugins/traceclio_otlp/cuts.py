"""Where to cut a JSON Lines file into shards: at a line end that no nearby trace straddles.

A trace's spans are spread over neighbouring lines (exporters batch spans as they end), so a cut at any
line end would split a few traces between two shards, and the pipeline would have to merge the shards
again to assemble them whole. Near each target offset this reads a window of lines, finds the trace ids
on each (a byte pattern, not a parse) and cuts where no id has lines on both sides. It only chooses
well: the pipeline still checks every seam with the ids the shards actually read.
"""

from __future__ import annotations

import re
from pathlib import Path

from traceclio_core.shards import FilePiece

# Bytes read on each side of a target offset to find a quiet line end.
RADIUS = 1 << 20
_TRACE_ID = re.compile(rb'"trace_?[iI]d"\s*:\s*"([^"\\]*)"')


def pieces(path: Path, target_bytes: int) -> list[FilePiece]:
    """The file in pieces of about `target_bytes`, cut at quiet line ends (one piece when it is small)."""
    size = path.stat().st_size
    count = size // target_bytes
    if count < 2:
        return [FilePiece(str(path))]
    cuts = [0]
    with path.open("rb") as handle:
        for k in range(1, count):
            cut = quiet_line_end(handle, k * size // count, min(RADIUS, target_bytes // 2))
            if cut is not None and cuts[-1] < cut < size:
                cuts.append(cut)
    ends = [*cuts[1:], None]
    return [FilePiece(str(path), start, end) for start, end in zip(cuts, ends)]


def quiet_line_end(handle, target: int, radius: int) -> int | None:
    """The offset just after a line end near `target` where no trace id seen in the window has lines on
    both sides (else the one fewest straddle); None when the window holds no whole line."""
    begin = max(0, target - radius)
    handle.seek(begin)
    window = handle.read(2 * radius)
    ends = [m.end() for m in re.finditer(rb"\n", window)]
    if len(ends) < 3:  # a cut needs a whole line on each side to be judged
        return None
    # Lines wholly inside the window: between consecutive line ends.
    first: dict[bytes, int] = {}
    last: dict[bytes, int] = {}
    for number, (start, end) in enumerate(zip(ends, ends[1:])):
        for found in _TRACE_ID.finditer(window, start, end):
            trace_id = found.group(1)
            first.setdefault(trace_id, number)
            last[trace_id] = number
    lines = len(ends) - 1
    # straddling[i]: ids with a line at or before line i and one after it (the cut after line i).
    change = [0] * (lines + 1)
    for trace_id, at in first.items():
        if last[trace_id] > at:
            change[at] += 1
            change[last[trace_id]] -= 1
    straddling, running = [], 0
    for i in range(lines):
        running += change[i]
        straddling.append(running)
    # The cut after whole line i is at ends[i + 1]; only those with a whole line after them are judged.
    options = [(straddling[i], ends[i + 1]) for i in range(lines - 1)]
    fewest = min(count for count, _ in options)
    return begin + min((offset for count, offset in options if count == fewest),
                       key=lambda offset: abs(begin + offset - target))
