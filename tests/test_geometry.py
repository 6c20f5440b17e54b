"""The clustering geometry built in blocks gives exactly what the whole-matrix formulas give."""

import math
import random
import zlib
from types import SimpleNamespace

import numpy as np

from traceclio_core import geometry, outliers
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets, Phrase
from traceclio_core.geometry import Geometry, TraceVectors


class _Vectors:
    """A vector cache stand-in: a fixed pseudo-random unit vector per text (the same in every process:
    `hash` of a str is salted per process)."""

    def embed(self, texts):
        out = []
        for text in texts:
            rng = np.random.default_rng(zlib.crc32(text.encode()))
            v = rng.normal(size=16)
            out.append(v / np.linalg.norm(v))
        return np.asarray(out), len(texts)


def _renderings(n: int, seed: int) -> list[list[Phrase]]:
    rng = random.Random(seed)
    vocabulary = [f"phrase {i}" for i in range(40)]
    out = []
    for _ in range(n):
        picked = rng.sample(vocabulary, rng.randint(0, 6))
        # Some phrases said twice (the last weight counts), some with no weight.
        if picked and rng.random() < 0.2:
            picked.append(picked[0])
        out.append([Phrase(text, weight=rng.choice([0.0, 0.5, 1.0, 2.0])) for text in picked])
    return out


def _dense_bag(geo: Geometry) -> np.ndarray:
    """The bag as one float64 matrix, the formula the blocks must reproduce."""
    vocabulary: dict[str, int] = {}
    for phrases in geo.phrases:
        for phrase in phrases:
            vocabulary.setdefault(phrase.text, len(vocabulary))
    bag = np.zeros((len(geo.texts), len(vocabulary)), dtype=np.float64)
    for row, phrases in enumerate(geo.phrases):
        for phrase in phrases:
            bag[row, vocabulary[phrase.text]] = phrase.weight
    having = ((bag > 0) * geo.weights[:, None]).sum(axis=0)
    bag *= np.log((1 + geo.weights.sum()) / (1 + having)) + 1.0
    norms = np.linalg.norm(bag, axis=1, keepdims=True)
    return np.round(bag / np.where(norms == 0, 1.0, norms), 4).astype(np.float32)


def test_the_phrase_bag_built_in_blocks_equals_the_whole_matrix(monkeypatch):
    renderings = _renderings(900, seed=3) * 2  # repeated renderings: weights above one
    monkeypatch.setattr(geometry, "BAG_BLOCK", 7)
    geo = Geometry(renderings, _Vectors())
    expected = _dense_bag(geo)
    assert geo.weights.max() > 1
    assert np.array_equal(geo._bag(), expected)
    # And the clustering vectors are the two parts side by side, each scaled by its share.
    share = geometry.PHRASE_SHARE
    assert np.array_equal(geo.vectors[:, geo.embedded.shape[1]:], (expected * math.sqrt(share)).astype(np.float32))


def test_trace_vectors_read_each_trace_from_its_distinct_rendering_without_a_copy():
    renderings = _renderings(300, seed=5)
    geo = Geometry(renderings + renderings[:50], _Vectors())
    whole = geo.vectors[geo.position]
    traces = geo.trace_vectors()
    assert isinstance(traces, TraceVectors) and len(traces) == len(whole) == 350
    members = [349, 0, 17, 300, 17]
    assert np.array_equal(traces[members], whole[members])
    assert np.array_equal(traces[10:60], whole[10:60])
    assert np.array_equal(traces[members].mean(axis=0), whole[members].mean(axis=0))


def test_outliers_found_with_distances_taken_in_blocks_are_those_of_one_pass(monkeypatch):
    rng = np.random.default_rng(0)
    rows = [FacetRow(trace_id=f"{i:032x}", tenant="t", content_hash=str(i), extractor_version="v",
                     direct=DirectFacets(), model=ModelFacets()) for i in range(500)]
    leaf_of = rng.integers(0, 4, size=500)
    leaves = [SimpleNamespace(id=f"L0-{c:03d}") for c in range(4)]
    members = {leaf.id: [int(i) for i in np.flatnonzero(leaf_of == c)] for c, leaf in enumerate(leaves)}
    geo = Geometry(_renderings(500, seed=9), _Vectors())
    traces = geo.trace_vectors()
    centroids = np.stack([traces[members[leaf.id]].mean(axis=0) for leaf in leaves])
    one_pass = outliers.find_outliers(rows, leaves, members, traces[0:500], centroids)
    monkeypatch.setattr(outliers, "DISTANCE_BLOCK", 33)
    assert outliers.find_outliers(rows, leaves, members, traces, centroids) == one_pass
    assert len(one_pass) >= 5 and all("far from its cluster's centre" in o["reasons"][0] for o in one_pass)


def test_every_row_that_says_a_phrase_holds_the_same_phrase_object():
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.render import Axis
    from traceclio_core.settings import Settings

    axis = Axis(Settings(facets=["completion_status", "tool_call_sequence"]), plugin_manager())
    rows = [FacetRow(trace_id=f"t{i}", tenant="t", content_hash=str(i), extractor_version="v", direct=DirectFacets(),
                     model=ModelFacets(tool_call_sequence="search → read" if i % 2 else "update"))
            for i in range(4)]
    first, second, third = (axis.phrases(r) for r in rows[:3])
    assert first[0] is second[0] is third[0]  # completion status: succeeded, in every row
    assert first[1] is third[1] and first[1] is not second[1] and first[1].text == "tool call sequence: update"
