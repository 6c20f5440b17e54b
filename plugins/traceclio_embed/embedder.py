"""The built-in embedders, chosen by `--embedder`:

- "static-minilm" (default): all-MiniLM-L6-v2 distilled into a static model that ships with traceclio,
  run with numpy (static.py); no torch, no hub, 40-70x faster than the transformer at equal clustering
  quality.
- "minilm": the packaged transformer itself, and any other sentence-transformers model name or path
  (transformer.py); these need the `transformers` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:
    from traceclio_core.settings import Settings

STATIC = "static-minilm"

_loaded: dict[str, object] = {}


def build_embedder(name: str):
    if name == STATIC:
        from traceclio_embed.static import StaticEmbedder

        return StaticEmbedder()
    from traceclio_embed.transformer import SentenceEmbedder

    return SentenceEmbedder(name)


@hookimpl(trylast=True)
def traceclio_embedder(settings: Settings):
    # Loading a model costs time; one process (a test session, a benchmark) loads each once.
    if settings.embedder not in _loaded:
        _loaded[settings.embedder] = build_embedder(settings.embedder)
    return _loaded[settings.embedder]
