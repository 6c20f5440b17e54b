"""Which traces a leaf shows whole (traceclio_core/exemplars.py): a few, from at least min_tenants tenants."""

from traceclio_core.exemplars import EXEMPLARS, choose_exemplars
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.settings import Settings


def rows(tenants: list[str]) -> list[FacetRow]:
    return [FacetRow(trace_id=f"t{i}", tenant=t, content_hash=f"{i:04d}", extractor_version="v",
                     direct=DirectFacets(), model=ModelFacets()) for i, t in enumerate(tenants)]


def test_exemplars_take_the_tenants_in_turn():
    members = rows(["a"] * 20 + ["b"] * 3 + ["c"] * 2)
    chosen = choose_exemplars(members, Settings(min_tenants=3))
    assert len(chosen) == EXEMPLARS and {r.tenant for r in chosen} == {"a", "b", "c"}


def test_more_tenants_required_means_more_exemplars():
    members = rows([t for t in "abcdef" for _ in range(4)])
    chosen = choose_exemplars(members, Settings(min_tenants=5))
    assert len(chosen) == 5 and len({r.tenant for r in chosen}) == 5


def test_no_exemplars_when_too_few_tenants_would_be_shown():
    assert choose_exemplars(rows(["a"] * 10 + ["b"] * 10), Settings(min_tenants=3)) == []


def test_outliers_are_shown_only_when_nothing_else_is_left():
    members = rows(["a", "a", "b", "b", "c", "c"])
    chosen = choose_exemplars(members, Settings(min_tenants=3), avoid=frozenset({"t0", "t2"}))
    assert {r.trace_id for r in chosen} == {"t1", "t3", "t4"}
