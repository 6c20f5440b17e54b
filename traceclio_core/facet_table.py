"""The facet fact table: the contract between extraction and clustering.

One Parquet row per trace, keyed by trace id, stamped with the trace's content hash and the extractor
version. Clustering reads this table, never raw traces, so another facet axis costs no re-read. The
same rows, keyed by (content hash, extractor version), form the cross-run cache.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from traceclio_core.facets import DIRECT_FACETS, MODEL_FACETS, DirectFacets, FacetRow, ModelFacets
from traceclio_core.model import Trace

FILE_NAME = "facets.parquet"
# Rows per Parquet row group: what is converted at a time when writing, and read to answer a cache hit.
ROWS_PER_GROUP = 4096
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


def schema(rows: list[tuple[FacetRow, dict]], types: dict[str, str] | None = None) -> pa.Schema:
    """The fact table's columns for `rows`: what `to_table` would give them, found without building it
    (only a plugin facet with no declared type is read over every row, to infer its type)."""
    fields = _core_fields()
    for name in sorted({name for row, _ in rows for name in row.facets} - set(CORE_COLUMNS)):
        declared = (types or {}).get(name)
        if declared in _ARROW_TYPES:
            fields.append(pa.field(name, _ARROW_TYPES[declared]))
        else:
            fields.append(_plugin_column(name, [row.facets.get(name) for row, _ in rows], declared)[0])
    return pa.schema([*fields, pa.field("extra", pa.string())])


def to_table(rows: Iterable[tuple[FacetRow, dict]], types: dict[str, str] | None = None,
             columns_of: pa.Schema | None = None) -> pa.Table:
    """The fact table: the core columns, then one column per plugin facet (sorted by name), then `extra`.
    `types` declares plugin facets' column types (see FacetSpec); undeclared ones are inferred, unless
    `columns_of` (the `schema` of a larger set of rows) gives every column and its type."""
    rows = rows if isinstance(rows, list) else list(rows)
    return _fixed_table(rows, columns_of if columns_of is not None else schema(rows, types))


def _core_values(row: FacetRow, extra: dict) -> dict:
    values = {"trace_id": row.trace_id, "tenant": row.tenant, "outcome": row.outcome,
              "content_hash": row.content_hash, "extractor_version": row.extractor_version}
    for name in DIRECT_FACETS:
        values[name] = getattr(row.direct, name)
    for name in MODEL_FACETS:
        value = getattr(row.model, name)
        values[name] = value if isinstance(value, int) else str(value)
    values["extra"] = json.dumps(extra, sort_keys=True) if extra else None
    return values


def _fixed_table(rows: list[tuple[FacetRow, dict]], columns_of: pa.Schema) -> pa.Table:
    core = [_core_values(row, extra) for row, extra in rows]
    arrays = []
    for field in columns_of:
        if field.name in CORE_COLUMNS:
            values = [c[field.name] for c in core]
        else:
            values = [row.facets.get(field.name) for row, _ in rows]
            if field.metadata == _JSON:
                values = [None if v is None else json.dumps(v, sort_keys=True) for v in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.Table.from_arrays(arrays, schema=columns_of)


# Texts up to this long are shared between the rows read from a table.
SHARED_CHARS = 64


def _shared(value, seen: dict):
    """A short text (or a list of them) as one object for every row that holds it: a facet's values repeat
    across rows (a tool name, an error class), and Arrow gives each row a copy of its own."""
    if isinstance(value, str):
        return seen.setdefault(value, value) if len(value) <= SHARED_CHARS else value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [seen.setdefault(v, v) if isinstance(v, str) and len(v) <= SHARED_CHARS else v for v in value]
    return value


def share_fields_set(model, seen: dict) -> None:
    """The names of the fields a pydantic model was given, as one set object for every model given the
    same names: pydantic keeps such a set on each instance (728 bytes for a row's 16 direct facets, three
    sets a row), and nothing in traceclio reads it (no `exclude_unset`). Pickled together, rows keep
    sharing it."""
    names = model.__pydantic_fields_set__
    object.__setattr__(model, "__pydantic_fields_set__", seen.setdefault(frozenset(names), names))


def share_row(row: FacetRow, seen: dict) -> None:
    for model in (row, row.direct, row.model):
        share_fields_set(model, seen)


def share_texts(rows: list[tuple[FacetRow, dict]]) -> list[tuple[FacetRow, dict]]:
    """The rows, their facets' short texts made one object per distinct text and their models' field-name
    sets one per distinct set (in place): rows sent from a worker then carry each once per shard, not once
    per row."""
    seen: dict[str, str] = {}
    sets: dict[frozenset, set] = {}
    for row, _ in rows:
        facets = row.facets
        for name, value in facets.items():
            if isinstance(value, (str, list)):
                facets[name] = _shared(value, seen)
        share_row(row, sets)
    return rows


def from_table(table: pa.Table) -> list[tuple[FacetRow, dict]]:
    # Each column's name once, as the key of every row's facets (a cached run reads thousands of rows).
    plugin_fields = [(sys.intern(f.name), f.metadata == _JSON) for f in table.schema if f.name not in CORE_COLUMNS]
    seen: dict[str, str] = {}
    sets: dict[frozenset, set] = {}
    out = []
    for record in table.to_pylist():
        direct = DirectFacets(**{n: _shared(record[n], seen) for n in DIRECT_FACETS if record.get(n) is not None})
        model = ModelFacets(**{n: record[n] for n in MODEL_FACETS if record.get(n) is not None})
        facets = {}
        for name, as_json in plugin_fields:
            value = record.get(name)
            if value is None:
                continue
            facets[name] = json.loads(value) if as_json else _shared(value, seen)
        row = FacetRow(trace_id=record["trace_id"], tenant=_shared(record["tenant"], seen),
                       content_hash=record["content_hash"],
                       extractor_version=seen.setdefault(record["extractor_version"], record["extractor_version"]),
                       direct=direct, model=model, facets=facets,
                       outcome=record.get("outcome"))
        share_row(row, sets)
        out.append((row, json.loads(record["extra"]) if record.get("extra") else {}))
    return out


def write(path: Path, rows: Iterable[tuple[FacetRow, dict]], types: dict[str, str] | None = None) -> None:
    """The fact table, converted and written a row group at a time (never one Arrow table of every row)."""
    rows = rows if isinstance(rows, list) else list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = schema(rows, types)
    with pq.ParquetWriter(path, columns, compression="zstd") as writer:
        for start in range(0, max(len(rows), 1), ROWS_PER_GROUP):
            writer.write_table(to_table(rows[start:start + ROWS_PER_GROUP], columns_of=columns),
                               row_group_size=ROWS_PER_GROUP)
    release_memory()


def release_memory() -> None:
    """Hand back to the system the memory freed allocators keep: Arrow's after the tables it held are gone
    (about 9 KB per row written), and the C heap's after many small objects were freed (glibc keeps the
    pages: 100,000 rows unpickled from workers left 180 MB of them, rows read from a table 700 MB). It
    would otherwise stay in the process while clustering grows beside it."""
    pa.default_memory_pool().release_unused()
    trim = _heap_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _heap_trim():
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def read(path: Path) -> list[tuple[FacetRow, dict]]:
    rows = from_table(pq.read_table(path))
    release_memory()
    return rows


class FacetCache:
    """Facets computed in earlier runs, by (content hash, extractor version). Appends one shard per run.

    Looked up by key, never loaded whole: the first lookup reads only the two key columns of each shard
    (an index of where each row lies), and a hit reads the row group that holds it. A cache that many
    runs have filled costs a run what its own traces need."""

    def __init__(self, directory: Path, types: dict[str, str] | None = None):
        self.directory = directory / "facets"
        self.types = types
        self._where: dict[tuple[str, str], tuple[Path, int, int]] | None = None  # key -> shard, row group, row
        self._fresh: dict[tuple[str, str], tuple[FacetRow, dict]] = {}  # put during this run
        self._new: list[tuple[FacetRow, dict]] = []

    def _index(self) -> dict[tuple[str, str], tuple[Path, int, int]]:
        if self._where is None:
            self._where = {}
            for shard in sorted(self.directory.glob("*.parquet")) if self.directory.exists() else []:
                parquet = pq.ParquetFile(shard)
                for group in range(parquet.metadata.num_row_groups):
                    keys = parquet.read_row_group(group, columns=["content_hash", "extractor_version"]).to_pydict()
                    for row, key in enumerate(zip(keys["content_hash"], keys["extractor_version"])):
                        self._where[key] = (shard, group, row)  # a later shard's row wins, as before
        return self._where

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._fresh or key in self._index()

    def get(self, content_hash: str, version: str) -> tuple[FacetRow, dict] | None:
        return self.get_many([(content_hash, version)]).get((content_hash, version))

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[FacetRow, dict]]:
        """The cached rows of those `keys` that are cached, each row group read once."""
        found: dict[tuple[str, str], tuple[FacetRow, dict]] = {}
        wanted: dict[tuple[Path, int], list[tuple[int, tuple[str, str]]]] = {}
        where = self._index()
        for key in keys:
            if key in self._fresh:
                found[key] = self._fresh[key]
            elif key in where:
                shard, group, row = where[key]
                wanted.setdefault((shard, group), []).append((row, key))
        for (shard, group), rows in wanted.items():
            table = pq.ParquetFile(shard).read_row_group(group).take([row for row, _ in rows])
            found.update(zip((key for _, key in rows), from_table(table)))
        if wanted:
            release_memory()
        return found

    def put(self, row: FacetRow, extra: dict) -> None:
        self._fresh[(row.content_hash, row.extractor_version)] = (row, extra)
        self._new.append((row, extra))

    def save(self) -> None:
        """Write the rows put since the last save as a shard; from now on they are read from it."""
        if not self._new:
            return
        digest = hashlib.sha256("".join(r.content_hash for r, _ in self._new).encode()).hexdigest()[:16]
        shard = self.directory / f"{digest}.parquet"
        write(shard, self._new, self.types)
        where = self._index()
        for number, (row, _) in enumerate(self._new):
            where[(row.content_hash, row.extractor_version)] = (shard, *divmod(number, ROWS_PER_GROUP))
        self._new, self._fresh = [], {}


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
