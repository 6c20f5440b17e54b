"""List prices, the token estimate used before sending anything, and the per-stage cost ledger (Clio's Table 3).

Prices are Anthropic's published list prices in dollars per million tokens (checked 2026; edit here when
they change, nowhere else). Batches cost half of every line. Prompt-cache reads cost 0.1x input and
5-minute cache writes 1.25x input; caching only happens once a prompt prefix passes the model's minimum
cacheable length (4,096 tokens for Haiku 4.5, 1,024 for Sonnet), so short system prompts are not cached.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

# Characters per token for English prose and JSON-ish trace text: a deliberate over-estimate of tokens
# (real tokenisers give ~3.8-4.2 chars/token on such text), so budgets err on the side of stopping early.
CHARS_PER_TOKEN = 3.5
BATCH_DISCOUNT = 0.5
CACHE_READ_FACTOR = 0.1
CACHE_WRITE_FACTOR = 1.25


@dataclass(frozen=True)
class Price:
    input: float  # dollars per million input tokens
    output: float  # dollars per million output tokens


PRICES: dict[str, Price] = {
    "claude-haiku-4-5": Price(1.00, 5.00),
    "claude-sonnet-4-6": Price(3.00, 15.00),
    "claude-sonnet-4-5": Price(3.00, 15.00),
    "claude-opus-4-6": Price(5.00, 25.00),
    "claude-opus-4-5": Price(5.00, 25.00),
}
# Unknown models are priced like the dearest known one: an estimate should not under-count.
FALLBACK_PRICE = max(PRICES.values(), key=lambda p: p.output)


def price_of(model: str) -> Price:
    for name, price in PRICES.items():
        if model == name or model.startswith(name + "-"):  # dated snapshots, e.g. claude-haiku-4-5-20251001
            return price
    return FALLBACK_PRICE


def estimate_tokens(text: str) -> int:
    """Approximate tokens of `text` (chars / CHARS_PER_TOKEN, rounded up)."""
    return int(len(text) / CHARS_PER_TOKEN) + 1


def dollars(model: str, input_tokens: int, output_tokens: int, cache_read: int = 0, cache_write: int = 0,
            batch: bool = False) -> float:
    """Cost of one call's usage; `input_tokens` excludes the cached tokens (as the API reports it)."""
    price = price_of(model)
    cost = (input_tokens + cache_read * CACHE_READ_FACTOR + cache_write * CACHE_WRITE_FACTOR) * price.input
    cost += output_tokens * price.output
    return cost / 1e6 * (BATCH_DISCOUNT if batch else 1.0)


@dataclass
class StageCost:
    calls: int = 0
    batched_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    dollars: float = 0.0


@dataclass
class CostLedger:
    """What each model-written stage actually cost, from the usage the API reported. Thread-safe."""

    stages: dict[str, StageCost] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, stage: str, model: str, usage, batch: bool = False) -> None:
        """Add one answered call; `usage` is the SDK's Usage object."""
        read = getattr(usage, "cache_read_input_tokens", 0) or 0
        write = getattr(usage, "cache_creation_input_tokens", 0) or 0
        cost = dollars(model, usage.input_tokens, usage.output_tokens, read, write, batch)
        with self._lock:
            entry = self.stages.setdefault(stage, StageCost())
            entry.calls += 1
            entry.batched_calls += int(batch)
            entry.input_tokens += usage.input_tokens
            entry.output_tokens += usage.output_tokens
            entry.cache_read_tokens += read
            entry.cache_write_tokens += write
            entry.dollars += cost

    @property
    def total_dollars(self) -> float:
        return sum(s.dollars for s in self.stages.values())

    def table(self, traces: int) -> dict:
        """Clio's Table 3 for this run: per stage calls, tokens and dollars, the total, and dollars per trace."""
        rows = {name: {**asdict(cost), "dollars": round(cost.dollars, 6)} for name, cost in self.stages.items()}
        total = StageCost()
        for cost in self.stages.values():
            for key, value in asdict(cost).items():
                setattr(total, key, getattr(total, key) + value)
        return {
            "stages": rows,
            "total": {**asdict(total), "dollars": round(total.dollars, 6)},
            "traces": traces,
            "dollars_per_trace": round(total.dollars / traces, 8) if traces else 0.0,
            "prices_per_million_tokens": {m: asdict(p) for m, p in PRICES.items()},
            "batch_discount": BATCH_DISCOUNT,
        }
