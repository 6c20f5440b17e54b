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
    """Vectors of one embedder, one shard per save. Looked up by key: the first lookup reads only each
    shard's keys, and a shard's vectors are read when a text it holds is asked for."""

    def __init__(self, embedder: Embedder, directory: Path | None):
        self.embedder = embedder
        self.directory = None if directory is None else (
            directory / "embeddings" / hashlib.sha1(embedder.model_id.encode()).hexdigest()[:16])
        self._where: dict[str, tuple[Path, int]] | None = None  # key -> shard, row
        self._shards: dict[Path, np.ndarray] = {}  # vectors of the shards read so far
        self._fresh: dict[str, np.ndarray] = {}  # embedded by this run

    def _index(self) -> dict[str, tuple[Path, int]]:
        if self._where is None:
            self._where = {}
            if self.directory is not None:
                # When this embedder was last used: `traceclio prune-cache` keeps what runs still use.
                self.directory.mkdir(parents=True, exist_ok=True)
                (self.directory / USED_MARKER).touch()
            shards = sorted(self.directory.glob("*.npz")) if self.directory and self.directory.exists() else []
            for shard in shards:
                with np.load(shard) as data:  # an npz member is read when asked for: only the keys here
                    self._where.update((key, (shard, row)) for row, key in enumerate(data["keys"].tolist()))
        return self._where

    def _vector(self, key: str) -> np.ndarray:
        if key in self._fresh:
            return self._fresh[key]
        shard, row = self._where[key]
        if shard not in self._shards:
            with np.load(shard) as data:
                self._shards[shard] = data["vectors"]
        return self._shards[shard][row]

    def _save(self, keys: list[str], vectors: np.ndarray) -> None:
        if not keys or self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha1("".join(keys).encode()).hexdigest()[:16]
        np.savez(self.directory / f"{name}.npz", keys=np.array(keys), vectors=vectors.astype(np.float32))

    def embed(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors for `texts` (distinct, in order) and how many had to be computed now."""
        where = self._index()
        keys = [_key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in where and k not in self._fresh]
        if missing:
            fresh = np.asarray(self.embedder.embed([texts[i] for i in missing]), dtype=np.float32)
            for i, vector in zip(missing, fresh):
                self._fresh[keys[i]] = vector
            self._save([keys[i] for i in missing], fresh)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32), 0
        return np.stack([self._vector(k) for k in keys]).astype(np.float32), len(missing)
