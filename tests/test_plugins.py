"""Built-in stages are entry-point plugins; an outside plugin can replace any stage."""

import json
from importlib.metadata import entry_points

import numpy as np

import behaviours
from builders import write_jsonl
from traceclio_core import pipeline
from traceclio_core.components import ClusterName
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import ENTRY_POINT_GROUP, plugin_manager
from traceclio_core.settings import Settings

BUILT_INS = {"otlp_files", "direct_facets", "offline_facets", "offline_namer", "sentence_embedder", "kmeans",
             "privacy_thresholds", "run_files", "html_report"}


def test_built_in_stages_are_registered_through_the_entry_point_group():
    names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert BUILT_INS <= names
    pm = plugin_manager()
    registered = {name for name, _ in pm.list_name_plugin()}
    assert BUILT_INS <= registered


class ShoutingNamer:
    """A third-party namer: proves the naming stage is replaceable without touching traceclio."""

    version = "shout-1"

    def name_clusters(self, clusters):
        return [ClusterName(title=f"LOUD {c.size}", description="named by a plugin") for c in clusters]

    def name_parents(self, parents):
        return [ClusterName(title="LOUD PARENT", description="named by a plugin") for _ in parents]


class OutsidePlugin:
    @hookimpl
    def traceclio_namer(self, settings):
        return ShoutingNamer()

    @hookimpl
    def traceclio_cluster(self, vectors, weights, k, settings):
        self.asked_k = k
        return np.zeros(len(vectors), dtype=np.int64)  # everything in one cluster

    @hookimpl
    def traceclio_compute_facets(self, trace, settings):
        return {"span_count": len(trace.spans)}


def test_an_outside_plugin_replaces_the_namer_and_clusterer_and_adds_a_facet(tmp_path, cache_dir):
    requests, truth = behaviours.build(per_behaviour=6)
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    plugin = OutsidePlugin()
    settings = Settings(out_dir=tmp_path / "out", cache_dir=cache_dir, min_tenants=1, min_traces=1, k=9)
    result = pipeline.run([str(path)], settings, plugin_manager(extra_plugins=(plugin,)))
    leaves = [c for c in result.clusters if c.level == 0]
    assert plugin.asked_k == 9
    assert len(leaves) == 1 and leaves[0].title == f"LOUD {len(truth)}"
    from traceclio_core import facet_table
    rows = [row for row, _ in facet_table.read(tmp_path / "out" / "facets.parquet")]
    assert all(row.facets["span_count"] > 0 for row in rows)  # its own column, not folded into `extra`
    assert json.loads((tmp_path / "out" / "clusters.json").read_text())["clusters"][0]["title"].startswith("LOUD")
