"""Where the per-trace stages run: in this process, in worker processes on this machine, or (a plugin's
engine, such as `traceclio_ray`) on a cluster.

An engine maps shards to ShardResults in order (workers.py says what a worker does) and may wrap the
embedder so distinct texts are embedded on its workers. Clustering, naming and the outputs stay here:
they need every row.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol

import pluggy

from traceclio_core.components import Embedder
from traceclio_core.errors import ConfigurationError
from traceclio_core.settings import Settings
from traceclio_core.shards import Shard
from traceclio_core.workers import PluginRecipe, ShardResult, read_shard, start

LOCAL = "local"


class Engine(Protocol):
    name: str
    workers: int

    def map(self, shards: list[Shard]) -> Iterator[ShardResult]:
        """Each shard read (workers.WorkerState.read), results in the order of `shards`."""

    def embedder(self, embedder: Embedder) -> Embedder:
        """The embedder to cluster with: `embedder`, or one with its model_id whose work runs elsewhere.
        Asked once, when reading is done."""

    def close(self) -> None:
        ...


def worker_count(settings: Settings) -> int:
    """`settings.workers`, else the cores this process may run on (a container's share, not the host's)."""
    if settings.workers:
        return settings.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def watch_parent(parent: int, every: float = 1.0) -> None:
    """In a worker process: exit once the process that started it is gone. A run stopped by SIGTERM or
    SIGKILL (a scheduler, a timeout) cannot shut its pool down, and its workers would otherwise wait on
    their queue for good, each holding its plugins and caches (seen: two idle 650 MiB workers left
    behind). Their work died with the parent; nothing is lost."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="traceclio-parent-watch", daemon=True).start()


def _start_watched(parent: int, recipe: PluginRecipe, settings_json: str) -> None:
    watch_parent(parent)
    start(recipe, settings_json)


class LocalEngine:
    """Worker processes on this machine. Spawned, not forked: a worker starts clean, builds its own plugin
    manager and holds nothing of the parent's memory (safe on every platform, and with threads)."""

    name = LOCAL

    def __init__(self, recipe: PluginRecipe, settings: Settings, workers: int):
        self.recipe = recipe
        self.settings_json = settings.model_dump_json()
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def map(self, shards: list[Shard]) -> Iterator[ShardResult]:
        if self._pool is None:
            self.workers = min(self.workers, len(shards))  # no idle process to start
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_watched,
                                             initargs=(os.getpid(), self.recipe, self.settings_json))
        return self._pool.map(read_shard, shards)

    def embedder(self, embedder: Embedder) -> Embedder:
        # Asked once reading is done. A run embeds a few thousand distinct texts: not worth a round trip,
        # so the workers (and the memory they hold) are let go now.
        self.close()
        return embedder

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def open_engine(settings: Settings, pm: pluggy.PluginManager, extractor) -> Engine | None:
    """The engine for this run, or None to read everything in this process: one worker on the local
    engine, an extractor that must see the whole run in one process (a model backend keeps the run's
    budget), or plugins that cannot be sent to a worker."""
    parallel = getattr(extractor, "runs_in_workers", False)
    recipe = PluginRecipe.of(pm) if parallel else None
    if settings.engine == LOCAL:
        workers = worker_count(settings)
        return LocalEngine(recipe, settings, workers) if recipe is not None and workers > 1 else None
    if recipe is None:
        why = ("its facet extractor keeps run-wide state and must run in this process" if not parallel else
               "a registered plugin cannot be pickled to send to the workers")
        raise ConfigurationError(f"--engine {settings.engine} cannot run this pipeline: {why}; use --engine local")
    engine = pm.hook.traceclio_engine(settings=settings, plugins=recipe)
    if engine is None:
        raise ConfigurationError(f"no plugin provides the {settings.engine!r} engine (for Ray: "
                                 "pip install 'traceclio[ray]')")
    return engine
