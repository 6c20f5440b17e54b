"""Shared fixtures: one cache directory per test session, so the static embedder is distilled once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """Facet, vector and model cache shared by the whole session (the static model is built here once)."""
    return tmp_path_factory.mktemp("traceclio-cache")
