"""Shards as Ray tasks, distinct texts embedded as Ray tasks; clustering stays on the driver.

Every task builds (once per Ray worker process) the same plugin manager and settings as the driver, from
the recipe in the object store, so a worker computes exactly what this process would. Workers read the
shards' paths themselves: the input must be at the same path on every node (a shared filesystem), and
the facet cache directory is each node's own unless it too is shared.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from traceclio_core.components import Embedder
from traceclio_core.errors import ConfigurationError
from traceclio_core.settings import Settings
from traceclio_core.shards import Shard
from traceclio_core.workers import PluginRecipe, ShardResult, state_for

# Distinct texts per embedding task: enough to amortise a task's overhead (a few ms), few enough to spread.
TEXTS_PER_TASK = 2048


def _read(plugins: PluginRecipe, settings_json: str, shard: Shard) -> ShardResult:
    return state_for(plugins, settings_json).read(shard)


def _embed(plugins: PluginRecipe, settings_json: str, texts: list[str]) -> np.ndarray:
    return np.asarray(state_for(plugins, settings_json).embed(texts), dtype=np.float32)


class RayEngine:
    """Joins the cluster at `settings.ray_address` (or the one this process already joined; without either,
    starts Ray on this machine) and leaves it when the run ends, if it joined."""

    name = "ray"

    def __init__(self, settings: Settings, plugins: PluginRecipe):
        try:
            import ray
        except ImportError:
            raise ConfigurationError("--engine ray needs Ray: pip install 'traceclio[ray]' (on the driver and "
                                     "on every node of the cluster)") from None
        self.ray = ray
        self._joined = not ray.is_initialized()
        if self._joined:
            ray.init(address=settings.ray_address, include_dashboard=False, ignore_reinit_error=True)
        self.workers = int(ray.cluster_resources().get("CPU", 1))
        self._plugins = ray.put(plugins)
        self._settings = ray.put(settings.model_dump_json())
        self._read = ray.remote(_read)
        self._embed = ray.remote(_embed)

    def map(self, shards: list[Shard]) -> Iterator[ShardResult]:
        pending = [self._read.remote(self._plugins, self._settings, shard) for shard in shards]
        for ref in pending:
            yield self.ray.get(ref)

    def embedder(self, embedder: Embedder) -> Embedder:
        return RayEmbedder(embedder.model_id, self)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        chunks = [list(texts[i:i + TEXTS_PER_TASK]) for i in range(0, len(texts), TEXTS_PER_TASK)]
        parts = self.ray.get([self._embed.remote(self._plugins, self._settings, chunk) for chunk in chunks])
        return np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)

    def close(self) -> None:
        if self._joined and self.ray.is_initialized():
            self.ray.shutdown()
            self._joined = False


class RayEmbedder:
    """The run's embedder, run on the cluster: same model id (so the same vector cache), same vectors."""

    def __init__(self, model_id: str, engine: RayEngine):
        self.model_id = model_id
        self.engine = engine

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.engine.embed(texts)
