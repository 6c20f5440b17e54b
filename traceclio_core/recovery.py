"""Generator → pipeline → score in one call: what the pytest gate and `bench/recovery.py` run.

This module (not the pipeline) imports `synthetic/`; the pipeline sees only the trace files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from traceclio_core import pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.score import Score, score_run
from traceclio_core.settings import Settings


def behaviour_descriptions() -> dict[str, str]:
    from synthetic import BEHAVIOURS

    return {b.id: b.description for b in BEHAVIOURS}


def label_embedder(settings: Settings):
    """The run's own embedder, as a plain function, for judging label recovery."""
    embedder = plugin_manager().hook.traceclio_embedder(settings=settings)

    def embed(texts):
        return np.asarray(embedder.embed(list(texts)))

    return embed


def measure(n: int = 2000, seed: int = 3, split: str = "heldout", workdir: Path | None = None,
            **overrides) -> Score:
    """Generate `n` synthetic traces (held-out families by default), cluster them with the installed
    plugins and `overrides` as settings, and score the result against the generator's truth."""
    import synthetic

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(workdir or scratch)
        data = root / f"synthetic-{split}-{n}-{seed}"
        if not (data / "truth.jsonl").exists():
            synthetic.write_dataset(data, n, seed, split=split)
        settings = Settings(out_dir=root / "run", **overrides)
        pipeline.run([str(data / "traces.jsonl")], settings, plugin_manager())
        return score_run(settings.out_dir, data / "truth.jsonl", behaviour_descriptions(), label_embedder(settings))
