"""A facet a third-party plugin computes is first class: its own typed column, an axis, the namer's evidence."""

import json

import pyarrow.parquet as pq

from builders import AgentRun, write_jsonl
from traceclio_core import facet_table, pipeline
from traceclio_core.facets import FacetSpec, Phrase
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings


class RegionPlugin:
    """Reads which region served a run from its tool results: a facet nobody in core knows."""

    @hookimpl
    def traceclio_compute_facets(self, trace, settings):
        served = [s.tool_result for s in trace.tool_spans if s.tool_result and "region" in s.tool_result]
        region = json.loads(served[0])["region"] if served else "none"
        return {"served_region": region, "region_hops": len(served)}

    @hookimpl
    def traceclio_facet_specs(self, settings):
        return [FacetSpec("served_region", "str", "Region that served the run."),
                FacetSpec("region_hops", "int", "Tool results that name a region.")]

    @hookimpl
    def traceclio_evidence_phrases(self, row, settings):
        region = row.facets.get("served_region")
        return [Phrase(f"served from {region}", 2.0, region == "eu-west")] if region else []


def runs(tmp_path):
    requests = []
    for i in range(40):
        region = "eu-west" if i % 4 == 0 else "us-east"
        run = AgentRun(f"run-{i}", user="Where is my parcel?")
        run.tool("track", {"id": f"P-{i}"}, result=json.dumps({"region": region, "status": "moving"}))
        run.answer("Your parcel is on its way.")
        requests.append(run.request(tenant=f"tenant-{i % 5}"))
    return write_jsonl(tmp_path / "traces.jsonl", requests)


def test_a_plugin_facet_gets_a_typed_column_an_axis_and_a_place_in_the_names(tmp_path, cache_dir):
    path = runs(tmp_path)
    pm = plugin_manager(extra_plugins=(RegionPlugin(),))
    settings = Settings(out_dir=tmp_path / "out", cache_dir=cache_dir, min_tenants=1, min_traces=2, k=2)
    pipeline.run([str(path)], settings, pm)
    schema = pq.read_schema(tmp_path / "out" / facet_table.FILE_NAME)
    assert str(schema.field("served_region").type) == "string" and str(schema.field("region_hops").type) == "int64"
    rows = facet_table.read(tmp_path / "out" / facet_table.FILE_NAME)
    assert {r.facets["served_region"] for r, _ in rows} == {"eu-west", "us-east"}

    # Its phrases are on the default axis, so the eu-west runs form their own leaf and the namer says why.
    clusters = json.loads((tmp_path / "out" / "clusters.json").read_text())["clusters"]
    leaves = [c for c in clusters if c["level"] == 0 and c["surfaced"]]
    eu = [c for c in leaves if "eu-west" in c["title"]]
    assert len(eu) == 1 and eu[0]["size"] == 10 and eu[0]["failing"]

    # ... and it is an axis of its own.
    by_region = settings.model_copy(update={"out_dir": tmp_path / "by-region", "facets": ("served_region",)})
    result = pipeline.cluster_rows(rows, by_region, pm, pipeline.Silent(), pipeline.StageClock())
    sizes = sorted(n.size for n in result.clusters if n.level == 0)
    assert sizes == [10, 30]
