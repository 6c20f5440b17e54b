"""What a scripted run made happen, written down as it happens: the ground truth beside each trace.

The ledger is filled by the stand-in model (one entry per LLM call it answered) and by the local tools
(one entry per call that ran, with the error it raised). It never reads the spans, so the manifest it
writes can check what traceclio reads from them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class ToolRun:
    name: str
    error: str | None = None


@dataclass
class Ledger:
    llm_calls: int = 0
    tool_runs: list[ToolRun] = field(default_factory=list)
    # Agents run inside another agent's turn (smolagents managed agents, agents called as tools).
    subagents: int = 0
    # Control passed from one agent to a peer (OpenAI Agents SDK hand-offs).
    handoffs: int = 0
    refusal: bool = False
    guardrail_tripped: bool = False
    max_steps_hit: bool = False
    final_answer: str | None = None

    def tool(self, function: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
        """`function` as a tool that records each call that ran, and the error it raised."""
        tool_name = name or function.__name__

        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            run = ToolRun(tool_name)
            self.tool_runs.append(run)
            try:
                return function(*args, **kwargs)
            except Exception as error:
                run.error = f"{type(error).__name__}: {error}"
                raise

        return recorded

    @property
    def retries(self) -> int:
        """Calls of a tool whose previous call failed: the agent tried it again."""
        failed_last: dict[str, bool] = {}
        count = 0
        for run in self.tool_runs:
            count += failed_last.get(run.name, False)
            failed_last[run.name] = run.error is not None
        return count

    def manifest(self) -> dict[str, Any]:
        return {
            "llm_calls": self.llm_calls,
            "tool_calls": len(self.tool_runs),
            "tools": [run.name for run in self.tool_runs],
            "tool_errors": sum(run.error is not None for run in self.tool_runs),
            "retries": self.retries,
            "subagents": self.subagents,
            "handoffs": self.handoffs,
            "refusal": self.refusal,
            "guardrail_tripped": self.guardrail_tripped,
            "max_steps_hit": self.max_steps_hit,
            "final_answer": self.final_answer,
        }
