"""Turn a tests/builders AgentRun into the one Trace model, through the real OTLP source."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from builders import AgentRun

from traceclio_core.model import Trace
from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings


def to_trace(run: AgentRun, tenant: str = "acme-logistics") -> Trace:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text(json.dumps(run.request(tenant)) + "\n")
        settings = Settings(out_dir=Path(tmp))
        rejects = RejectLog(Path(tmp) / "rejected.jsonl")
        pm = plugin_manager()
        traces = [t for s in pm.hook.traceclio_load_traces(locations=[str(path)], settings=settings,
                                                            rejects=rejects) if s for t in s]
        rejects.close()
    assert len(traces) == 1
    return traces[0]
