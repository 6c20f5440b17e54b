"""Shared fixtures: one cache directory per test session, so facets and vectors computed once are reused."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """Facet and vector cache shared by the whole session."""
    return tmp_path_factory.mktemp("traceclio-cache")
