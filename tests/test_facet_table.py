"""The fact table written a row group at a time, and the facet cache read by key."""

from __future__ import annotations

import pyarrow.parquet as pq

from traceclio_core import facet_table
from traceclio_core.facet_table import FacetCache
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets


def row(n: int, version: str = "v1", **facets) -> tuple[FacetRow, dict]:
    return (FacetRow(trace_id=f"t{n}", tenant="acme", content_hash=f"h{n}", extractor_version=version,
                     direct=DirectFacets(turn_count=n), model=ModelFacets(), facets=facets),
            {"note": n} if n % 7 == 0 else {})


def test_a_table_written_in_row_groups_reads_back_as_one_table_of_the_same_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(facet_table, "ROWS_PER_GROUP", 10)
    # An undeclared facet that is empty in the first row group and a number in a later one, and one whose
    # values Arrow cannot type: both must keep one type across the groups.
    rows = [row(n, **({"score": n} if n >= 15 else {}), shape=({"a": n} if n % 2 else [n])) for n in range(35)]
    path = tmp_path / "facets.parquet"
    facet_table.write(path, rows, {})
    assert pq.ParquetFile(path).metadata.num_row_groups == 4
    assert pq.read_table(path).schema == facet_table.to_table(rows, {}).schema
    assert facet_table.read(path) == rows


def test_the_cache_finds_rows_by_key_across_shards_and_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(facet_table, "ROWS_PER_GROUP", 4)
    first = FacetCache(tmp_path)
    for n in range(10):
        first.put(*row(n))
    first.save()
    assert first.get("h3", "v1") == row(3)  # saved rows are read back from their shard
    second = FacetCache(tmp_path)
    for n in range(10, 13):
        second.put(*row(n, version="v2"))
    second.save()
    later = FacetCache(tmp_path)
    assert ("h9", "v1") in later and ("h9", "v2") not in later
    found = later.get_many([("h1", "v1"), ("h9", "v1"), ("h11", "v2"), ("missing", "v1")])
    assert found == {("h1", "v1"): row(1), ("h9", "v1"): row(9), ("h11", "v2"): row(11, version="v2")}
