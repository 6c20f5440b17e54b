"""traceclio_export plugin: hook implementations (being written)."""
