"""Facet extraction per trace on a Haiku-class model: bounded prompts, batches for bulk, validated answers.

The answer must match ModelFacets exactly (no extra or missing fields) and may not copy six or more words
of the trace's own content; a malformed answer is re-asked once, then recorded as a FacetFailure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from traceclio_core.components import FacetFailure
from traceclio_core.facets import DirectFacets, ModelFacets
from traceclio_core.model import Trace

from traceclio_anthropic import prompts
from traceclio_anthropic.answers import FacetAnswer, to_model_facets
from traceclio_anthropic.batches import BatchItemFailed, run_batch
from traceclio_anthropic.budget import FACET_ANSWER_TOKENS, downstream_dollars
from traceclio_anthropic.condense import condense
from traceclio_anthropic.session import BackendError, RunSession
from traceclio_anthropic.transport import Asker, Prompt, fatal

log = logging.getLogger("traceclio.anthropic")

STAGE = "facets"
# Structural facts worth telling the model (trusted: computed by traceclio, not copied from the trace).
_FACTS = ("turn_count", "tool_call_count", "distinct_tools_invoked", "subagent_count", "tool_error_count",
          "llm_error_count", "error_classes", "retry_count", "repeated_call_count", "actual_tools",
          "claimed_not_run")
_TEXT_FIELDS = ("task_summary", "tool_call_sequence", "failure_mode", "reasoning_pattern", "resource_pattern")


class AnthropicFacetExtractor:
    """A FacetExtractor whose version names the model, the prompt version and the trace budget."""

    def __init__(self, session: RunSession, asker: Asker | None = None):
        self.session = session
        self.asker = asker or Asker(session)
        self.template = prompts.load(STAGE)
        self.model = session.model(STAGE)
        self.version = f"anthropic:{self.model}:{self.template.version}:t{session.options.trace_tokens}"
        self.seen_traces = 0

    def prompt_for(self, trace: Trace, direct: DirectFacets) -> Prompt:
        facts = json.dumps({name: getattr(direct, name) for name in _FACTS}, separators=(", ", ": "))
        system, user = self.template.render(facet_questions=prompts.facet_questions(), direct_facts=facts,
                                            trace=condense(trace, self.session.options.trace_tokens))
        return Prompt(STAGE, self.template.version, self.model, system, user, FacetAnswer,
                      self.session.options.facet_max_tokens)

    def extract(self, traces: Sequence[Trace], direct: Sequence[DirectFacets],
                facets: Sequence[dict] | None = None) -> list[ModelFacets | FacetFailure]:
        """One ModelFacets or FacetFailure per trace, in order. Raises CostLimitExceeded before sending
        anything when the estimated run cost is over settings.max_cost."""
        built = [self.prompt_for(trace, facts) for trace, facts in zip(traces, direct)]
        unique = {p.key: p for p in built}
        use_batch = len(unique) >= self.session.options.batch_min
        self.seen_traces += len(traces)
        estimate = sum(p.estimated_dollars(use_batch, FACET_ANSWER_TOKENS) for p in unique.values())
        self.session.check_budget(estimate + downstream_dollars(self.seen_traces, self.session),
                                  f"facets for {len(unique)} traces plus projected naming and audit")
        own = {p.key: self.session.leaks.add_trace(t) for t, p in zip(traces, built)}
        first: dict[str, str | BatchItemFailed] = {}
        if use_batch:
            pending = {key: p for key, p in unique.items() if self.asker.cache.get(p) is None}
            if pending:
                first = self._batch(pending)

        def answer(key: str):
            text = first.get(key)
            found = self.asker.ask(unique[key], check=lambda a: self._copied(a, own[key]),
                                   first_answer=text if isinstance(text, str) and not isinstance(
                                       text, BatchItemFailed) else None)
            if isinstance(found, str):
                if isinstance(text, BatchItemFailed):
                    found = f"batch item {text}; direct retry: {found}"
                return FacetFailure(reason=found)
            return to_model_facets(found)

        with ThreadPoolExecutor(max_workers=self.session.options.concurrency) as pool:
            answers = dict(zip(unique, pool.map(answer, unique)))
        return [answers[p.key] for p in built]

    def _batch(self, pending: dict[str, Prompt]) -> dict[str, str | BatchItemFailed]:
        """Batch answers; if the batch endpoints fail (not the key), fall back to direct calls."""
        try:
            return run_batch(self.asker, pending)
        except Exception as err:  # noqa: BLE001 - sorted below: fatal stops the run, the rest goes direct
            if fatal(err):
                raise BackendError(f"the Anthropic API refused the batch: {err}") from None
            log.warning("message batch failed (%s); asking each trace directly", err)
            return {}

    def _copied(self, answer, own_shingles) -> str | None:
        for name in _TEXT_FIELDS:
            # Facets may name an injection ("obeys an instruction planted in a tool result"); only copies count.
            problem = self.session.leaks.problem(getattr(answer, name), own_shingles, instructions=False)
            if problem:
                return f"{name} {problem}"
        return None
