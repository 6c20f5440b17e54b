"""The clustering of a fact table, remembered by key: a run over the same rows, with the same settings and
the same code, takes its clusters from here instead of embedding, clustering and naming again.

The key covers everything the stages after the fact table read: each clusterable row's trace id, tenant,
content hash and extractor version, in order (the rows themselves follow from those: see facets.py and
the facet cache); every setting but those that only say where to read, write or run; the embedder's
model id; and the source of traceclio_core and of every registered plugin's package, so an edited
namer, clusterer or reviewer never serves an old result. The value is the run's clusters, assignments,
outliers, centroids and map; what follows from them and the rows (exemplar timelines, the summary, the
outputs) is computed again, so the outputs are the cold run's byte for byte (tests/test_clustering_cache.py).

Entries live in `<cache-dir>/clusterings/` as gzipped JSON, one per key; `traceclio prune-cache` drops
those not read or written within its window, and a run keeps at most KEEP entries.
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pluggy

from traceclio_core.cluster_model import RunResult
from traceclio_core.facets import FacetRow
from traceclio_core.settings import Settings

VERSION = "1"
DIRECTORY = "clusterings"
KEEP = 32
# Where a run reads, writes and runs: none of these changes what the clustering stages compute.
PLACE_ONLY = {"out_dir", "cache_dir", "workers", "engine", "ray_address", "shard_bytes", "baseline", "strict",
              "per_tenant", "batch_size"}

_code_digests: dict[tuple[str, ...], str] = {}


def code_fingerprint(pm: pluggy.PluginManager) -> str:
    """sha256 of the source of traceclio_core and of each registered plugin's package (remembered per
    process for the same set of packages)."""
    folders = {Path(__file__).parent}
    for plugin in pm.get_plugins():
        module = inspect.getmodule(plugin) or sys.modules.get(getattr(type(plugin), "__module__", ""), None)
        source = getattr(module, "__file__", None)
        if source:
            folders.add(Path(source).resolve().parent)
    key = tuple(sorted(str(f) for f in folders))
    if key not in _code_digests:
        digest = hashlib.sha256()
        for folder in key:
            for path in sorted(Path(folder).glob("*.py")):
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        _code_digests[key] = digest.hexdigest()
    return _code_digests[key]


def clustering_key(rows: Sequence[FacetRow], settings: Settings, model_id: str, pm: pluggy.PluginManager) -> str:
    digest = hashlib.sha256()
    digest.update(f"{VERSION}\0{model_id}\0{code_fingerprint(pm)}\0".encode())
    # A plugin option may be an object (a client factory): its repr names it, and one that differs from
    # run to run (an address) is a miss, never a wrong hit.
    chosen = json.dumps(settings.model_dump(mode="json", exclude=PLACE_ONLY | {"plugin_options"}), sort_keys=True)
    options = json.dumps(settings.plugin_options, sort_keys=True, default=repr)
    digest.update(chosen.encode() + b"\0" + options.encode() + b"\0")
    for row in rows:
        digest.update(f"{row.trace_id}\x1f{row.tenant}\x1f{row.content_hash}\x1f{row.extractor_version}\x1e"
                      .encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ClusteringCache:
    def __init__(self, cache_dir: Path | None):
        self.directory = None if cache_dir is None else cache_dir / DIRECTORY

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key[:32]}.json.gz"

    def load(self, key: str) -> RunResult | None:
        """The cached clustering (rows left empty; `summary["distinct_texts"]` the texts it embedded), or None."""
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            stored = RunResult.model_validate_json(gzip.decompress(path.read_bytes()))
        except Exception:  # a damaged or older entry is a miss, and is replaced
            return None
        if stored.summary.get("key") != key:
            return None
        os.utime(path)  # its last use, for prune-cache and for KEEP
        return stored

    def save(self, key: str, result: RunResult) -> None:
        """Remember `result`'s clustering (its rows are not stored) and `summary["distinct_texts"]`."""
        path = self._path(key)
        if path is None:
            return
        stored = result.model_copy(update={"rows": [], "summary": {
            "key": key, "distinct_texts": result.summary.get("distinct_texts", 0)}})
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(gzip.compress(stored.model_dump_json().encode(), compresslevel=1))
        partial.replace(path)
        entries = sorted(self.directory.glob("*.json.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in entries[KEEP:]:
            stale.unlink(missing_ok=True)
