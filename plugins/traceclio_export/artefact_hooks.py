"""The export plugin's own extension point: one hook, called once per `traceclio export`, that every
artefact writer implements (monitors, eval cases, guardrail stubs here; a third party's writer, say a
Langfuse dataset push, registers the same way under the `traceclio` entry-point group).

Added to the plugin manager by the export command (pluggy accepts hookimpls registered before their
spec and checks them when it arrives), so core needs no change to gain it.
"""

from __future__ import annotations

from pathlib import Path

import pluggy
from pydantic import BaseModel

from traceclio_core.hookspecs import PROJECT
from traceclio_export.monitor import Monitor

hookspec = pluggy.HookspecMarker(PROJECT)


class ClusterExport(BaseModel):
    """What artefact writers receive: the distilled monitors and, per cluster id, its sanitised example
    task summaries (those that already passed the privacy thresholds). Nothing else from the run."""

    monitors: list[Monitor]
    examples: dict[str, list[str]]


@hookspec
def traceclio_export_artefacts(export: ClusterExport, out_dir: Path) -> list[str] | None:
    """Write one kind of artefact for the exported clusters, under `out_dir` (or to a store); return the
    paths or URIs written. Every plugin is called; write only aggregates, behaviour phrases and the
    examples given, never raw trace content."""


def add_to(pm: pluggy.PluginManager) -> pluggy.PluginManager:
    """Give `pm` this hook (once)."""
    caller = getattr(pm.hook, "traceclio_export_artefacts", None)
    if caller is None or caller.spec is None:
        import sys

        pm.add_hookspecs(sys.modules[__name__])
    return pm
