"""Fixtures for the export tests: one real pipeline run on the code-built behaviours, exported once."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from behaviours import BEHAVIOURS, build  # noqa: E402
from builders import AgentRun, request, write_jsonl  # noqa: E402


@pytest.fixture(scope="session")
def export_cache(request, tmp_path_factory) -> Path:
    """The session's shared cache."""
    try:
        return request.getfixturevalue("cache_dir")
    except pytest.FixtureLookupError:
        return tmp_path_factory.mktemp("traceclio-cache")


def fresh_traces(path: Path, behaviours: dict[str, int], tag: str) -> Path:
    """Traces nobody has seen: new ids, a tenant the run never had."""
    requests = []
    for name, count in behaviours.items():
        for i in range(count):
            run = AgentRun(f"{tag}-{name}-{i}", dialect="genai" if i % 2 == 0 else "openinference",
                           user="Please help me with my booking.")
            BEHAVIOURS[name](run)
            requests.append(request(run.spans, tenant="fresh-tenant"))
    return write_jsonl(path, requests)


@pytest.fixture(scope="session")
def exported(tmp_path_factory, export_cache) -> SimpleNamespace:
    from traceclio_core import pipeline
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings
    from traceclio_monitors.exporting import export_run

    base = tmp_path_factory.mktemp("export")
    requests, truth = build()
    traces = write_jsonl(base / "traces.jsonl", requests)
    settings = Settings(out_dir=base / "run", cache_dir=export_cache, min_tenants=1, min_traces=3)
    pipeline.run([str(traces)], settings, plugin_manager())
    manifest = export_run(base / "run", base / "out", plugin_manager(), export_cache)
    return SimpleNamespace(
        base=base, run_dir=base / "run", out=base / "out", traces=traces, truth=truth, manifest=manifest,
        cache=export_cache,
        failing=fresh_traces(base / "failing.jsonl", {"retry_loop": 10, "hallucinated_call": 2}, "fresh-bad"),
        healthy=fresh_traces(base / "healthy.jsonl", {"healthy": 6}, "fresh-good"),
    )
