"""Worker processes read the input in shards and give the outputs one process gives, byte for byte."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import synthetic
from traceclio_core import pipeline
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings
from traceclio_core.shards import FilePiece, Shard, joined, packed
from traceclio_otlp.cuts import pieces, quiet_line_end

COMPARED = ("clusters.json", "assignments.jsonl", "facets.parquet", "report.html")
SHARD_BYTES = 400_000  # a few MB of input in a dozen shards


@pytest.fixture(scope="module")
def synthetic_file(tmp_path_factory) -> Path:
    """Synthetic traces, with a bad line and a blank one deep in the file: their line numbers must survive
    the cuts."""
    out = tmp_path_factory.mktemp("synthetic")
    synthetic.write_dataset(out, 240, seed=5)
    lines = (out / "traces.jsonl").read_text().splitlines(keepends=True)
    lines.insert(len(lines) * 6 // 10, '{"resourceSpans": [ not json\n')
    lines.insert(len(lines) * 9 // 10, "\n")
    (out / "traces.jsonl").write_text("".join(lines))
    return out / "traces.jsonl"


@pytest.fixture(scope="module")
def damaged_dir(synthetic_file, tmp_path_factory) -> Path:
    """Two OTLP files and a transcript file: bad lines deep in a file (their line numbers must survive the
    cut), a trace whose spans are far apart (a seam must be merged), a trace id used again after its
    trace closed (late spans), and a transcript id used in two files."""
    out = tmp_path_factory.mktemp("damaged")
    lines = synthetic_file.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    first, second = lines[:half], lines[half:]
    first.insert(len(first) * 3 // 4, '{"resourceSpans": [ not json\n')
    moved = first.pop(5)  # its traces' other spans stay near the start: a trace spread over the file
    first.append(moved)
    second.insert(len(second) // 2, "\n")
    second.insert(len(second) * 2 // 3, '{"resourceSpans": 7}\n')
    second.append(lines[1])  # a closed trace's spans again, far later
    (out / "a.jsonl").write_text("".join(first))
    (out / "b.jsonl").write_text("".join(second))
    messages = [{"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": "On its way."}]
    runs = [{"id": f"run-{i}", "messages": messages, "metadata": {"tenant.id": f"t{i % 3}"}} for i in range(6)]
    (out / "c-transcripts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    (out / "d-transcripts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs[:2]))
    return out


def run(location: Path, out: Path, pm=None, **overrides) -> dict:
    settings = Settings(out_dir=out, cache_dir=out.parent / f"{out.name}-cache", min_tenants=2, min_traces=3,
                        **overrides)
    return pipeline.run([str(location)], settings, pm or plugin_manager()).summary


def assert_same_outputs(one: Path, many: Path) -> None:
    for name in COMPARED:
        assert (one / name).read_bytes() == (many / name).read_bytes(), name
    # Rejects arrive in shard order rather than as the one process met them; the records are the same.
    assert sorted((one / "rejected.jsonl").read_text().splitlines()) == \
        sorted((many / "rejected.jsonl").read_text().splitlines())


def test_workers_give_the_outputs_of_one_process(synthetic_file, tmp_path):
    one = run(synthetic_file, tmp_path / "one", workers=1, shard_bytes=SHARD_BYTES)
    many = run(synthetic_file, tmp_path / "many", workers=2, shard_bytes=SHARD_BYTES)
    assert one["engine"] == "in-process" and many["engine"] == "local" and many["workers"] == 2
    assert many["shards"] >= 8
    # Cuts fall where no trace straddles them, so no shard had to be read again.
    assert many["shards_merged"] == 0
    assert many["traces_read"] == one["traces_read"] == 240
    assert_same_outputs(tmp_path / "one", tmp_path / "many")
    rejected = [json.loads(line) for line in (tmp_path / "many" / "rejected.jsonl").read_text().splitlines()]
    text = synthetic_file.read_text().splitlines()
    assert [(r["source"], r["line"]) for r in rejected] == [(str(synthetic_file),
                                                             text.index('{"resourceSpans": [ not json') + 1)]


def test_strict_stops_at_the_first_reject_a_worker_meets(synthetic_file, tmp_path):
    from traceclio_core.errors import StrictModeError

    text = synthetic_file.read_text().splitlines()
    line = text.index('{"resourceSpans": [ not json') + 1
    with pytest.raises(StrictModeError, match=f"traces.jsonl:{line}: line is not valid JSON"):
        run(synthetic_file, tmp_path / "out", workers=2, shard_bytes=SHARD_BYTES, strict=True)


def test_seams_a_trace_crosses_are_merged_and_rejects_keep_their_lines(damaged_dir, tmp_path):
    one = run(damaged_dir, tmp_path / "one", workers=1, shard_bytes=SHARD_BYTES, trace_window_spans=2000)
    many = run(damaged_dir, tmp_path / "many", workers=3, shard_bytes=SHARD_BYTES, trace_window_spans=2000)
    assert many["engine"] == "local" and many["shards_merged"] > 0
    assert many["rejected"] == one["rejected"] > 0 and many["traces_read"] == one["traces_read"]
    assert_same_outputs(tmp_path / "one", tmp_path / "many")
    records = [json.loads(line) for line in (tmp_path / "many" / "rejected.jsonl").read_text().splitlines()]
    assert any("after its trace was closed" in r["reason"] for r in records)
    assert any("already read earlier" in r["reason"] and r["source"].endswith("d-transcripts.jsonl")
               for r in records)


class RegionFacet:
    """A plugin object (not a module): the workers must get it too, pickled."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    @hookimpl
    def traceclio_compute_facets(self, trace, settings):
        return {"region_tag": f"{self.prefix}-{len(trace.spans) % 3}"}


def test_workers_run_the_plugins_registered_in_the_parent(synthetic_file, tmp_path):
    from traceclio_core import facet_table

    for name, workers in (("one", 1), ("many", 2)):
        run(synthetic_file, tmp_path / name, workers=workers, shard_bytes=SHARD_BYTES,
            pm=plugin_manager(extra_plugins=(RegionFacet("eu"),)))
    rows = facet_table.read(tmp_path / "many" / "facets.parquet")
    assert {row.facets["region_tag"] for row, _ in rows} <= {"eu-0", "eu-1", "eu-2"}
    assert_same_outputs(tmp_path / "one", tmp_path / "many")


class HoldsALock:
    def __init__(self):
        self.lock = threading.Lock()

    @hookimpl
    def traceclio_compute_facets(self, trace, settings):
        return {}


def test_a_plugin_that_cannot_reach_a_worker_keeps_the_run_in_process(synthetic_file, tmp_path):
    summary = run(synthetic_file, tmp_path / "out", workers=2, shard_bytes=SHARD_BYTES,
                  pm=plugin_manager(extra_plugins=(HoldsALock(),)))
    assert summary["engine"] == "in-process" and summary["traces_read"] == 240


def test_a_cut_falls_on_a_line_end_no_nearby_trace_crosses(tmp_path):
    lines = []
    for i in range(40):
        # Traces interleave in pairs: lines 2k and 2k+1 share trace k.
        lines.append(json.dumps({"traceId": f"t{i // 2}", "n": i}) + "\n")
    path = tmp_path / "ids.jsonl"
    path.write_text("".join(lines))
    data = path.read_bytes()
    with path.open("rb") as handle:
        cut = quiet_line_end(handle, len(data) // 2 + 3, 200)
    before = data[:cut].decode().splitlines()
    assert data[cut - 1:cut] == b"\n" and len(before) % 2 == 0
    parts = pieces(path, len(data) // 4)
    assert parts[0].start == 0 and parts[-1].end is None
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert b"".join(data[p.start:p.end] for p in parts) == data


def test_shards_join_neighbouring_ranges_and_pack_small_files():
    sizes = {"a": 10, "b": 10, "c": 100}
    shards = packed([FilePiece("a"), FilePiece("b"), FilePiece("c", 0, 50), FilePiece("c", 50)], "src", 25, sizes)
    assert [s.pieces for s in shards] == [(FilePiece("a"), FilePiece("b")), (FilePiece("c", 0, 50),),
                                          (FilePiece("c", 50),)]
    assert joined(shards[1:]).pieces == (FilePiece("c", 0, None),)
    assert joined([Shard("src", (FilePiece("a"),), 10), Shard("src", (FilePiece("b"),), 10)]).size == 20
