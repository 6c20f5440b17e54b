"""Store tests: a real Phoenix server from its own venv, and the tests/ folder on sys.path for builders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
for folder in (TESTS, HERE):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from phoenix_server import PhoenixServer, start_phoenix  # noqa: E402


@pytest.fixture(scope="session")
def phoenix_server(tmp_path_factory) -> PhoenixServer:
    """A Phoenix server on free loopback ports with an in-memory database, stopped by its PID at the end.

    Fails (never skips) when .venv-phoenix is missing: run .ci/setup-phoenix.sh first.
    """
    server = start_phoenix(tmp_path_factory.mktemp("phoenix"))
    try:
        yield server
    finally:
        server.stop()
