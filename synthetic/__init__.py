"""Synthetic agent traces with known behaviours, for scoring traceclio's recovery of them.

Public API:
    write_dataset(out_dir, n, seed, split="all") -> None
    generate(n, seed, split="all", only=None) -> Iterator[SyntheticTrace]
    write_traces(out_dir, traces, batch_seed="0") -> None
    BEHAVIOURS, CATEGORIES, FAMILIES
"""
from .dataset import SyntheticTrace, generate, write_dataset, write_traces
from .families import FAMILIES
from .taxonomy import BEHAVIOURS, CATEGORIES

__all__ = ["write_dataset", "write_traces", "generate", "SyntheticTrace", "BEHAVIOURS", "CATEGORIES", "FAMILIES"]
