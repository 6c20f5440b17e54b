"""The default embedder, "static-minilm": all-MiniLM-L6-v2 distilled into a static model, run with numpy.

The model (a token → vector table and its tokenizer) ships as package data in static_minilm_256/, built
by build_static.py; loading it needs numpy, tokenizers and safetensors, no torch. A text's vector is the
mean of its tokens' rows, L2-normalised, with the float16 roundings of sentence-transformers'
StaticEmbedding, through which this embedder ran before. The vectors are that path's: bit-identical on
all 2,697 texts the sample traces render to, and at most one float16 step apart where torch's own
reduction order moves a rounding (tests/test_static_embedder.py compares). So the model id, the vector
cache's key, is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from traceclio_core.errors import ConfigurationError

from traceclio_embed.transformer import MINILM_SHA256

PACKAGED_STATIC = Path(__file__).with_name("static_minilm_256")
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")
STATIC_DIMS = 256
# sha256 of static_minilm_256/model.safetensors as build_static.py writes it, and the id the vector cache
# files its vectors under (the id this model had when it was distilled at first run). New weights, new id.
STATIC_SHA256 = "434a61ccd969968fc321ef07dc6507c920fc494c709af74dbaa675f75397be0c"
STATIC_MODEL_ID = f"static-minilm-{STATIC_DIMS}:{MINILM_SHA256[:12]}"


def _checked(folder: Path) -> Path:
    missing = [name for name in MODEL_FILES if not (folder / name).exists()]
    if missing:
        raise ConfigurationError(f"the static model at {folder} lacks {', '.join(missing)}: reinstall traceclio, "
                                 "or rebuild it with `python -m traceclio_embed.build_static`")
    digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
    if digest != STATIC_SHA256:
        raise ConfigurationError(f"the static model at {folder} has sha256 {digest}, expected {STATIC_SHA256}")
    return folder


# Texts tokenised at a time.
ENCODE_BATCH = 512


class StaticEmbedder:
    """Token-mean vectors from the packaged static model; numpy does the arithmetic."""

    model_id = STATIC_MODEL_ID

    def __init__(self, folder: Path = PACKAGED_STATIC):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = _checked(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # truncation (512 tokens) stays, as StaticEmbedding kept it
        # float16 on disk; summed in float32, as torch sums float16 rows.
        self.table = load_file(str(folder / "model.safetensors"))["embeddings"].astype(np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        means = np.zeros((len(texts), self.table.shape[1]), dtype=np.float16)
        # A batch of texts at a time: an encoding holds every token's text and offsets besides its ids
        # (tens of KB for a long rendering), so tens of thousands at once cost gigabytes.
        for start in range(0, len(texts), ENCODE_BATCH):
            encodings = self.tokenizer.encode_batch(texts[start:start + ENCODE_BATCH], add_special_tokens=False)
            for row, encoding in enumerate(encodings, start=start):
                ids = encoding.ids
                if ids:
                    # Row by row in float32, rounded to float16, then divided: torch's float16 embedding-bag
                    # mean, in its order and with its roundings.
                    total = self.table[ids].sum(axis=0).astype(np.float16)
                    means[row] = total.astype(np.float32) / np.float32(len(ids))
        wide = means.astype(np.float32)
        # The norm and the quotient rounded to float16 as well, as torch normalises a float16 batch.
        norms = np.sqrt(np.einsum("ij,ij->i", wide, wide)).astype(np.float16).astype(np.float32)
        # A text with no tokens gets a zero vector (StaticEmbedding divided 0 by 0 and gave NaN).
        unit = wide / np.maximum(norms, np.float32(1e-12))[:, None]
        return unit.astype(np.float16).astype(np.float32)
