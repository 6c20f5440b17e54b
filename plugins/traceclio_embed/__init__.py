"""Built-in embedders: a packaged static MiniLM run with numpy (default), or sentence-transformers models (extra)."""
