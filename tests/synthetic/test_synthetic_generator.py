"""The synthetic generator's contract: deterministic, well-formed OTLP, labels that match the traces."""
import collections
import json
import re

import pytest

import synthetic
from synthetic.families import FAMILIES
from synthetic.taxonomy import BEHAVIOURS, CATEGORIES

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


def _read(out_dir):
    lines = (out_dir / "traces.jsonl").read_text(encoding="utf-8").splitlines()
    truth = [json.loads(line) for line in (out_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    return lines, truth


def _spans(lines):
    for number, line in enumerate(lines):
        for resource_spans in json.loads(line)["resourceSpans"]:
            attrs = {a["key"]: a["value"] for a in resource_spans["resource"]["attributes"]}
            for scope_spans in resource_spans["scopeSpans"]:
                for span in scope_spans["spans"]:
                    yield number, attrs, span


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("synthetic_all")
    synthetic.write_dataset(out_dir, 2000, seed=11)
    lines, truth = _read(out_dir)
    return out_dir, lines, truth, list(_spans(lines))


def test_taxonomy_is_large_enough_and_consistent():
    assert len(CATEGORIES) >= 10
    assert len(BEHAVIOURS) >= 40
    assert len({b.id for b in BEHAVIOURS}) == len(BEHAVIOURS)
    assert {b.top for b in BEHAVIOURS} == {c.id for c in CATEGORIES}
    assert all(b.description.strip() for b in BEHAVIOURS)


def test_same_arguments_give_byte_identical_files(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    synthetic.write_dataset(first, 300, seed=5)
    synthetic.write_dataset(second, 300, seed=5)
    for name in ("traces.jsonl", "truth.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_traces_written_in_files_of_n_are_the_one_file_cut_between_windows(tmp_path):
    synthetic.write_dataset(tmp_path / "one", 300, seed=5)
    synthetic.write_dataset(tmp_path / "many", 300, seed=5, per_file=64)
    files = sorted((tmp_path / "many" / "traces").glob("*.jsonl"))
    assert len(files) == 5
    assert b"".join(f.read_bytes() for f in files) == (tmp_path / "one" / "traces.jsonl").read_bytes()


def test_different_seeds_give_different_traces(tmp_path):
    synthetic.write_dataset(tmp_path / "a", 50, seed=1)
    synthetic.write_dataset(tmp_path / "b", 50, seed=2)
    assert (tmp_path / "a" / "traces.jsonl").read_bytes() != (tmp_path / "b" / "traces.jsonl").read_bytes()


def test_every_line_is_an_export_request_with_valid_ids(dataset):
    _, lines, _, spans = dataset
    assert lines
    for _, resource, span in spans:
        assert HEX32.match(span["traceId"])
        assert HEX16.match(span["spanId"])
        assert span.get("parentSpanId", "") == "" or HEX16.match(span["parentSpanId"])
        assert int(span["endTimeUnixNano"]) >= int(span["startTimeUnixNano"])
        assert "tenant.id" in resource and "service.name" in resource


def test_truth_and_traces_hold_the_same_trace_ids(dataset):
    _, _, truth, spans = dataset
    assert len(truth) == 2000
    assert {t["trace_id"] for t in truth} == {span["traceId"] for _, _, span in spans}
    assert len({t["trace_id"] for t in truth}) == 2000


def test_every_trace_has_exactly_one_root_and_resolvable_parents(dataset):
    _, _, _, spans = dataset
    by_trace = collections.defaultdict(list)
    for _, _, span in spans:
        by_trace[span["traceId"]].append(span)
    for trace_spans in by_trace.values():
        ids = {s["spanId"] for s in trace_spans}
        roots = [s for s in trace_spans if not s.get("parentSpanId")]
        assert len(roots) == 1
        assert all(s["parentSpanId"] in ids for s in trace_spans if s.get("parentSpanId"))


def test_every_behaviour_appears_at_least_fifteen_times(dataset):
    _, _, truth, _ = dataset
    counts = collections.Counter(t["label"] for t in truth)
    assert {b.id for b in BEHAVIOURS} == set(counts)
    assert min(counts.values()) >= 15


def test_both_dialects_are_present(dataset):
    _, _, _, spans = dataset
    keys = {a["key"] for _, _, span in spans for a in span["attributes"]}
    assert "gen_ai.operation.name" in keys
    assert "openinference.span.kind" in keys


def test_spans_of_some_traces_are_split_across_lines_and_children_come_first(dataset):
    _, _, _, spans = dataset
    lines_of = collections.defaultdict(set)
    for number, _, span in spans:
        lines_of[span["traceId"]].add(number)
    assert sum(len(v) > 1 for v in lines_of.values()) > 100
    # a trace never spreads over more than a small window of lines
    assert max(max(v) - min(v) for v in lines_of.values()) < 300


def test_tenants_are_many_and_skewed(dataset):
    _, _, truth, _ = dataset
    counts = collections.Counter(t["tenant"] for t in truth).most_common()
    assert 30 <= len(counts) <= 60
    assert counts[0][1] > 5 * counts[-1][1]


def test_heldout_split_has_only_heldout_families_and_all_behaviours(tmp_path):
    synthetic.write_dataset(tmp_path, 600, seed=3, split="heldout")
    _, truth = _read(tmp_path)
    heldout = {f.id for f in FAMILIES if f.split == "heldout"}
    assert {t["family"] for t in truth} <= heldout
    assert all(t["split"] == "heldout" for t in truth)
    assert {t["label"] for t in truth} == {b.id for b in BEHAVIOURS}


def test_train_split_has_only_train_families():
    records = list(synthetic.generate(200, seed=4, split="train"))
    assert {r.truth["split"] for r in records} == {"train"}


def test_about_a_quarter_of_families_are_held_out():
    share = sum(f.split == "heldout" for f in FAMILIES) / len(FAMILIES)
    assert 0.2 <= share <= 0.35


def test_no_label_like_attribute_leaks_into_spans(dataset):
    _, lines, _, _ = dataset
    behaviour_ids = [b.id for b in BEHAVIOURS if "_" in b.id]
    sample = "\n".join(lines[:200])
    assert not [b for b in behaviour_ids if b in sample]
