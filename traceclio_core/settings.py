"""One typed settings object for a run; the CLI maps flags onto it, nothing reads the environment deeper in."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

DEFAULT_AXIS = ("evidence",)


class InputFormat(StrEnum):
    """How local files are read: told from their first bytes, or forced."""

    AUTO = "auto"
    OTLP = "otlp"
    TRANSCRIPTS = "transcripts"


class Settings(BaseModel):
    out_dir: Path = Path("runs/latest")
    # Facet cache and embedding cache live here, shared across runs, keyed by content hash.
    cache_dir: Path = Path.home() / ".cache" / "traceclio"
    # Which facets the traces are clustered along ("evidence" is the default combined axis; see render.py).
    facets: tuple[str, ...] = DEFAULT_AXIS
    # Attributes read for the tenant, in order; span attributes first, then resource attributes.
    tenant_keys: tuple[str, ...] = ("tenant.id",)
    # Known-pattern detectors (ready-made monitors) add a `known_patterns` facet and, offline, the verdict
    # behind `failure_mode`. Off, every trace is described by its evidence alone: pure discovery.
    detectors: bool = True
    # Where a trace says how it ended, in order: span then resource attributes (OTLP, Phoenix), score names
    # (Langfuse), trace annotation names (Phoenix), dotted fields of a transcript run. The fact table's
    # `outcome` column; never an input to clustering.
    outcome_keys: tuple[str, ...] = ("reward", "outcome", "score", "success", "passed")
    # Local files: "auto" tells OTLP from chat transcripts by their first bytes; the others force one reader.
    input_format: InputFormat = InputFormat.AUTO
    # Transcript runs: dotted fields holding the run's id (else FILE:LINE names it) and its messages.
    transcript_id_keys: tuple[str, ...] = ("id", "run_id", "trace_id", "transcript_id", "session_id")
    transcript_messages_keys: tuple[str, ...] = ("messages", "traj", "conversation")
    # Model-written stages: "offline" (deterministic, no key) or a backend plugin's name ("anthropic").
    llm: str = "offline"
    # "static-minilm": the packaged MiniLM distilled to a static model, run with numpy (fast, equal quality);
    # "minilm" (the packaged transformer) or any sentence-transformers name or path needs the `transformers` extra.
    embedder: str = "static-minilm"
    # Share of the clustering geometry given to exact evidence phrases over their text embedding (geometry.py):
    # more keeps small groups with distinct evidence apart, less lets wording similarity decide.
    phrase_share: float = Field(0.5, ge=0.0, le=1.0)
    # A finished run directory to compare with: its cluster ids are carried forward where a cluster continues
    # one of its clusters, and the comparison is written to diff.json (see baseline.py, diff.py).
    baseline: Path | None = None
    # Base k-means k; None picks it from the number of traces (see traceclio_kmeans).
    k: int | None = None
    # How many levels the hierarchy has above the leaves (the issue asks for three levels in all).
    levels: int = 3
    seed: int = 0
    # Privacy: a cluster surfaces only with at least this many distinct tenants AND traces, at every level.
    min_tenants: int = Field(3, ge=1)
    min_traces: int = Field(5, ge=1)
    # ... AND no tenant holding more than this share of its traces, so one customer's private pattern
    # cannot surface behind a few traces of others. Lower hides more clusters. Applies with min_tenants >= 2
    # (with one tenant allowed, a cluster of one tenant's traces is allowed, so its majority must be).
    max_tenant_share: float = Field(0.5, gt=0.0, le=1.0)
    # Also write one run per tenant under OUT/tenants/<slug>/ (only that tenant's traces; thresholds on
    # traces alone), beside the cross-tenant run in OUT/ itself: the within-tenant pass for the long tail.
    per_tenant: bool = False
    # A trace is closed once this many spans have been read without one for it; bounds memory on big files.
    trace_window_spans: int = Field(200_000, ge=1)
    # Attribute values longer than this are cut (and the cut recorded) so one giant value cannot sink a run.
    max_attribute_bytes: int = Field(256 * 1024, ge=1024)
    # Any rejected input stops the run.
    strict: bool = False
    # Traces in one batch through facet extraction; bounds memory, not results.
    batch_size: int = Field(2000, ge=1)
    # Worker processes that read, assemble and compute facets, one input shard at a time (engines.py);
    # None = every core, 1 = all in this process. Outputs are identical whatever the number.
    workers: int | None = Field(None, ge=1)
    # "local" (worker processes on this machine) or "ray" (Ray tasks on a cluster; the `ray` extra).
    engine: str = "local"
    # Ray: the cluster to join ("auto", "ray://head:10001"); None starts a local Ray on this machine.
    ray_address: str | None = None
    # Bytes of input per shard; None picks it from the input's size and the workers (several shards per
    # worker keep them all busy; fewer, larger shards cost less start-up and fewer seams to check).
    shard_bytes: int | None = Field(None, ge=1)
    # Example summaries shown per leaf cluster (clusters.json, the report), drawn from at least min_tenants
    # tenants (examples.pick_examples); raised to min_tenants when below it.
    examples_per_cluster: int = Field(3, ge=0)
    # Sources that read a store (phoenix://, langfuse://): how far back ("7d", "12h", an ISO time) and an
    # optional source-specific filter expression.
    since: str | None = None
    source_filter: str | None = None
    # Model-written stages: stop before sending anything if the estimated cost exceeds this many dollars.
    max_cost: float | None = None
    # Model per model-written stage ("facets", "naming", "hierarchy", "audit"); a backend fills defaults.
    llm_models: dict[str, str] = Field(default_factory=dict)
    # Free-form options for third-party plugins, by plugin name.
    plugin_options: dict[str, dict] = Field(default_factory=dict)
