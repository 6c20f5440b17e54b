"""Facet ablation: re-cluster a run's fact table with one facet blanked at a time and score each, to see
what every facet of the clustering axis is worth (the Clio recipe's test of whether a facet earns its cost)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from traceclio_core import facet_table, pipeline
from traceclio_core.facets import DirectFacets, FacetRow, ModelFacets
from traceclio_core.plugins import plugin_manager
from traceclio_core.score import score_run
from traceclio_core.settings import Settings

# The facets the default "behavior" axis reads (see render.py).
BEHAVIOR_FACETS = ("failure_mode", "completion_status", "reasoning_pattern", "error_classes", "max_recursion_depth")


def blank(row: FacetRow, facet: str) -> FacetRow:
    if facet in ModelFacets.model_fields:
        return row.model_copy(update={"model": row.model.model_copy(update={facet: ModelFacets.model_fields[facet].default})})
    default = DirectFacets.model_fields[facet].get_default(call_default_factory=True)
    return row.model_copy(update={"direct": row.direct.model_copy(update={facet: default})})


def ablate_facets(run_dir: Path, truth: Path, settings: Settings, facets: tuple[str, ...] = BEHAVIOR_FACETS) -> str:
    """A table: leaf recovery and NMI with all facets, then without each one."""
    rows = facet_table.read(run_dir / facet_table.FILE_NAME)
    lines = [f"{'without':<22} {'leaf':>6} {'NMI':>6} {'clusters':>8}"]
    with tempfile.TemporaryDirectory() as scratch:
        for facet in ("(nothing)",) + facets:
            variant = rows if facet == "(nothing)" else [(blank(r, facet), extra) for r, extra in rows]
            out = Path(scratch) / facet
            run_settings = settings.model_copy(update={"out_dir": out})
            pm = plugin_manager()
            result = pipeline.cluster_rows(variant, run_settings, pm, pipeline.Silent(), pipeline.StageClock())
            result.summary["traces_read"] = len(rows)
            pipeline.finish(result, run_settings, pm, pipeline.Silent(), pipeline.StageClock())
            score = score_run(out, truth)
            lines.append(f"{facet:<22} {score.leaf:6.3f} {score.nmi:6.3f} {score.leaf_clusters:8d}")
    return "\n".join(lines)
