"""report.html: an analyst's explorer of the run in one self-contained file (data, script and style
inline; it opens from file:// with no network).

The page (report.html, report.css, report.js beside this module) shows a map of the leaves, the tree
with its filters, a page per cluster (what sets it apart, its measures against the run, its known
patterns, its monitor, exemplar timelines), the outliers, suppressed clusters as counts only, and the
changes against a baseline run when `result.summary["diff"]` holds them. The data it embeds is built
by report_data.py and grows with the clusters, not the traces.

Monitors: `traceclio export` writes `monitors/*.monitor.json` after a run. A cluster page links its
monitor when that folder is in the run directory, or in the export directory given as
`--plugin-option html_report.export_dir=EXPORT` (a re-run with warm caches takes seconds).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from traceclio_core.hookspecs import hookimpl

if TYPE_CHECKING:  # imported for annotations only: loading the plugin stays light (`traceclio --help`)
    from traceclio_core.hierarchy import ClusterNode, RunResult
    from traceclio_core.settings import Settings

ASSETS = Path(__file__).parent
PLUGIN = "html_report"  # its name in the `traceclio` entry-point group, and in --plugin-option


def find_monitors(settings: Settings, clusters: list[ClusterNode]) -> dict[str, dict]:
    """Cluster id → the exported monitor for it, from `monitors/` in the run directory or the export
    directory the options name; a monitor whose cluster no longer has the same title is left out (the
    export came from another run)."""
    out_dir = Path(settings.out_dir)
    folders = [out_dir / "monitors"]
    export_dir = settings.plugin_options.get(PLUGIN, {}).get("export_dir")
    if export_dir:
        folders.append(Path(export_dir) / "monitors")
    titles = {n.id: n.title for n in clusters if n.surfaced}
    found: dict[str, dict] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.monitor.json")) if folder.is_dir() else []:
            try:
                monitor = json.loads(path.read_text(encoding="utf-8"))
                cluster = monitor["cluster"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if titles.get(cluster.get("id")) != cluster.get("title"):
                continue
            quality = monitor.get("rule_quality") or {}
            found.setdefault(cluster["id"], {
                "name": monitor.get("name", path.stem), "method": monitor.get("method", ""),
                "expression": monitor.get("expression", ""), "precision": quality.get("precision"),
                "recall": quality.get("recall"), "baseline": (monitor.get("baseline") or {}).get("rate"),
                "href": Path(os.path.relpath(path.resolve(), out_dir.resolve())).as_posix(),
            })
    return found


def _script_safe(data: dict) -> str:
    """JSON that cannot end the <script> element it sits in, nor open a comment or markup there."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_report(result: RunResult, settings: Settings) -> str:
    from traceclio_outputs.report_data import report_data

    data = report_data(result, settings, find_monitors(settings, result.clusters))
    page = (ASSETS / "report.html").read_text(encoding="utf-8")
    for marker, text in (("/*REPORT_CSS*/", (ASSETS / "report.css").read_text(encoding="utf-8")),
                         ("/*REPORT_JS*/", (ASSETS / "report.js").read_text(encoding="utf-8")),
                         ("/*REPORT_DATA*/", _script_safe(data))):
        page = page.replace(marker, text, 1)
    return page


@hookimpl(trylast=True)
def traceclio_write_run_outputs(result: RunResult, settings: Settings) -> list[str]:
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    path = settings.out_dir / "report.html"
    path.write_text(render_report(result, settings), encoding="utf-8")
    return [str(path)]
