"""How well exported monitors recognise failure behaviours on traces they were not distilled from.

Run the pipeline on synthetic traces (seed 1), export a monitor per surfaced failure leaf, generate fresh
traces with another seed, run the monitors on them and print, per failure behaviour, the best-matching
monitor's precision and recall against the known labels. Target: precision >= 0.9 and recall >= 0.8 for
behaviours whose clusters surfaced.

    .venv/bin/python bench/monitors.py --n 3000 --fresh-n 3000 --work /tmp/bench-monitors
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402
from traceclio_core import pipeline  # noqa: E402
from traceclio_core.plugins import plugin_manager  # noqa: E402
from traceclio_core.settings import Settings  # noqa: E402
from traceclio_monitors.exporting import export_run  # noqa: E402
from traceclio_monitors.fresh import evaluate, read_facets, settings_for  # noqa: E402
from traceclio_monitors.monitor import load_monitors  # noqa: E402

HEALTHY_TOP = "healthy_completion"
TARGET_PRECISION, TARGET_RECALL = 0.9, 0.8


def read_truth(path: Path) -> dict[str, dict]:
    return {r["trace_id"]: r for r in (json.loads(line) for line in path.read_text().splitlines() if line.strip())}


def home_clusters(run_dir: Path, truth: dict[str, dict]) -> dict[str, tuple[str | None, float, float]]:
    """Per label: the cluster holding most of its training traces, that cluster's purity (share of it with
    this label) and coverage (share of the label in it). A monitor tracks its cluster, so purity and
    coverage bound what a monitor can score against the label: this is the ceiling clustering leaves."""
    pairs = []
    for line in (run_dir / "assignments.jsonl").read_text().splitlines():
        record = json.loads(line)
        pairs.append((truth.get(record["trace_id"], {}).get("label"), record["cluster_id"]))
    sizes = Counter(cluster for _, cluster in pairs)
    totals = Counter(label for label, _ in pairs)
    joint = Counter(pairs)
    out = {}
    for label in totals:
        cluster = max((c for (lab, c) in joint if lab == label), key=lambda c: joint[(label, c)])
        out[label] = (cluster, joint[(label, cluster)] / sizes[cluster], joint[(label, cluster)] / totals[label])
    return out


def score(hits: list[bool], labels: list[str], label: str, also: list[list[str]]) -> tuple[float, float]:
    """Precision and recall against the label. A trace whose noise step carries the behaviour as well
    (truth's "also") is left out of both: firing on it is not wrong, missing it is not a miss."""
    kept = [(h, lab) for h, lab, extra in zip(hits, labels, also) if label not in extra]
    true = sum(1 for h, lab in kept if h and lab == label)
    fired, members = sum(1 for h, _ in kept if h), sum(1 for _, lab in kept if lab == label)
    return (true / fired if fired else 0.0), (true / members if members else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="training traces (seed --seed)")
    parser.add_argument("--fresh-n", type=int, default=3000, help="fresh traces (seed --fresh-seed)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh-seed", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-monitors"))
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--facets", default="evidence",
                        help="axis the training run clusters along (e.g. known_patterns, to follow the detectors)")
    args = parser.parse_args()
    work, cache = args.work, args.cache_dir or args.work / "cache"
    started = time.perf_counter()

    synthetic.write_dataset(str(work / "train"), args.n, args.seed)
    synthetic.write_dataset(str(work / "fresh"), args.fresh_n, args.fresh_seed)
    pm = plugin_manager()
    settings = Settings(out_dir=work / "run", cache_dir=cache, seed=0,
                        facets=tuple(f.strip() for f in args.facets.split(",") if f.strip()))
    pipeline.run([str(work / "train" / "traces.jsonl")], settings, pm)
    manifest = export_run(work / "run", work / "export", pm, cache)
    monitors = load_monitors(work / "export" / "monitors")
    t_export = time.perf_counter() - started

    fresh_settings = settings_for(monitors, cache)
    rows = read_facets([str(work / "fresh" / "traces.jsonl")], fresh_settings, pm)
    _, per_trace = evaluate(monitors, rows, fresh_settings, pm)
    truth = read_truth(work / "fresh" / "truth.jsonl")
    labels = [truth[row.trace_id]["label"] for row, _ in rows]
    also = [truth[row.trace_id].get("also", []) for row, _ in rows]
    tops = {r["label"]: r["top"] for r in truth.values()}
    home = home_clusters(work / "run", read_truth(work / "train" / "truth.jsonl"))
    by_cluster = {m.cluster.id: m for m in monitors}
    matched = {m.name: [m.name in fired for fired in per_trace] for m in monitors}

    failures = sorted(label for label, top in tops.items() if top != HEALTHY_TOP)
    print(f"{len(monitors)} monitors from {args.n} traces (seed {args.seed}); {len(rows)} fresh traces "
          f"(seed {args.fresh_seed}); {sum(m.method == 'centroid' for m in monitors)} fall back to a centroid")
    print("surfaced: the behaviour's home cluster (most of its training traces) was exported.  ceiling: that\n"
          "cluster's purity/coverage of the behaviour on the training run (what clustering leaves a monitor).\n"
          "home: its cluster's monitor on fresh traces.  best: the monitor with the best F1 on fresh traces.")
    print(f"{'behaviour':36} {'surf':>4} {'fresh':>5} | {'ceil P':>6} {'ceil R':>6} | {'home P':>6} {'home R':>6} | "
          f"{'best P':>6} {'best R':>6}  best monitor")
    met = surfaced_count = 0
    for label in failures:
        cluster, purity, coverage = home.get(label, (None, 0.0, 0.0))
        own = by_cluster.get(cluster)
        home_p, home_r = score(matched[own.name], labels, label, also) if own else (0.0, 0.0)
        best = max(((score(matched[m.name], labels, label, also), m) for m in monitors),
                   key=lambda item: 2 * item[0][0] * item[0][1] / (item[0][0] + item[0][1] or 1), default=None)
        (precision, recall), monitor = best if best else ((0.0, 0.0), None)
        surfaced = own is not None
        ok = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
        surfaced_count += surfaced
        met += surfaced and ok
        name = f"{monitor.name[:40]} ({monitor.method})" if monitor else "-"
        print(f"{label[:36]:36} {'yes' if surfaced else 'no':>4} {labels.count(label):>5} | {purity:6.2f} "
              f"{coverage:6.2f} | {home_p:6.2f} {home_r:6.2f} | {precision:6.2f} {recall:6.2f}  {name}"
              f"{' *' if surfaced and ok else ''}")
    fidelity = [(m.rule_quality.precision, m.rule_quality.recall) for m in monitors]
    print(f"rule fidelity to its cluster on the training run: mean precision "
          f"{sum(p for p, _ in fidelity) / max(1, len(fidelity)):.2f}, mean recall "
          f"{sum(r for _, r in fidelity) / max(1, len(fidelity)):.2f}")
    print(f"target (precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}; marked *) met for {met} of "
          f"{surfaced_count} surfaced failure behaviours; {len(manifest['files'])} files exported; "
          f"export {t_export:.0f} s, total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
