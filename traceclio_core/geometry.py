"""Where each trace sits for clustering: its rendered text embedded, beside its evidence phrases as
exact features.

Text embeddings blur exact evidence: "answer claims a change that no tool call made" and "answer reports a
change" embed close together though one is a failure and the other is not. So each distinct rendering
gets two parts, each of unit length: the embedding of its text, and a bag of its phrases weighted by
the phrase's own weight and by how rare it is in the run (inverse document frequency over traces), so
that a phrase a few percent of traces share counts for more than one every trace has. A small group
with a distinct deviation then stays apart from a frequent healthy shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from traceclio_core.facets import Phrase
from traceclio_core.render import join
from traceclio_core.vectors import VectorCache

# Share of the geometry given to the exact phrases (the rest to the text embedding), as squared length.
PHRASE_SHARE = 0.5
# Distinct renderings weighed at a time when their phrase bag is built.
BAG_BLOCK = 2048


class Geometry:
    """Distinct renderings of the rows, their clustering vectors and how many traces share each."""

    def __init__(self, renderings: Sequence[list[Phrase]], vectors: VectorCache, phrase_share: float = PHRASE_SHARE):
        index: dict[str, int] = {}
        self.position = [index.setdefault(join(r), len(index)) for r in renderings]
        self.texts = list(index)
        first = {}
        for i, p in enumerate(self.position):
            first.setdefault(p, i)
        self.phrases = [renderings[first[p]] for p in range(len(self.texts))]
        self.weights = np.bincount(self.position, minlength=len(self.texts)).astype(np.float64)
        embedded, self.computed = vectors.embed(self.texts)
        # Rounded so vectors from cache and fresh ones (batched differently) cluster identically.
        embedded = np.round(np.asarray(embedded, dtype=np.float32), 4)
        # The text embedding alone: unlike the phrase bag (weighted by this run's rarities) it means the same
        # in every run, so cluster centroids taken in it can be compared across runs (diff.py).
        self.embedded = embedded
        columns, cells = self._phrase_cells()
        if phrase_share <= 0 or columns == 0:
            self.vectors = embedded
            return
        # The two parts written side by side into one array (no bag and hstack copies beside it).
        self.vectors = np.empty((len(self.texts), embedded.shape[1] + columns), dtype=np.float32)
        self.vectors[:, :embedded.shape[1]] = embedded * math.sqrt(1 - phrase_share)
        self._fill_bag(cells, self.vectors[:, embedded.shape[1]:], math.sqrt(phrase_share))

    def _phrase_cells(self) -> tuple[int, list[dict[int, float]]]:
        """How many distinct phrases the run has, and each distinct rendering's phrase weights by column
        (a phrase said twice counts at its last weight)."""
        vocabulary: dict[str, int] = {}
        cells: list[dict[int, float]] = []
        for phrases in self.phrases:
            row: dict[int, float] = {}
            for phrase in phrases:
                row[vocabulary.setdefault(phrase.text, len(vocabulary))] = phrase.weight
            cells.append(row)
        return len(vocabulary), cells

    def _fill_bag(self, cells: list[dict[int, float]], out: np.ndarray, scale: float) -> None:
        """Each rendering's phrases weighted by rarity, as a unit vector to 4 decimals, times `scale`, into `out`."""
        # Traces having each phrase: sums of whole numbers, exact in any order.
        having = np.zeros(out.shape[1], dtype=np.float64)
        for row, weight in zip(cells, self.weights):
            for column, value in row.items():
                if value > 0:
                    having[column] += weight
        rarity = np.log((1 + self.weights.sum()) / (1 + having)) + 1.0
        # A block of rows at a time in float64: never a distinct-texts × phrases float64 matrix in memory.
        for start in range(0, len(cells), BAG_BLOCK):
            block = np.zeros((min(BAG_BLOCK, len(cells) - start), out.shape[1]), dtype=np.float64)
            for offset, row in enumerate(cells[start:start + BAG_BLOCK]):
                block[offset, list(row)] = list(row.values())
            block *= rarity
            norms = np.linalg.norm(block, axis=1, keepdims=True)
            unit = np.round(block / np.where(norms == 0, 1.0, norms), 4).astype(np.float32)
            out[start:start + len(block)] = unit * scale

    def _bag(self) -> np.ndarray:
        """The phrase bag alone (distinct renderings × phrases)."""
        columns, cells = self._phrase_cells()
        bag = np.zeros((len(self.texts), columns), dtype=np.float32)
        self._fill_bag(cells, bag, 1.0)
        return bag

    def trace_vectors(self) -> TraceVectors:
        return TraceVectors(self.vectors, self.position)

    def centroids(self, groups: dict[str, Sequence[int]]) -> dict[str, list[float]]:
        """Per group of row indices, the unit mean of its traces' text embeddings, to 4 decimals."""
        positions = np.asarray(self.position, dtype=np.int64)
        embedded = self.embedded.astype(np.float64)
        out = {}
        for name, member in groups.items():
            mean = np.bincount(positions[list(member)], minlength=len(self.texts)) @ embedded
            norm = np.linalg.norm(mean)
            out[name] = np.round(mean / norm if norm else mean, 4).tolist()
        return out


class TraceVectors:
    """Every trace's clustering vector, read from its distinct rendering's, never copied out as one
    traces × dimensions array: indexing (`tv[members]`, `tv[a:b]`) gives exactly the rows such an array
    would hold."""

    def __init__(self, vectors: np.ndarray, position: Sequence[int]):
        self.vectors = vectors
        self.position = np.asarray(position, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.position)

    def __getitem__(self, index) -> np.ndarray:
        return self.vectors[self.position[index]]
