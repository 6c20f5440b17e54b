"""Embed each distinct text once, and remember vectors across runs by (model, text) hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from traceclio_core.cache_pruning import USED_MARKER
from traceclio_core.components import Embedder


def _key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class VectorCache:
    """Vectors of one embedder: read from disk once, added to as texts are embedded, one shard per save."""

    def __init__(self, embedder: Embedder, directory: Path | None):
        self.embedder = embedder
        self.directory = None if directory is None else (
            directory / "embeddings" / hashlib.sha1(embedder.model_id.encode()).hexdigest()[:16])
        self._known: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._known is None:
            self._known = {}
            if self.directory is not None:
                # When this embedder was last used: `traceclio prune-cache` keeps what runs still use.
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / USED_MARKER).touch()
            shards = sorted(self.directory.glob("*.npz")) if self.directory and self.directory.exists() else []
            for shard in shards:
                with np.load(shard) as data:
                    self._known.update(zip(data["keys"].tolist(), data["vectors"]))
        return self._known

    def _save(self, keys: list[str], vectors: np.ndarray) -> None:
        if not keys or self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1("".join(keys).encode()).hexdigest()[:16]
        np.savez(self.directory / f"{name}.npz", keys=np.array(keys), vectors=vectors.astype(np.float32))

    def embed(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (distinct, in order) and how many had to be computed now."""
        known = self._load()
        keys = [_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in known]
        if missing:
            fresh = np.asarray(self.embedder.embed([texts[i] for i in missing]), dtype=np.float32)
            for i, vector in zip(missing, fresh):
                known[keys[i]] = vector
            self._save([keys[i] for i in missing], fresh)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32), 0
        return np.stack([known[k] for k in keys]).astype(np.float32), len(missing)
