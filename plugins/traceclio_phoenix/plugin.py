"""traceclio_phoenix plugin: hook implementations (being written)."""
