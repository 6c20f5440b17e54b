from traceclio_core.components import ChildName, ClusterEvidence, ParentEvidence, Share
from traceclio_offline.namer import name_leaf, name_parent


def _child(title: str, size: int) -> ChildName:
    return ChildName(cluster_id=f"L0-{size:03d}", title=title, description="", size=size)


def test_a_healthy_leaf_is_titled_by_its_ending_and_how_it_worked():
    evidence = ClusterEvidence(
        cluster_id="L0-000", size=40, total=400,
        failure_modes=[Share(value="none", inside=1.0, overall=0.6)],
        completion=[Share(value="succeeded", inside=1.0, overall=0.6)],
        reasoning=[Share(value="plans then executes", inside=0.9, overall=0.2)])
    name = name_leaf(evidence)
    assert name.title == "Succeeds: plans then executes"
    assert name.description == "The agent states a plan and runs each step once, in order."


def test_a_parent_groups_healthy_leaves_by_their_ending_not_by_words_in_their_titles():
    healthy = ParentEvidence(cluster_id="L1-000", children=[
        _child("Succeeds: waits and retries until the call succeeds (rate limits)", 30),
        _child("Succeeds: plans then executes", 20)])
    assert name_parent(healthy).title == "Healthy completions"
    mixed = ParentEvidence(cluster_id="L1-001", children=[
        _child("Retries the same call at a fixed interval after each server error", 30),
        _child("Succeeds: waits and retries until the call succeeds (server errors)", 20)])
    assert name_parent(mixed).title == "Retry and repetition loops and healthy completions"
