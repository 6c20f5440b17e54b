from collections import Counter

import numpy as np

from traceclio_core.components import ClusterEvidence, Share
from traceclio_core.hierarchy import _shares, default_k, leaf_k, leaf_profile


def test_error_class_shares_are_shares_of_the_clusters_traces_not_of_its_errors():
    # 10 traces, two of which met a rate limit: 20% of the cluster, however few other errors there are.
    shares = _shares(["rate_limit", "rate_limit"], Counter({"rate_limit": 5}), total=100, size=10)
    assert shares == [Share(value="rate_limit", inside=0.2, overall=0.05)]


def test_a_leaf_profile_counts_what_the_name_is_checked_against():
    evidence = ClusterEvidence(
        cluster_id="L0-000", size=40, total=400,
        failure_modes=[Share(value="reports success after a tool failed", inside=0.9, overall=0.1)],
        completion=[Share(value="claimed_success_despite_failure", inside=0.95, overall=0.2)],
        sequences=[Share(value="read → write (failed)", inside=0.6, overall=0.1)],
        error_classes=[Share(value="server_error", inside=0.8, overall=0.1)],
        mean_tool_calls=2.5, mean_tool_errors=1, mean_retries=0)
    assert leaf_profile(evidence) == (
        "40 traces (10% of the run); 90% reports success after a tool failed (vs 10% overall); "
        "95% end claimed success despite failure; typical tool use read → write (failed), 2.5 calls, "
        "1 errors, mostly server error and 0 retries per trace.")


def test_leaf_k_gives_each_distinct_text_that_could_surface_its_own_cluster_up_to_twice_the_rule():
    assert default_k(200) == 10
    # 14 distinct verdicts of 10+ traces each, beside 40 one-off texts: 14 leaves, not the rule's 10.
    weights = np.array([10.0] * 14 + [1.0] * 40)
    assert leaf_k(200, weights, min_traces=5) == 14
    # Texts under the privacy threshold could not surface alone, so they do not raise k.
    assert leaf_k(200, np.array([4.0] * 50), min_traces=5) == 10
    # Every trace its own text (model-written facets): the square-root rule stands.
    assert leaf_k(200, np.ones(200), min_traces=5) == 10
    # Never more than twice the rule.
    assert leaf_k(200, np.full(40, 5.0), min_traces=5) == 20


def test_failing_and_healthy_leaves_never_share_a_parent_and_the_top_level_keeps_them_apart(tmp_path, cache_dir):
    import behaviours
    from builders import write_jsonl
    from traceclio_core import pipeline
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings

    requests, _ = behaviours.build(per_behaviour=12)
    path = write_jsonl(tmp_path / "traces.jsonl", requests)
    for detectors in (True, False):
        settings = Settings(out_dir=tmp_path / f"out-{detectors}", cache_dir=cache_dir, min_tenants=1, min_traces=2,
                            detectors=detectors, k=8)
        result = pipeline.run([str(path)], settings, plugin_manager())
        by_id = {n.id: n for n in result.clusters}
        parents = [n for n in result.clusters if n.level > 0]
        assert parents
        for parent in parents:
            assert {by_id[c].failing for c in parent.children} == {parent.failing}, parent.title
        top = [n for n in result.clusters if n.level == max(p.level for p in parents)]
        assert {n.failing for n in top} == {True, False}
        assert all(n.title.startswith(("No deviation seen", "Mixed")) for n in top if not n.failing)


def test_a_trace_in_the_runs_extreme_tail_is_an_outlier_with_its_reason(tmp_path, cache_dir):
    import json

    from builders import AgentRun, write_jsonl
    from traceclio_core import pipeline
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings

    requests = []
    for i in range(80):
        run = AgentRun(f"t{i}", user="Where is my parcel?")
        run.tool("track", {"id": f"P-{i}"}, result='{"status": "moving"}', ms=4000 * 60 if i == 7 else 100 + i)
        run.answer("Your parcel is on its way.")
        requests.append(run.request(tenant=f"tenant-{i % 4}"))
    path = write_jsonl(tmp_path / "traces.jsonl", requests)
    settings = Settings(out_dir=tmp_path / "out", cache_dir=cache_dir, min_tenants=1, min_traces=2)
    pipeline.run([str(path)], settings, plugin_manager())
    outliers = [json.loads(line) for line in (tmp_path / "out" / "outliers.jsonl").read_text().splitlines()]
    slow = AgentRun("t7").trace_id
    (record,) = [o for o in outliers if o["trace_id"] == slow]
    assert any(r.startswith("slow span ratio") for r in record["reasons"])
    assert any(r.startswith("total latency ms") for r in record["reasons"])
    assert record["evidence"]["slow_span_ratio"] > 100
    assert len(outliers) < 8  # the tail, not the run


def test_a_mixed_groups_name_lists_phrases_that_between_them_cover_its_traces():
    from traceclio_core.contrast import RunContrast
    from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets, Phrase

    rows = [FacetRow(trace_id=f"t{i}", tenant=None, content_hash=str(i), extractor_version="v", direct=DirectFacets(),
                     model=ModelFacets()) for i in range(10)]
    renderings = [[Phrase("answer is JSON")]] * 4 + [[Phrase("answer is empty")]] * 3 + [[Phrase("one tool call")]] * 3
    contrast = RunContrast(rows, renderings)
    cover, share = contrast.cover(range(10), [])
    assert [c.text for c in cover] == ["answer is JSON", "answer is empty", "one tool call"] and share == 1.0
    assert contrast.cover(range(10), [], limit=2)[1] == 0.7
