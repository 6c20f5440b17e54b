"""Per-run state shared by the extractor, namer and auditor of one run: options, ledger, leak index, budget.

The hooks are called separately with the same Settings object, so the state is kept per Settings instance.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from traceclio_core.errors import TraceclioError
from traceclio_core.settings import Settings

from traceclio_anthropic.condense import DEFAULT_TRACE_TOKENS
from traceclio_anthropic.leaks import LeakIndex
from traceclio_anthropic.pricing import CostLedger

BACKEND = "anthropic"
DEFAULT_MODELS = {
    "facets": "claude-haiku-4-5",  # one call per trace: the cheap model carries the volume
    "naming": "claude-sonnet-4-6",  # one call per cluster: quality of names matters more than price
    "hierarchy": "claude-sonnet-4-6",
    "audit": "claude-sonnet-4-6",  # few calls, a judgement where a miss is a privacy leak
}


class CostLimitExceeded(TraceclioError):
    """The run's estimated model cost is above --max-cost; nothing (more) was sent."""


class BackendError(TraceclioError):
    """The model API refuses every call (no key, bad key, no credit): stopping beats failing each trace."""


@dataclass
class BackendOptions:
    """settings.plugin_options["anthropic"], typed. Each knob says what it trades."""

    # Input tokens per trace in the facet prompt: more context per trace against dollars per trace.
    trace_tokens: int = DEFAULT_TRACE_TOKENS
    # Runs with at least this many uncached traces go through the Message Batches API (half price, slower).
    batch_min: int = 50
    # Seconds between polls of a running batch.
    poll_seconds: float = 30.0
    # Parallel direct calls: faster small runs against rate limits.
    concurrency: int = 4
    # The SDK's own retries per call, then our bounded loop of `retries` more attempts with backoff.
    sdk_retries: int = 2
    retries: int = 3
    backoff_seconds: float = 2.0
    # Output token caps per answer (a facet answer is ~150 tokens; names ~80).
    facet_max_tokens: int = 600
    naming_max_tokens: int = 600
    # Clusters per audit call.
    audit_batch: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> BackendOptions:
        raw = dict(settings.plugin_options.get(BACKEND, {}))
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class RunSession:
    settings: Settings
    options: BackendOptions
    ledger: CostLedger = field(default_factory=CostLedger)
    leaks: LeakIndex = field(default_factory=LeakIndex)
    # Estimated dollars of calls not yet sent but already committed to (for --max-cost).
    planned: float = 0.0

    def model(self, stage: str) -> str:
        return self.settings.llm_models.get(stage) or DEFAULT_MODELS[stage]

    @property
    def cache_dir(self) -> Path:
        return Path(self.settings.cache_dir) / BACKEND

    def check_budget(self, estimate: float, what: str) -> None:
        """Raise CostLimitExceeded if what was spent plus `estimate` is over settings.max_cost."""
        limit = self.settings.max_cost
        spent = self.ledger.total_dollars
        if limit is not None and spent + estimate > limit:
            raise CostLimitExceeded(
                f"estimated model cost ${spent + estimate:.4f} (spent ${spent:.4f} + {what} ${estimate:.4f}) is over "
                f"--max-cost ${limit:.4f}; nothing more was sent. Raise --max-cost or use --llm offline.")


_sessions: dict[int, RunSession] = {}
_lock = threading.Lock()


def session_for(settings: Settings) -> RunSession:
    """The run's shared state, created on first use and dropped with the Settings object."""
    key = id(settings)
    with _lock:
        found = _sessions.get(key)
        if found is None or found.settings is not settings:
            found = _sessions[key] = RunSession(settings, BackendOptions.from_settings(settings))
            weakref.finalize(settings, _sessions.pop, key, None)
        return found
