"""One trace's failure in any stage sets that trace aside, with a record; the run goes on."""

import json

import pytest

import behaviours
from builders import write_jsonl
from traceclio_core import assembly, pipeline
from traceclio_core.errors import StrictModeError
from traceclio_core.hookspecs import hookimpl
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings


def cold_cache(tmp_path, session_cache):
    """A fresh facet cache (every trace goes through every stage) sharing the session's distilled model."""
    fresh = tmp_path / "cache"
    fresh.mkdir()
    (session_cache / "models").mkdir(parents=True, exist_ok=True)
    (fresh / "models").symlink_to(session_cache / "models")
    return fresh


@pytest.fixture(scope="module")
def fixture():
    requests, truth = behaviours.build(per_behaviour=3)
    return requests, sorted(truth)


class HostileFacets:
    """A facet plugin with a bug on one trace and an unwritable value on another."""

    def __init__(self, raises_on: str, unwritable_on: str):
        self.raises_on, self.unwritable_on = raises_on, unwritable_on

    @hookimpl
    def traceclio_compute_facets(self, trace, settings):
        if trace.trace_id == self.raises_on:
            raise ZeroDivisionError("a facet plugin's bug")
        if trace.trace_id == self.unwritable_on:
            return {"odd_facet": object()}  # neither an Arrow column nor JSON can hold it
        return {}


class FlakyExtractor:
    """Wraps the offline extractor; raises on any batch holding one trace, as a model client might."""

    def __init__(self, inner, raises_on: str):
        self.inner, self.raises_on, self.version = inner, raises_on, inner.version

    def extract(self, traces, direct):
        if any(t.trace_id == self.raises_on for t in traces):
            raise RuntimeError("the extractor choked")
        return self.inner.extract(traces, direct)


class ExtractorPlugin:
    def __init__(self, raises_on: str):
        self.raises_on = raises_on

    @hookimpl
    def traceclio_facet_extractor(self, settings):
        offline = plugin_manager().hook.traceclio_facet_extractor(settings=settings)
        return FlakyExtractor(offline, self.raises_on)


def test_a_failure_in_assembly_facets_extraction_or_the_fact_table_sets_only_that_trace_aside(
        fixture, tmp_path, cache_dir, monkeypatch):
    requests, ids = fixture
    in_assembly, in_facets, in_extractor, in_table = ids[:4]
    original = assembly.to_span

    def to_span(raw, notes=None):
        if raw.trace_id == in_assembly:
            raise KeyError("a mapping bug")
        return original(raw, notes)

    monkeypatch.setattr(assembly, "to_span", to_span)
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    pm = plugin_manager((HostileFacets(in_facets, in_table), ExtractorPlugin(in_extractor)))
    out = tmp_path / "out"
    result = pipeline.run([str(path)], Settings(out_dir=out, cache_dir=cold_cache(tmp_path, cache_dir)), pm)

    records = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    aside = {r["trace_id"]: r for r in records if r["whole_trace"]}
    assert set(aside) == {in_assembly, in_facets, in_extractor, in_table}
    assert "KeyError" in aside[in_assembly]["reason"] and aside[in_assembly]["source"].endswith("t.jsonl")
    assert aside[in_facets]["source"] == "direct facets" and "ZeroDivisionError" in aside[in_facets]["reason"]
    assert aside[in_extractor]["source"] == "facet extraction"
    assert aside[in_table]["source"] == "fact table"
    assignments = [json.loads(line) for line in (out / "assignments.jsonl").read_text().splitlines()]
    assert sorted(a["trace_id"] for a in assignments) == ids  # every trace exactly once
    assert all(a["cluster_id"] is None for a in assignments if a["trace_id"] in aside)
    assert result.summary["traces_read"] == len(ids) and result.summary["rejected"] == 4


def test_strict_mode_still_stops_at_a_trace_set_aside(fixture, tmp_path, cache_dir):
    requests, ids = fixture
    path = write_jsonl(tmp_path / "t.jsonl", requests)
    pm = plugin_manager((HostileFacets(ids[0], ""),))
    settings = Settings(out_dir=tmp_path / "out", cache_dir=cold_cache(tmp_path, cache_dir), strict=True)
    with pytest.raises(StrictModeError, match="direct facets"):
        pipeline.run([str(path)], settings, pm)
