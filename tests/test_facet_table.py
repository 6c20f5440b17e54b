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


def test_rows_read_from_a_table_share_each_column_name_and_short_text(tmp_path):
    """A cached run holds every row at once: the keys and the repeated short values are one object each."""
    rows = [row(n, tool_names=["lookup_order", "refund"], answer_form="prose", note="x" * 200) for n in range(6)]
    path = tmp_path / "facets.parquet"
    facet_table.write(path, rows, {})
    read = facet_table.read(path)
    assert read == rows
    first, second = read[0][0], read[1][0]
    assert [a is b for a, b in zip(first.facets, second.facets)] == [True] * len(first.facets)
    assert first.facets["answer_form"] is second.facets["answer_form"]
    assert first.facets["tool_names"][1] is second.facets["tool_names"][1]
    assert first.facets["tool_names"] is not second.facets["tool_names"]  # a row's list stays its own
    assert first.extractor_version is second.extractor_version and first.tenant is second.tenant
    assert first.facets["note"] is not second.facets["note"]  # long texts are not looked up


def test_rows_from_a_worker_share_their_equal_short_texts():
    rows = [row(n, answer_form="".join(["pro", "se"]), claims=["".join(["look", "up"])]) for n in range(3)]
    assert rows[0][0].facets["answer_form"] is not rows[1][0].facets["answer_form"]
    facet_table.share_texts(rows)
    assert rows[0][0].facets["answer_form"] is rows[2][0].facets["answer_form"] == "prose"
    assert rows[0][0].facets["claims"][0] is rows[1][0].facets["claims"][0] == "lookup"


def test_models_given_the_same_fields_share_one_set_of_their_names_through_a_pickle(tmp_path):
    import pickle

    path = tmp_path / "facets.parquet"
    facet_table.write(path, [row(n, answer_form="prose") for n in range(1, 5)], {})
    read = facet_table.read(path)
    first, second = read[0][0], read[1][0]
    for a, b in ((first, second), (first.direct, second.direct), (first.model, second.model)):
        assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    assert "turn_count" in first.direct.model_fields_set
    # A worker's rows share them too, and keep sharing them once unpickled in the parent.
    rows = facet_table.share_texts([row(n) for n in range(3)])
    back = pickle.loads(pickle.dumps(rows))
    assert back[0][0].direct.__pydantic_fields_set__ is back[2][0].direct.__pydantic_fields_set__
    assert back[0][0].__pydantic_fields_set__ is not back[0][0].direct.__pydantic_fields_set__
    assert back == rows
