"""Keep the cache directory from growing without bound.

Every run appends a facet shard and a vector shard, and every new extractor or embedder version starts
keys of its own, so a cache used weekly through upgrades fills with rows no run will read again and
takes longer to load each time. Runs mark what they use (a marker file per facet version and per
embedder, a touched manifest); pruning keeps what was used within the last days, drops the rest, and
compacts what it keeps into one shard each.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from traceclio_core import facet_table

USED_MARKER = ".used"


def mark_facet_version_used(cache_dir: Path, version: str) -> None:
    """Record that a run read or wrote facets of this extractor version (the marker's mtime is the last use)."""
    marker = cache_dir / "facets" / "used" / hashlib.sha256(version.encode()).hexdigest()[:16]
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(version)


@dataclass
class PruneReport:
    facet_rows_kept: int = 0
    facet_rows_dropped: int = 0
    facet_shards_before: int = 0
    embedders_kept: list[str] = field(default_factory=list)
    embedders_dropped: list[str] = field(default_factory=list)
    vector_shards_before: int = 0
    manifests_dropped: int = 0
    clusterings_dropped: int = 0
    bytes_before: int = 0
    bytes_after: int = 0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def prune_cache(cache_dir: Path, keep_days: float, dry_run: bool = False, now: float | None = None) -> PruneReport:
    """Drop facets of versions, vectors of embedders, manifests of inputs and remembered clusterings
    (clustering_cache.py) not used in `keep_days`;
    compact the facet rows and vectors that stay into one shard each. A models/ folder (older versions
    distilled the embedder there) is left alone."""
    cutoff = (now if now is not None else time.time()) - keep_days * 86400
    report = PruneReport(bytes_before=_size(cache_dir))
    _prune_facets(cache_dir / "facets", cutoff, dry_run, report)
    _prune_vectors(cache_dir / "embeddings", cutoff, dry_run, report)
    for manifest in sorted((cache_dir / "manifests").glob("*.json")) if (cache_dir / "manifests").exists() else []:
        if manifest.stat().st_mtime < cutoff:
            report.manifests_dropped += 1
            if not dry_run:
                manifest.unlink()
    clusterings = cache_dir / "clusterings"
    for entry in sorted(clusterings.glob("*.json.gz")) if clusterings.exists() else []:
        if entry.stat().st_mtime < cutoff:
            report.clusterings_dropped += 1
            if not dry_run:
                entry.unlink()
    report.bytes_after = report.bytes_before if dry_run else _size(cache_dir)
    return report


def _prune_facets(directory: Path, cutoff: float, dry_run: bool, report: PruneReport) -> None:
    shards = sorted(directory.glob("*.parquet")) if directory.exists() else []
    report.facet_shards_before = len(shards)
    used = directory / "used"
    markers = {m: m.read_text() for m in sorted(used.glob("*"))} if used.exists() else {}
    recent = {version for m, version in markers.items() if m.stat().st_mtime >= cutoff}
    kept: dict[tuple[str, str], tuple] = {}
    for shard in shards:
        for row, extra in facet_table.read(shard):
            if row.extractor_version in recent:
                kept[(row.content_hash, row.extractor_version)] = (row, extra)
            else:
                report.facet_rows_dropped += 1
    report.facet_rows_kept = len(kept)
    if dry_run or not shards:
        return
    if kept:
        compacted = directory / "compacted.parquet.partial"
        facet_table.write(compacted, list(kept.values()))
    for shard in shards:
        shard.unlink()
    if kept:
        compacted.replace(directory / "compacted.parquet")
    for marker, version in markers.items():
        if version not in recent:
            marker.unlink()


def _prune_vectors(directory: Path, cutoff: float, dry_run: bool, report: PruneReport) -> None:
    for model_dir in sorted(p for p in directory.iterdir() if p.is_dir()) if directory.exists() else []:
        shards = sorted(model_dir.glob("*.npz"))
        report.vector_shards_before += len(shards)
        marker = model_dir / USED_MARKER
        if not marker.exists() or marker.stat().st_mtime < cutoff:
            report.embedders_dropped.append(model_dir.name)
            if not dry_run:
                shutil.rmtree(model_dir)
            continue
        report.embedders_kept.append(model_dir.name)
        if dry_run or len(shards) <= 1:
            continue
        vectors: dict[str, np.ndarray] = {}
        for shard in shards:
            with np.load(shard) as data:
                vectors.update(zip(data["keys"].tolist(), data["vectors"]))
        keys = sorted(vectors)
        # np.savez appends ".npz" to a name without it, so the partial file keeps the suffix.
        partial = model_dir / "compacted.partial.npz"
        np.savez(partial, keys=np.array(keys), vectors=np.stack([vectors[k] for k in keys]).astype(np.float32))
        for shard in shards:
            shard.unlink()
        partial.replace(model_dir / "compacted.npz")
