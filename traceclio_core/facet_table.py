"""The facet fact table: the contract between extraction and clustering.

One Parquet row per trace, keyed by trace id, stamped with the trace's content hash and the extractor
version. Clustering reads this table, never raw traces, so another facet axis costs no re-read. The
same rows, keyed by (content hash, extractor version), form the cross-run cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from traceclio_core.facets import DIRECT_FACETS, MODEL_FACETS, DirectFacets, FacetRow, ModelFacets
from traceclio_core.model import Trace

FILE_NAME = "facets.parquet"
_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string(),
                "list[str]": pa.list_(pa.string()), "list[int]": pa.list_(pa.int64()),
                "list[float]": pa.list_(pa.float64())}
# A plugin facet whose values Arrow cannot type (mixed kinds, nested objects) is kept as JSON text,
# marked so that reading the table gives the values back as they were.
_JSON = {b"traceclio.json": b"1"}
CORE_COLUMNS = ("trace_id", "tenant", "outcome", "content_hash", "extractor_version", *DIRECT_FACETS, *MODEL_FACETS, "extra")


def content_hash(trace: Trace) -> str:
    """Hash of the trace's content as the model holds it: same spans, same hash, whatever the file order."""
    return hashlib.sha256(trace.model_dump_json().encode()).hexdigest()[:32]


def _core_fields() -> list[pa.Field]:
    fields = [
        pa.field("trace_id", pa.string()),
        pa.field("tenant", pa.string()),
        pa.field("outcome", pa.float64()),
        pa.field("content_hash", pa.string()),
        pa.field("extractor_version", pa.string()),
    ]
    for name, info in DirectFacets.model_fields.items():
        kind = {int: pa.int64(), float: pa.float64()}.get(info.annotation, pa.list_(pa.string()))
        fields.append(pa.field(name, kind))
    for name, info in ModelFacets.model_fields.items():
        fields.append(pa.field(name, pa.int64() if info.annotation is int else pa.string()))
    return fields


def _plugin_column(name: str, values: list, declared: str | None) -> tuple[pa.Field, pa.Array]:
    if declared in _ARROW_TYPES:
        kind = _ARROW_TYPES[declared]
        return pa.field(name, kind), pa.array(values, type=kind)
    try:
        array = pa.array(values)
        if not pa.types.is_null(array.type) and not pa.types.is_struct(array.type):
            return pa.field(name, array.type), array
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    text = [None if v is None else json.dumps(v, sort_keys=True) for v in values]
    return pa.field(name, pa.string(), metadata=_JSON), pa.array(text, type=pa.string())


def to_table(rows: Iterable[tuple[FacetRow, dict]], types: dict[str, str] | None = None) -> pa.Table:
    """The fact table: the core columns, then one column per plugin facet (sorted by name), then `extra`.
    `types` declares plugin facets' column types (see FacetSpec); undeclared ones are inferred."""
    rows = list(rows)
    columns: dict[str, list] = {f.name: [] for f in _core_fields()}
    plugin_names = sorted({name for row, _ in rows for name in row.facets} - set(CORE_COLUMNS))
    plugin: dict[str, list] = {name: [] for name in plugin_names}
    extras = []
    for row, extra in rows:
        columns["trace_id"].append(row.trace_id)
        columns["tenant"].append(row.tenant)
        columns["outcome"].append(row.outcome)
        columns["content_hash"].append(row.content_hash)
        columns["extractor_version"].append(row.extractor_version)
        for name in DIRECT_FACETS:
            columns[name].append(getattr(row.direct, name))
        for name in MODEL_FACETS:
            value = getattr(row.model, name)
            columns[name].append(value if isinstance(value, int) else str(value))
        for name in plugin_names:
            plugin[name].append(row.facets.get(name))
        extras.append(json.dumps(extra, sort_keys=True) if extra else None)
    fields = _core_fields()
    arrays = [pa.array(columns[f.name], type=f.type) for f in fields]
    for name in plugin_names:
        field, array = _plugin_column(name, plugin[name], (types or {}).get(name))
        fields.append(field)
        arrays.append(array)
    fields.append(pa.field("extra", pa.string()))
    arrays.append(pa.array(extras, type=pa.string()))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def from_table(table: pa.Table) -> list[tuple[FacetRow, dict]]:
    plugin_fields = [f for f in table.schema if f.name not in CORE_COLUMNS]
    out = []
    for record in table.to_pylist():
        direct = DirectFacets(**{n: record[n] for n in DIRECT_FACETS if record.get(n) is not None})
        model = ModelFacets(**{n: record[n] for n in MODEL_FACETS if record.get(n) is not None})
        facets = {}
        for field in plugin_fields:
            value = record.get(field.name)
            if value is None:
                continue
            facets[field.name] = json.loads(value) if field.metadata == _JSON else value
        row = FacetRow(trace_id=record["trace_id"], tenant=record["tenant"], content_hash=record["content_hash"],
                       extractor_version=record["extractor_version"], direct=direct, model=model, facets=facets,
                       outcome=record.get("outcome"))
        out.append((row, json.loads(record["extra"]) if record.get("extra") else {}))
    return out


def write(path: Path, rows: Iterable[tuple[FacetRow, dict]], types: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_table(rows, types), path, compression="zstd")


def read(path: Path) -> list[tuple[FacetRow, dict]]:
    return from_table(pq.read_table(path))


class FacetCache:
    """Facets computed in earlier runs, by (content hash, extractor version). Appends one shard per run."""

    def __init__(self, directory: Path, types: dict[str, str] | None = None):
        self.directory = directory / "facets"
        self.types = types
        self._index: dict[tuple[str, str], tuple[FacetRow, dict]] | None = None
        self._new: list[tuple[FacetRow, dict]] = []

    def _load(self) -> dict[tuple[str, str], tuple[FacetRow, dict]]:
        if self._index is None:
            self._index = {}
            for shard in sorted(self.directory.glob("*.parquet")) if self.directory.exists() else []:
                for row, extra in read(shard):
                    self._index[(row.content_hash, row.extractor_version)] = (row, extra)
        return self._index

    def get(self, content_hash: str, version: str) -> tuple[FacetRow, dict] | None:
        return self._load().get((content_hash, version))

    def put(self, row: FacetRow, extra: dict) -> None:
        self._load()[(row.content_hash, row.extractor_version)] = (row, extra)
        self._new.append((row, extra))

    def save(self) -> None:
        if not self._new:
            return
        digest = hashlib.sha256("".join(r.content_hash for r, _ in self._new).encode()).hexdigest()[:16]
        write(self.directory / f"{digest}.parquet", self._new, self.types)
        self._new = []


class SourceManifest:
    """What a fingerprinted input produced last time: its traces (id, content hash) in order and its
    rejects. With the facets of every listed hash in the cache, a re-run needs no parsing at all."""

    def __init__(self, directory: Path, key: str):
        self.path = directory / "manifests" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def load(self) -> dict | None:
        if not self.path.exists():
            return None
        self.path.touch()  # a manifest read is a use: pruning keeps it
        return json.loads(self.path.read_text())

    def save(self, traces: list[tuple[str, str]], rejects: list[dict], rejected_traces: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".partial")
        partial.write_text(json.dumps({"traces": traces, "rejects": rejects, "rejected_traces": rejected_traces}))
        partial.replace(self.path)
