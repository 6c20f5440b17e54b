"""Synthetic agent traces with known behaviours, for scoring traceclio's recovery of them.

Public API:
    write_dataset(out_dir, n, seed, split="all") -> None
    generate(n, seed, split="all") -> Iterator[SyntheticTrace]
    BEHAVIOURS, CATEGORIES, FAMILIES
"""
from .dataset import SyntheticTrace, generate, write_dataset
from .families import FAMILIES
from .taxonomy import BEHAVIOURS, CATEGORIES

__all__ = ["write_dataset", "generate", "SyntheticTrace", "BEHAVIOURS", "CATEGORIES", "FAMILIES"]
