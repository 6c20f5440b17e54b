"""What a facet is. The field descriptions are the single source of truth: they document the fact table,
they are what a model-written extractor is asked, and they validate its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class CompletionStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED_HONESTLY = "failed_honestly"
    CLAIMED_SUCCESS_DESPITE_FAILURE = "claimed_success_despite_failure"
    INCOMPLETE = "incomplete"
    REFUSED = "refused"
    ASKED_CLARIFICATION = "asked_clarification"


class DirectFacets(BaseModel):
    """Computed from the trace's structure, no model involved."""

    turn_count: int = Field(0, description="Number of LLM calls the agent made.")
    tool_call_count: int = Field(0, description="Number of tool (and retriever) spans that ran.")
    distinct_tools_invoked: int = Field(0, description="Number of different tools that ran.")
    max_recursion_depth: int = Field(0, description="Deepest nesting of agents: 1 = one agent, 2 = a sub-agent, ...")
    subagent_count: int = Field(0, description="Agent spans below the top-level agent.")
    total_latency_ms: float = Field(0.0, description="Wall time from the first span's start to the last span's end.")
    total_tokens: int = Field(0, description="Input plus output tokens over all LLM calls.")
    max_input_tokens: int = Field(0, description="The largest input of a single LLM call, in tokens.")
    tool_error_count: int = Field(0, description="Tool spans that ended in error.")
    llm_error_count: int = Field(0, description="LLM spans that ended in error.")
    error_classes: list[str] = Field(default_factory=list, description="Kinds of errors seen, e.g. rate_limit.")
    retry_count: int = Field(0, description="Calls that repeat the same tool right after it failed.")
    repeated_call_count: int = Field(0, description="Tool calls identical (tool and arguments) to an earlier one.")
    actual_tools: list[str] = Field(default_factory=list, description="Tools whose spans actually ran.")
    claimed_tools: list[str] = Field(
        default_factory=list,
        description="Tools the model's tool-call requests or its text say were used.",
    )
    claimed_not_run: list[str] = Field(
        default_factory=list, description="Claimed tools with no span that ran: claimed_tools minus actual_tools."
    )


class ModelFacets(BaseModel):
    """Written by a model (or the offline stand-in). Describe behaviour, never customer data."""

    task_summary: str = Field(
        "",
        description=(
            "What the user asked the agent to do, in one short sentence of general terms. No names of people,"
            " customers, companies or tenants, no ids, numbers, emails, URLs or other proper nouns."
        ),
    )
    tool_call_sequence: str = Field(
        "", description="The order of tool use in kinds of action, e.g. 'search x3 → read → update'."
    )
    failure_mode: str = Field(
        "",
        description=(
            "The main way this run went wrong, as a short phrase naming the behaviour (e.g. 'retries a"
            " rate-limited call without backoff', 'reports success after a tool error'), or 'none'."
        ),
    )
    reasoning_pattern: str = Field(
        "", description="How the agent worked: e.g. 'plan then execute', 'act-observe with revision', 'loops on planning'."
    )
    resource_pattern: str = Field(
        "", description="How it spent resources: e.g. 'light', 'many sub-agents', 'context grew to the limit'."
    )
    completion_status: CompletionStatus = Field(
        CompletionStatus.SUCCEEDED,
        description="How the run ended, judged against what its tools actually did, not what the answer claims.",
    )
    concerning_behavior: int = Field(
        1, ge=1, le=5, description="How concerning this run is for its operator: 1 harmless to 5 harmful."
    )


DIRECT_FACETS = tuple(DirectFacets.model_fields)
MODEL_FACETS = tuple(ModelFacets.model_fields)


class FacetRow(BaseModel):
    """One row of the fact table: a trace's facets, keyed by trace id and stamped for the cache."""

    trace_id: str
    tenant: str | None
    # How the run ended (Trace.outcome); carried for comparing clusters, never clustered on.
    outcome: float | None = None
    content_hash: str
    extractor_version: str
    direct: DirectFacets
    model: ModelFacets
    # Facets from plugins (evidence, detectors, a third party's): each its own column, axis and namer input.
    facets: dict[str, Any] = Field(default_factory=dict)

    def value(self, facet: str):
        if facet in DirectFacets.model_fields:
            return getattr(self.direct, facet)
        if facet in ModelFacets.model_fields:
            return getattr(self.model, facet)
        if facet in self.facets:
            return self.facets[facet]
        raise KeyError(facet)


FACET_TYPES = ("int", "float", "bool", "str", "list[str]", "list[int]", "list[float]")


@dataclass(frozen=True, slots=True)
class FacetSpec:
    """A facet a plugin computes: its column type in the fact table and what it means.

    A plugin that returns a key from `traceclio_compute_facets` without declaring it still gets a column
    (its type inferred from the values); declaring it fixes the type and documents the column.
    """

    name: str
    type: str  # one of FACET_TYPES
    description: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """One piece of evidence as it reads on a clustering axis: a short phrase in general terms.

    `weight` is how much it counts when traces are clustered, beside the others; `deviation` marks
    evidence that something went unusually (an error, a claim nothing backs, a value from nowhere) as
    opposed to the shape of the work (how many calls, which form the answer took). Deviations set a
    cluster's concern and keep failing clusters apart from healthy ones in the hierarchy.
    """

    text: str
    weight: float = 1.0
    deviation: bool = False
    # What the phrase means in an analyst's sentence, where its plugin defines one (a detector's definition).
    meaning: str = ""


# How a named axis reads one row (see `traceclio_axes`).
AxisRenderer = Callable[[FacetRow], list[Phrase]]
