"""What a worker process or a Ray task runs: read one shard, assemble its traces, compute their facets.

A worker builds its own plugin manager from a `PluginRecipe` (the parent's plugins by module name, or
pickled where a plugin is an object), so it works under spawn, forkserver and on another machine alike,
and computes exactly what the parent would: the same hooks, the same settings, the same cache.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pickle
from dataclasses import dataclass, field
from types import ModuleType

import pluggy

from traceclio_core import hookspecs
from traceclio_core.errors import ConfigurationError
from traceclio_core.shards import Shard


@dataclass(frozen=True)
class PluginRecipe:
    """The parent's plugins in registration order: (name, module name or None, pickled object or None)."""

    plugins: tuple[tuple[str, str | None, bytes | None], ...]

    @classmethod
    def of(cls, pm: pluggy.PluginManager) -> PluginRecipe | None:
        """The recipe of `pm`, or None when a plugin cannot be sent to another process (it does not pickle)."""
        plugins = []
        for name, plugin in pm.list_name_plugin():
            if plugin is None:  # blocked
                continue
            if isinstance(plugin, ModuleType):
                plugins.append((name, plugin.__name__, None))
                continue
            try:
                plugins.append((name, None, pickle.dumps(plugin)))
            except Exception:  # a plugin holding a connection, a lock, a lambda: this run stays in-process
                return None
        return cls(tuple(plugins))

    def build(self) -> pluggy.PluginManager:
        pm = pluggy.PluginManager(hookspecs.PROJECT)
        pm.add_hookspecs(hookspecs)
        for name, module, blob in self.plugins:
            pm.register(importlib.import_module(module) if module else pickle.loads(blob), name=name)
        return pm

    def key(self) -> str:
        return hashlib.sha256(pickle.dumps(self.plugins)).hexdigest()


@dataclass
class ShardResult:
    """What reading one shard gave: its facet rows in reading order and everything the parent must merge."""

    index: int
    rows: list = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)  # Reject records, lines numbered within each piece
    counts: dict = field(default_factory=dict)
    lines_read: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    version: str = ""
    peak_rss_mib: float = 0.0  # the worker process's peak so far


class WorkerState:
    """One worker's plugins, settings, extractor and facet cache, built once and kept for every shard."""

    def __init__(self, recipe: PluginRecipe, settings_json: str):
        from traceclio_core import pipeline
        from traceclio_core.facet_table import FacetCache
        from traceclio_core.settings import Settings

        self.pm = recipe.build()
        self.settings = Settings.model_validate_json(settings_json)
        self.extractor = pipeline._first(self.pm, "traceclio_facet_extractor", self.settings, "a facet extractor")
        self.cache = FacetCache(self.settings.cache_dir, pipeline.facet_types(self.pm, self.settings))
        self._embedder = None

    def read(self, shard: Shard) -> ShardResult:
        from traceclio_core import pipeline
        from traceclio_core.facet_table import share_texts
        from traceclio_core.progress import Silent
        from traceclio_core.rejects import RejectLog

        rejects = RejectLog(None, strict=False)  # the parent applies --strict as it merges, in input order
        reading = self.pm.hook.traceclio_read_shard(shard=shard, settings=self.settings, rejects=rejects)
        if reading is None:
            raise ConfigurationError(f"no plugin in this worker reads shards of {shard.source!r}; is the same "
                                     "version of traceclio and its plugins installed here?")
        clock = pipeline.StageClock()
        rows, counts = pipeline.extract_facets(reading, self.settings, self.pm, rejects, Silent(), clock,
                                               self.extractor, cache=self.cache)
        share_texts(rows)  # each distinct short text pickled (and held by the parent) once per shard
        return ShardResult(index=shard.index, rows=rows, rejects=rejects.records, counts=counts,
                           lines_read=dict(getattr(reading, "lines_read", {})), seconds=clock.seconds,
                           version=pipeline.facet_version(self.pm, self.extractor, self.settings),
                           peak_rss_mib=_peak_rss_mib())

    def embed(self, texts: list[str]):
        from traceclio_core import pipeline

        if self._embedder is None:
            self._embedder = pipeline._first(self.pm, "traceclio_embedder", self.settings, "an embedder")
        return self._embedder.embed(texts)


def _peak_rss_mib() -> float:
    try:
        import resource
    except ImportError:  # not on Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


_state: WorkerState | None = None  # this process's, when it is a worker (set by `start` or `state_for`)
_state_key: str | None = None


def start(recipe: PluginRecipe, settings_json: str) -> None:
    """A worker process's initializer. Its rejects are logged by the parent as it merges them."""
    global _state, _state_key
    quiet = logging.getLogger("traceclio.rejects")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    _state, _state_key = WorkerState(recipe, settings_json), recipe.key() + settings_json


def state_for(recipe: PluginRecipe, settings_json: str) -> WorkerState:
    """This process's worker state for `recipe` and settings, built on first use (Ray reuses its workers)."""
    if _state is None or _state_key != recipe.key() + settings_json:
        start(recipe, settings_json)
    return _state


def read_shard(shard: Shard) -> ShardResult:
    """The pool's task: read `shard` with this process's state."""
    return _state.read(shard)
