"""The example rule: the summaries a cluster shows come from at least min_tenants tenants, or none are shown."""

from traceclio_core.examples import pick_examples
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.sanitize import compile_names


def row(trace_id: str, tenant: str | None, summary: str) -> FacetRow:
    return FacetRow(trace_id=trace_id, tenant=tenant, content_hash=f"h-{trace_id}", extractor_version="test",
                    direct=DirectFacets(), model=ModelFacets(task_summary=summary))


def test_examples_take_turns_across_tenants_so_a_large_tenant_cannot_fill_the_list():
    rows = [row(f"a{i}", "acme", f"acme task {w}") for i, w in enumerate("abcdefghij")]
    rows += [row("b0", "globex", "look up an order"), row("c0", "initech", "refund a payment")]
    picked = pick_examples(rows, limit=3, min_tenants=3)
    assert {e.trace_id[0] for e in picked} == {"a", "b", "c"}


def test_a_cluster_whose_summaries_come_from_too_few_tenants_shows_no_examples():
    rows = [row(f"a{i}", "acme", f"task {w}") for i, w in enumerate("abcdef")] + [row("b0", "globex", "other")]
    assert pick_examples(rows, limit=3, min_tenants=3) == []
    assert [e.trace_id for e in pick_examples(rows, limit=3, min_tenants=2)] == ["a0", "b0"]


def test_a_summary_that_several_tenants_share_comes_from_each_of_them():
    rows = [row(f"a{i}", "acme", f"task {w}") for i, w in enumerate("abcdef")]
    rows += [row("b0", "globex", "look up an order"), row("c0", "initech", "look up an order")]
    picked = pick_examples(rows, limit=3, min_tenants=3)
    # "look up an order" stands for globex and initech alike: shown once, it makes three tenants with acme's.
    assert [e.trace_id for e in picked] == ["a0", "b0"]


def test_rounds_stop_when_fewer_than_min_tenants_tenants_have_summaries_left():
    rows = [row(f"a{i}", "acme", f"task {w}") for i, w in enumerate("abcdef")]
    rows += [row("b0", "globex", "look up"), row("b1", "globex", "write up")]
    picked = pick_examples(rows, limit=10, min_tenants=2)
    assert len(picked) == 4 and sum(e.trace_id.startswith("a") for e in picked) == 2


def test_a_limit_below_min_tenants_is_raised_to_it_and_summaries_are_sanitised():
    rows = [row("a0", "acme", "Order for acme shipped"), row("b0", "globex", "look up"), row("c0", None, "write up")]
    picked = pick_examples(rows, limit=1, min_tenants=3, names=compile_names(["acme", "globex"]))
    assert len(picked) == 3 and not any("acme" in e.text.lower() for e in picked)


def test_the_same_rows_in_any_order_give_the_same_examples():
    rows = [row(f"{t}{i}", t, f"{t} task {w}") for t in ("x", "y", "z") for i, w in enumerate("abc")]
    assert pick_examples(rows, 3, 3) == pick_examples(list(reversed(rows)), 3, 3)
