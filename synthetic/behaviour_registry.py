"""Maps every leaf behaviour id in the taxonomy to the function that plays it."""
from . import behaviours_agents, behaviours_hallucination, behaviours_healthy, behaviours_inputs, behaviours_loops
from .taxonomy import BEHAVIOURS

_MODULES = (behaviours_healthy, behaviours_hallucination, behaviours_loops, behaviours_agents, behaviours_inputs)

PLAYERS = {}
REQUESTS = {}
for _module in _MODULES:
    REQUESTS.update(getattr(_module, "REQUESTS", {}))
    for _behaviour in BEHAVIOURS:
        if hasattr(_module, _behaviour.id):
            PLAYERS[_behaviour.id] = getattr(_module, _behaviour.id)

# Behaviours whose point is what the agent did NOT call: no healthy noise steps before them.
NO_NOISE = frozenset({"direct_answer_no_tools", "clarifying_question", "policy_refusal_justified",
                      "needless_refusal", "capability_denial", "claimed_action_never_called",
                      "hallucinated_tool_result", "context_window_overflow"})

_missing = [b.id for b in BEHAVIOURS if b.id not in PLAYERS]
if _missing:
    raise ImportError(f"behaviours without a player: {_missing}")
