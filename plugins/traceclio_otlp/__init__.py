"""Built-in source: OTLP trace files (JSON Lines, length-prefixed protobuf, zstd)."""
