"""traceclio_langfuse plugin: hook implementations (being written)."""
