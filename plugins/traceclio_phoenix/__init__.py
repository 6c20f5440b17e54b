"""Arize Phoenix: read traces from a Phoenix project, sync named clusters back."""
