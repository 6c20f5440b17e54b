"""Chat transcripts (OpenAI messages format) as a trace source: one run per JSON line, or a JSON array of runs."""
