"""Read the input in shards on an engine's workers, then put their rows back exactly as one process reads them.

Why the result is the same: each source is one stream, read by one assembler. A trace's place in the
stream's output, and whether each of its spans is kept, depends only on the spans of its own id and on
how many spans lie between them (the trace window), which a shard counts the same as the whole stream.
So where no trace id is read by two shards of a stream, the stream's rows are the shards' rows one
shard after the other, and its rejects the same records (later pieces of a file renumber their lines).
Where an id is read by two shards (a trace cut at a seam, or an id used twice far apart), those shards
and every one between them are read again as one, until no id is shared.
"""

from __future__ import annotations

from traceclio_core.errors import ConfigurationError, Reject
from traceclio_core.rejects import RejectLog
from traceclio_core.shards import Shard, joined
from traceclio_core.workers import ShardResult

# Shards per worker when their size is picked from the input: enough to keep every worker busy to the end.
SHARDS_PER_WORKER = 4
# Smaller shards cost more in seams than they give back in balance; larger ones cost memory, since a
# worker holds a shard's open traces until the trace window (or the shard) ends: about 5 bytes of Python
# objects per byte of input.
MIN_SHARD_BYTES = 4 << 20
MAX_SHARD_BYTES = 64 << 20


def splittable(sources: list) -> bool:
    """Whether every source can be read in shards."""
    return bool(sources) and all(callable(getattr(source, "shards", None)) for source in sources)


def plan(sources: list, target_bytes: int | None, workers: int) -> list[list[Shard]]:
    """Each source's shards (one stream per source)."""
    if target_bytes is None:
        total = sum(shard.size for source in sources for shard in source.shards(1 << 62))
        target_bytes = min(MAX_SHARD_BYTES, max(MIN_SHARD_BYTES, total // (workers * SHARDS_PER_WORKER) + 1))
    return [_numbered(source.shards(target_bytes)) for source in sources]


def _numbered(shards: list[Shard]) -> list[Shard]:
    return [Shard(s.source, s.pieces, s.size, index) for index, s in enumerate(shards)]


def read(streams: list[list[Shard]], engine, rejects: RejectLog, version: str, progress, clock
         ) -> tuple[list, dict, dict]:
    """Every stream's rows in reading order, the counts, and what the merge did; rejects are added to
    `rejects` in input order (so --strict stops at the first, as in one process)."""
    flat = [shard for stream in streams for shard in stream]
    results: list[dict[int, ShardResult]] = [{} for _ in streams]
    with progress.stage("load + facets", None) as advance:
        place = {id(shard): n for n, stream in enumerate(streams) for shard in stream}
        for shard, result in zip(flat, engine.map(flat)):
            results[place[id(shard)]][shard.index] = _checked(result, version)
            advance(len(result.rows))
        merges = 0
        for n, stream in enumerate(streams):
            while groups := _shared(stream, results[n]):
                merged = [joined(stream[first:last + 1]) for first, last in groups]
                for (first, last), result in zip(groups, engine.map(merged)):
                    for index in range(first, last + 1):
                        results[n].pop(index)
                    results[n][first] = _checked(result, version)
                    merges += last - first
                stream = _renumbered(stream, groups)
                results[n] = {index: results[n][key] for index, key in enumerate(sorted(results[n]))}
                streams[n] = stream
    rows: list = []
    counts = {"traces_read": 0, "facets_cached": 0, "facets_computed": 0, "facet_failures": 0}
    for n, stream in enumerate(streams):
        lines_before: dict[str, int] = {}
        for shard in stream:
            result = results[n][shard.index]
            _add_rejects(rejects, shard, result, lines_before)
            rows.extend(result.rows)
            for key in counts:
                counts[key] += result.counts.get(key, 0)
            for stage, seconds in result.seconds.items():
                clock.seconds[stage] = round(clock.seconds.get(stage, 0.0) + seconds, 3)
    peak = max((r.peak_rss_mib for found in results for r in found.values()), default=0.0)
    return rows, counts, {"shards": sum(len(s) for s in streams), "shards_merged": merges,
                          "worker_peak_rss_mib": round(peak)}


def _checked(result: ShardResult, version: str) -> ShardResult:
    if result.version != version:
        raise ConfigurationError(f"a worker computes facets as {result.version!r}, this process as {version!r}: "
                                 "install the same version of traceclio and its plugins on every worker")
    return result


def _ids(result: ShardResult) -> set[str]:
    """Every trace id the shard read: its rows', and those named by its rejects (set-aside traces, late spans)."""
    return {row.trace_id for row, _ in result.rows} | {r["trace_id"] for r in result.rejects if r.get("trace_id")}


def _shared(stream: list[Shard], results: dict[int, ShardResult]) -> list[tuple[int, int]]:
    """Runs of consecutive shards (first, last) that must be read as one because they share a trace id."""
    first_seen: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    for shard in stream:
        for trace_id in _ids(results[shard.index]):
            seen = first_seen.setdefault(trace_id, shard.index)
            if seen != shard.index:
                spans.append((seen, shard.index))
    groups: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if groups and first <= groups[-1][1]:
            groups[-1] = (groups[-1][0], max(groups[-1][1], last))
        else:
            groups.append((first, last))
    return groups


def _renumbered(stream: list[Shard], groups: list[tuple[int, int]]) -> list[Shard]:
    out: list[Shard] = []
    starts = {first: last for first, last in groups}
    index = 0
    while index < len(stream):
        last = starts.get(index, index)
        out.append(joined(stream[index:last + 1]))
        index = last + 1
    return [Shard(s.source, s.pieces, s.size, n) for n, s in enumerate(out)]


def _add_rejects(rejects: RejectLog, shard: Shard, result: ShardResult, lines_before: dict[str, int]) -> None:
    """The shard's rejects, a later piece's lines numbered after the pieces of its file read before it."""
    offsets = {}
    for piece in shard.pieces:
        offsets[piece.path] = lines_before.get(piece.path, 0) if piece.start else 0
        lines_before[piece.path] = offsets[piece.path] + result.lines_read.get(piece.path, 0)
    for record in result.rejects:
        offset = offsets.get(record.get("source"), 0)
        if offset and record.get("line") is not None:
            record = {**record, "line": record["line"] + offset}
        rejects.add(Reject(**record))

