"""Embed each distinct text once, and remember vectors across runs by (model, text) hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from traceclio_core.components import Embedder


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class VectorCache:
    def __init__(self, directory: Path, model_id: str):
        self.directory = directory / "embeddings" / hashlib.sha1(model_id.encode()).hexdigest()[:16]

    def load(self) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for shard in sorted(self.directory.glob("*.npz")) if self.directory.exists() else []:
            with np.load(shard) as data:
                found.update(zip(data["keys"].tolist(), data["vectors"]))
        return found

    def save(self, keys: list[str], vectors: np.ndarray) -> None:
        if not keys:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1("".join(keys).encode()).hexdigest()[:16]
        np.savez(self.directory / f"{name}.npz", keys=np.array(keys), vectors=vectors.astype(np.float32))


def embed_unique(embedder: Embedder, texts: Sequence[str], cache_dir: Path | None) -> tuple[np.ndarray, int]:
    """Vectors for `texts` (distinct, in order) and how many had to be computed now."""
    cache = VectorCache(cache_dir, embedder.model_id) if cache_dir is not None else None
    known = cache.load() if cache else {}
    keys = [_key(t) for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        fresh = np.asarray(embedder.embed([texts[i] for i in missing]), dtype=np.float32)
        for i, vector in zip(missing, fresh):
            known[keys[i]] = vector
        if cache:
            cache.save([keys[i] for i in missing], fresh)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32), 0
    return np.stack([known[k] for k in keys]).astype(np.float32), len(missing)
