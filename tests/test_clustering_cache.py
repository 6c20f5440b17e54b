"""A run over the same fact table with the same settings and code takes its clustering from the cache, and
writes what the cold run wrote, byte for byte; anything the clustering reads that changed is a miss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import behaviours
from builders import write_jsonl
from traceclio_core import clustering_cache, pipeline
from traceclio_core.cache_pruning import prune_cache
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings

OUTPUTS = ("clusters.json", "assignments.jsonl", "report.html", "facets.parquet", "outliers.jsonl")


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> Path:
    requests, _ = behaviours.build(per_behaviour=6)
    return write_jsonl(tmp_path_factory.mktemp("traces") / "traces.jsonl", requests)


def run(path: Path, out: Path, cache: Path, pm=None, **overrides):
    settings = Settings(out_dir=out, cache_dir=cache, **{"min_tenants": 3, "min_traces": 5, **overrides})
    return pipeline.run([str(path)], settings, pm or plugin_manager())


def entries(cache: Path) -> list[Path]:
    return sorted((cache / clustering_cache.DIRECTORY).glob("*.json.gz"))


def test_an_unchanged_rerun_takes_the_clustering_from_the_cache_and_writes_the_same_bytes(traces, tmp_path):
    cache = tmp_path / "cache"
    cold = run(traces, tmp_path / "cold", cache)
    assert not cold.summary["clustering_cached"] and cold.summary["texts_embedded"] > 0
    assert len(entries(cache)) == 1
    warm = run(traces, tmp_path / "warm", cache)
    assert warm.summary["clustering_cached"] and warm.summary["texts_embedded"] == 0
    assert warm.summary["distinct_texts"] == cold.summary["distinct_texts"]
    for name in OUTPUTS:
        assert (tmp_path / "cold" / name).read_bytes() == (tmp_path / "warm" / name).read_bytes(), name
    # The exemplars' drill-in timelines are computed again from the rows, not stored: still there.
    assert warm.exemplars and warm.exemplars == cold.exemplars


def test_a_setting_the_clustering_reads_is_a_miss_and_one_that_only_places_the_run_is_not(traces, tmp_path):
    cache = tmp_path / "cache"
    run(traces, tmp_path / "a", cache)
    assert run(traces, tmp_path / "b", cache, min_traces=6).summary["clustering_cached"] is False
    assert run(traces, tmp_path / "c", cache, workers=1, batch_size=7).summary["clustering_cached"] is True
    assert len(entries(cache)) == 2


class QuietPlugin:
    """A plugin of this module: registering it adds this module's folder to the code the clustering runs."""

    @hookimpl
    def traceclio_evidence_phrases(self, row, settings):
        return []


def test_another_plugin_or_edited_code_is_a_miss(traces, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = run(traces, tmp_path / "a", cache)
    pm = plugin_manager()
    pm.register(QuietPlugin())
    assert clustering_cache.code_fingerprint(pm) != clustering_cache.code_fingerprint(plugin_manager())
    # Edited source (simulated: the process's remembered digests forgotten, one package's source changed).
    monkeypatch.setattr(clustering_cache, "_code_digests", {})
    real_read = Path.read_bytes
    edited = Path(pipeline.__file__).resolve()
    monkeypatch.setattr(Path, "read_bytes", lambda self: real_read(self) + (b"# edited" if self == edited else b""))
    again = run(traces, tmp_path / "b", cache)
    assert again.summary["clustering_cached"] is False
    assert [c.title for c in again.clusters] == [c.title for c in first.clusters]


def test_a_damaged_entry_is_a_miss_and_is_replaced(traces, tmp_path):
    cache = tmp_path / "cache"
    run(traces, tmp_path / "a", cache)
    [entry] = entries(cache)
    entry.write_bytes(b"not gzip")
    assert run(traces, tmp_path / "b", cache).summary["clustering_cached"] is False
    assert run(traces, tmp_path / "c", cache).summary["clustering_cached"] is True
    assert json.loads((tmp_path / "a" / "clusters.json").read_text()) == json.loads(
        (tmp_path / "c" / "clusters.json").read_text())


def test_prune_cache_drops_clusterings_not_used_in_its_window(traces, tmp_path):
    cache = tmp_path / "cache"
    run(traces, tmp_path / "a", cache)
    kept = prune_cache(cache, keep_days=30)
    assert kept.clusterings_dropped == 0 and entries(cache)
    dropped = prune_cache(cache, keep_days=30, now=10**10)
    assert dropped.clusterings_dropped == 1 and not entries(cache)
