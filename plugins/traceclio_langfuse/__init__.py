"""Langfuse: read observations into traces, sync named clusters back as scores and datasets."""
