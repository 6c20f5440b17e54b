"""The rule distiller on small hand-made fact tables: readable rules, honest quality."""

from __future__ import annotations

from traceclio_monitors.distil import distil_rule, features_for
from traceclio_monitors.predicate import Condition, Predicate


def _facets(**values) -> dict:
    base = {"retry_count": 0, "tool_error_count": 0, "claimed_not_run": [], "error_classes": [],
            "failure_mode": "none", "completion_status": "succeeded", "total_latency_ms": 100.0}
    return {**base, **values}


def test_a_retry_loop_becomes_a_threshold_on_retries():
    rows = [_facets(retry_count=n, tool_error_count=n) for n in (3, 4, 5, 6)] + [_facets(retry_count=n % 2)
                                                                                for n in range(8)]
    predicate, quality = distil_rule(rows, ["a"] * len(rows), [True] * 4 + [False] * 8)
    assert quality.precision == 1.0 and quality.recall == 1.0
    assert len(predicate.any_of) == 1 and len(predicate.any_of[0]) == 1
    condition = predicate.any_of[0][0]
    assert condition.op == ">=" and condition.facet in ("retry_count", "tool_error_count")
    assert 2 <= condition.value <= 3


def test_a_categorical_facet_becomes_an_equality():
    rows = [_facets(failure_mode="reports success after a tool error")] * 5 + [_facets()] * 5
    predicate, quality = distil_rule(rows, ["a", "b"] * 5, [True] * 5 + [False] * 5)
    assert predicate.expression() == 'failure_mode == "reports success after a tool error"'
    assert quality.precision == quality.recall == 1.0


def test_a_category_only_one_tenant_wrote_is_not_offered_as_a_feature():
    rows = [_facets(failure_mode="only tenant a said this")] * 3 + [_facets()] * 3
    tenants = ["a", "a", "a", "b", "c", "d"]
    names = {f.value for f in features_for(rows, tenants, min_tenants=2) if f.facet == "failure_mode"}
    assert names == {"none"}


def test_indistinguishable_members_give_a_rule_that_is_not_good_enough():
    rows = [_facets()] * 10
    _, quality = distil_rule(rows, ["a"] * 10, [True, False] * 5)
    assert quality.precision < 0.8 or quality.recall < 0.6


def test_renderings_agree_on_lists_and_categories():
    predicate = Predicate(any_of=[[Condition(facet="claimed_not_run", measure="length", op=">=", value=1),
                                   Condition(facet="tool_error_count", op="<", value=1)],
                                  [Condition(facet="error_classes", op="contains", value="rate_limit")]])
    assert predicate.expression() == ('(len(claimed_not_run) >= 1 and tool_error_count < 1) or '
                                      '("rate_limit" in error_classes)')
    assert predicate.sql() == ('(len("claimed_not_run") >= 1 AND "tool_error_count" < 1) OR '
                               '(list_contains("error_classes", \'rate_limit\'))')
    namespace: dict = {}
    exec(predicate.python_source(), namespace)
    for facets in (_facets(claimed_not_run=["x"]), _facets(error_classes=["rate_limit"]),
                   _facets(claimed_not_run=["x"], tool_error_count=2), _facets()):
        assert namespace["matches"](facets) == predicate.holds(facets)
