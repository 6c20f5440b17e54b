"""What generated eval modules import: which traces of an agent run show a monitor's behaviour."""

from __future__ import annotations

from pathlib import Path

from traceclio_core.plugins import plugin_manager
from traceclio_monitors.fresh import evaluate, read_facets, settings_for
from traceclio_monitors.monitor import load_monitor


def monitor_hits(monitor_path: Path, locations: list[str], cache_dir: Path) -> list[str]:
    """Trace ids (of the traces under test) on which the monitor fires, in reading order."""
    monitor = load_monitor(monitor_path)
    pm = plugin_manager()
    settings = settings_for([monitor], cache_dir)
    rows = read_facets([str(p) for p in locations], settings, pm)
    _, per_trace = evaluate([monitor], rows, settings, pm)
    return [row.trace_id for (row, _), fired in zip(rows, per_trace) if fired]
