"""The offline namer titles clusters by contrast with their neighbours, from the evidence the core measured."""

from traceclio_core.components import ChildName, ClusterEvidence, Contrast, ParentEvidence
from traceclio_offline.namer import name_leaf, name_parent


def c(text: str, inside: float, nearby: float, overall: float = 0.1, deviation: bool = False) -> Contrast:
    return Contrast(text=text, inside=inside, nearby=nearby, overall=overall, deviation=deviation)


def test_a_leaf_is_titled_by_what_sets_it_apart_deviations_first():
    ev = ClusterEvidence(cluster_id="L0-000", size=40, total=400, distinguishing=[
        c("one tool call", 1.0, 0.2, 0.4),
        c("answer claims a change that no tool call made", 0.9, 0.05, 0.05, deviation=True),
        c("answer in prose", 1.0, 1.0, 0.9)])
    name = name_leaf(ev)
    assert name.title == "Answer claims a change that no tool call made, one tool call"
    assert "90% of them: answer claims a change that no tool call made (vs 5% in the nearest clusters)" in name.description
    # What every neighbour shares too does not make the title.
    assert "prose" not in name.title


def test_a_facet_value_the_cluster_holds_far_more_often_than_the_run_joins_its_title():
    ev = ClusterEvidence(cluster_id="L0-001", size=30, total=600,
                         distinguishing=[c("a span takes far longer than the same tool or model elsewhere", 0.8, 0.1,
                                           deviation=True)],
                         attributes=[c("tool: geocode", 0.9, 0.1, 0.05)])
    assert name_leaf(ev).title.endswith("(tool: geocode)")


def test_a_cluster_no_phrase_describes_is_called_mixed_not_given_a_broad_name():
    ev = ClusterEvidence(cluster_id="L0-002", size=50, total=500, heterogeneous=True,
                         distinguishing=[c("answer is JSON", 0.3, 0.0), c("a tool result is empty", 0.25, 0.1)])
    name = name_leaf(ev)
    assert name.title.startswith("Mixed: ") and "No single piece of evidence" in name.description


def test_a_healthy_parent_says_so_and_a_failing_one_leads_with_its_deviation():
    children = [ChildName(cluster_id="L0-000", title="One tool call", description="", size=30)]
    healthy = ParentEvidence(cluster_id="L1-000", children=children, failing=False,
                             distinguishing=[c("one tool call", 0.9, 0.3)])
    assert name_parent(healthy).title == "No deviation seen: one tool call"
    failing = ParentEvidence(cluster_id="L1-001", children=children, failing=True, distinguishing=[
        c("one tool call", 0.9, 0.3), c("a tool error is never recovered", 0.85, 0.1, deviation=True)])
    assert name_parent(failing).title.startswith("A tool error is never recovered")
