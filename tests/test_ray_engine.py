"""The Ray engine on a local Ray with one worker: the same outputs as the local engine."""

from __future__ import annotations

import importlib.util

import pytest

import synthetic
from traceclio_core import pipeline
from traceclio_core.errors import ConfigurationError
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                reason="ray is not installed (pip install 'traceclio[ray]')")

COMPARED = ("clusters.json", "assignments.jsonl", "facets.parquet")


def with_ray_engine():
    """The installed plugins and the Ray engine (registered here too, where the entry point is not installed)."""
    import traceclio_ray.plugin

    pm = plugin_manager()
    if not pm.is_registered(traceclio_ray.plugin):
        pm.register(traceclio_ray.plugin)
    return pm


@pytest.fixture(scope="module")
def local_ray():
    import ray

    ray.init(num_cpus=1, include_dashboard=False, object_store_memory=150 * 2**20, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_engine_gives_the_outputs_of_the_local_engine(local_ray, tmp_path):
    synthetic.write_dataset(tmp_path / "data", 150, seed=9)
    traces = str(tmp_path / "data" / "traces.jsonl")
    summaries = {}
    for engine, workers in (("local", 2), ("ray", None)):
        settings = Settings(out_dir=tmp_path / engine, cache_dir=tmp_path / f"cache-{engine}", engine=engine,
                            workers=workers, shard_bytes=300_000, min_tenants=2, min_traces=3)
        summaries[engine] = pipeline.run([traces], settings, with_ray_engine()).summary
    assert summaries["ray"]["engine"] == "ray" and summaries["ray"]["shards"] > 1
    assert summaries["ray"]["texts_embedded"] == summaries["local"]["texts_embedded"] > 0
    for name in COMPARED:
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_an_extractor_that_must_stay_in_one_process_is_refused_on_ray(tmp_path):
    class Stateful:
        version = "stateful-1"

        def extract(self, traces, direct, facets=None):
            raise AssertionError("never called")

    from traceclio_core import engines

    with pytest.raises(ConfigurationError, match="must run in this process"):
        engines.open_engine(Settings(engine="ray"), with_ray_engine(), Stateful())
