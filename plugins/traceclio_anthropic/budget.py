"""--max-cost: what the stages after facet extraction are expected to cost, before they are built.

The facet stage prices the prompts it actually built; naming, hierarchy and audit prompts do not exist
yet at that point, so they are projected from the number of traces with the same sizes bench/cost.py
measures (prompt chars / CHARS_PER_TOKEN). Each later stage checks again with its real prompts.
"""

from __future__ import annotations

from traceclio_core.hierarchy import max_leaf_k, parent_count

from traceclio_anthropic.pricing import dollars
from traceclio_anthropic.session import RunSession

# Approximate prompt sizes in tokens (system + user) and answer sizes, per call.
NAMING_TOKENS, NAME_ANSWER = 1800, 120
HIERARCHY_TOKENS, HIERARCHY_ANSWER = 1500, 300
AUDIT_TOKENS, AUDIT_ANSWER = 2500, 600
FACET_ANSWER_TOKENS = 200


def downstream_dollars(traces: int, session: RunSession) -> float:
    """Projected dollars of naming, hierarchy and audit for a run of `traces` traces."""
    settings = session.settings
    # An upper bound: leaf_k can pick up to twice the square-root rule.
    leaves = settings.k or max_leaf_k(max(traces, 1))
    cost = leaves * dollars(session.model("naming"), NAMING_TOKENS, NAME_ANSWER)
    clusters, level = leaves, leaves
    for _ in range(1, settings.levels):
        if level <= 1:
            break
        parents = parent_count(level)
        # propose per neighbourhood + dedupe + assign per neighbourhood + rename per parent
        calls = 2 * max(1, level // 40) + 1 + parents
        cost += calls * dollars(session.model("hierarchy"), HIERARCHY_TOKENS, HIERARCHY_ANSWER)
        clusters += parents
        level = parents
    audits = -(-clusters // session.options.audit_batch)
    return cost + audits * dollars(session.model("audit"), AUDIT_TOKENS, AUDIT_ANSWER)
