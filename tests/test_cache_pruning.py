import os
import time

import numpy as np

from traceclio_core.cache_pruning import mark_facet_version_used, prune_cache
from traceclio_core.facet_table import FacetCache, SourceManifest
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.vectors import VectorCache

DAY = 86400


def facet_row(digest: str, version: str) -> FacetRow:
    return FacetRow(trace_id=digest, tenant="acme", content_hash=digest, extractor_version=version,
                    direct=DirectFacets(), model=ModelFacets())


def cache_shard(cache_dir, version: str, digests: list[str]) -> None:
    cache = FacetCache(cache_dir)
    for digest in digests:
        cache.put(facet_row(digest, version), {})
    cache.save()


class Letters:
    def __init__(self, model_id: str):
        self.model_id = model_id

    def embed(self, texts):
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def age(path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_facets_of_versions_no_run_used_lately_are_dropped_and_the_rest_compacted(tmp_path):
    cache_shard(tmp_path, "new", ["a", "b"])
    cache_shard(tmp_path, "new", ["c"])
    cache_shard(tmp_path, "old", ["a", "d"])
    mark_facet_version_used(tmp_path, "new")
    mark_facet_version_used(tmp_path, "old")
    for marker in (tmp_path / "facets" / "used").iterdir():
        if marker.read_text() == "old":
            age(marker, 40)

    report = prune_cache(tmp_path, keep_days=30)

    assert (report.facet_rows_kept, report.facet_rows_dropped, report.facet_shards_before) == (3, 2, 3)
    assert len(list((tmp_path / "facets").glob("*.parquet"))) == 1
    cache = FacetCache(tmp_path)
    assert all(cache.get(d, "new") for d in "abc")
    assert cache.get("a", "old") is None and cache.get("d", "old") is None


def test_an_embedder_not_used_lately_is_dropped_and_a_used_one_keeps_its_vectors_in_one_shard(tmp_path):
    used, stale = VectorCache(Letters("used"), tmp_path), VectorCache(Letters("stale"), tmp_path)
    used.embed(["one"])
    used.embed(["three"])
    stale.embed(["x"])
    age(stale.directory / ".used", 40)

    report = prune_cache(tmp_path, keep_days=30)

    assert report.embedders_dropped == [stale.directory.name] and not stale.directory.exists()
    assert len(list(used.directory.glob("*.npz"))) == 1
    vectors, computed_now = VectorCache(Letters("used"), tmp_path).embed(["one", "three"])
    assert computed_now == 0 and vectors[:, 0].tolist() == [3.0, 5.0]


def test_old_manifests_go_and_a_dry_run_changes_nothing(tmp_path):
    fresh, old = SourceManifest(tmp_path, "fresh"), SourceManifest(tmp_path, "old")
    fresh.save([("t1", "h1")], [], [])
    old.save([("t2", "h2")], [], [])
    age(old.path, 40)
    cache_shard(tmp_path, "unmarked", ["a"])

    dry = prune_cache(tmp_path, keep_days=30, dry_run=True)
    assert (dry.manifests_dropped, dry.facet_rows_dropped) == (1, 1)
    assert old.path.exists() and list((tmp_path / "facets").glob("*.parquet"))

    prune_cache(tmp_path, keep_days=30)
    assert fresh.path.exists() and not old.path.exists()
    assert not list((tmp_path / "facets").glob("*.parquet"))
