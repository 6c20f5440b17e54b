"""The scorer on hand-made runs whose answers are known."""

import json

import numpy as np
import pytest

from traceclio_core.score import score_run


def make_run(tmp_path, assignments: dict, clusters: list[dict], truth: dict):
    run = tmp_path / "run"
    run.mkdir()
    (run / "assignments.jsonl").write_text(
        "".join(json.dumps({"trace_id": t, "cluster_id": c}) + "\n" for t, c in assignments.items()))
    (run / "clusters.json").write_text(json.dumps({"clusters": clusters}))
    (tmp_path / "truth.jsonl").write_text(
        "".join(json.dumps({"trace_id": t, "label": label, "top": label.split("/")[0]}) + "\n" for t, label in truth.items()))
    return run, tmp_path / "truth.jsonl"


def leaf(cluster_id, title="", surfaced=True, size=1):
    return {"id": cluster_id, "level": 0, "title": title, "description": "", "surfaced": surfaced, "size": size}


def test_perfect_clustering_recovers_everything(tmp_path):
    truth = {"a": "x/1", "b": "x/1", "c": "y/2", "d": "y/2"}
    run, path = make_run(tmp_path, {"a": "L0", "b": "L0", "c": "L1", "d": "L1"}, [leaf("L0"), leaf("L1")], truth)
    score = score_run(run, path)
    assert (score.leaf, score.top, score.ari, score.nmi) == (1.0, 1.0, 1.0, 1.0)
    assert score.random_baseline == 0.5


def test_mixed_cluster_counts_only_its_majority_and_suppressed_traces_are_misses(tmp_path):
    truth = {"a": "x/1", "b": "x/1", "c": "y/2", "d": "y/2", "e": "y/3"}
    run, path = make_run(tmp_path, {"a": "L0", "b": "L0", "c": "L0", "d": None, "e": "L1"},
                         [leaf("L0"), leaf("L1")], truth)
    score = score_run(run, path)
    assert score.leaf == pytest.approx(3 / 5, abs=1e-4)  # a, b (majority x/1 in L0) and e
    recall = {b.label: b.recall for b in score.per_behaviour}
    assert recall == {"x/1": 1.0, "y/2": 0.0, "y/3": 1.0}
    assert score.per_behaviour[0].label == "y/2" and score.per_behaviour[0].unassigned == 1


def test_label_recovery_is_a_multiple_choice_by_nearest_description(tmp_path):
    truth = {"a": "retry", "b": "retry", "c": "refusal"}
    clusters = [leaf("L0", "Retries the same call", size=2), leaf("L1", "Refuses harmless requests", size=1)]
    run, path = make_run(tmp_path, {"a": "L0", "b": "L0", "c": "L1"}, clusters, truth)
    vectors = {"retry loop": [1, 0], "needless refusal": [0, 1], "Retries the same call. ": [0.9, 0.1],
               "Refuses harmless requests. ": [0.9, 0.2]}  # the second title points at the wrong behaviour

    def embed(texts):
        return np.array([vectors[t] for t in texts], dtype=float)

    score = score_run(run, path, {"retry": "retry loop", "refusal": "needless refusal"}, embed)
    assert score.label == pytest.approx(2 / 3, abs=1e-4) and score.label_chance == 0.5
