"""traceclio_anthropic plugin: hook implementations (being written)."""
