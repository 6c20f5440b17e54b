"""Discovery of behaviours nobody wrote rules for: run traceclio on a labelled trace set from a generator
the team does not read, and report, per new failure behaviour, its best leaf.

    python bench/discovery.py --data DIR [--detectors off] [--workdir W]

DIR holds `traces.jsonl` (OTLP) and `truth.jsonl` with one `{"trace_id", "label", "kind"}` per trace,
kind one of new_failure, lookalike, healthy, known_failure (the outside generator's format). For each
new failure: the leaf with the best F1 for it, that leaf's purity (share of its traces with the label)
and the behaviour's recall in it; discovered when purity >= 0.6 and recall >= 0.5. Also the share of
the behaviour's traces in leaves traceclio marks healthy (`"failing": false` in clusters.json), and in
leaves most of whose traces are healthy or look-alikes by the truth. TF-IDF + k-means over the raw
trace text with as many clusters, on the same traces, is the floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).parent))
from recovery import tfidf_baseline  # noqa: E402

from traceclio_core import pipeline  # noqa: E402
from traceclio_core.plugins import plugin_manager  # noqa: E402
from traceclio_core.settings import Settings  # noqa: E402

PURITY, RECALL = 0.6, 0.5
HEALTHY_KINDS = {"healthy", "lookalike"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(run_dir: Path, truth: list[dict]) -> dict:
    labels = {t["trace_id"]: t["label"] for t in truth}
    kinds = {t["label"]: t["kind"] for t in truth}
    assigned = {r["trace_id"]: r["cluster_id"] for r in read_jsonl(run_dir / "assignments.jsonl")}
    clusters = {c["id"]: c for c in json.loads((run_dir / "clusters.json").read_text())["clusters"]}
    members: dict[str, Counter] = defaultdict(Counter)
    for trace_id, cluster in assigned.items():
        if cluster is not None and trace_id in labels:
            members[cluster][labels[trace_id]] += 1
    healthy_by_truth = {c for c, counts in members.items()
                        if kinds[counts.most_common(1)[0][0]] in HEALTHY_KINDS}
    healthy_by_us = {c for c in members if clusters.get(c, {}).get("failing") is False}
    rows = []
    for label in sorted(name for name, kind in kinds.items() if kind == "new_failure"):
        total = sum(1 for t in labels.values() if t == label)
        best = max(members, key=lambda c: (2 * members[c][label] / (total + sum(members[c].values())), c),
                   default=None)
        inside = members[best][label] if best else 0
        purity = inside / sum(members[best].values()) if best else 0.0
        recall = inside / total
        mine = [c for t, c in assigned.items() if labels.get(t) == label]
        rows.append({
            "label": label, "traces": total, "leaf": best, "purity": round(purity, 3), "recall": round(recall, 3),
            "discovered": purity >= PURITY and recall >= RECALL,
            "in_healthy_leaves": round(sum(1 for c in mine if c in healthy_by_us) / total, 3),
            "in_truth_healthy_leaves": round(sum(1 for c in mine if c in healthy_by_truth) / total, 3),
            "title": clusters.get(best, {}).get("title", "") if best else "",
        })
    ids = sorted(labels)
    nmi = normalized_mutual_info_score([labels[t] for t in ids], [assigned.get(t) or f"none:{t}" for t in ids])
    traces_new = sum(r["traces"] for r in rows) or 1
    return {
        "rows": rows,
        "discovered": sum(r["discovered"] for r in rows),
        "behaviours": len(rows),
        "in_healthy_leaves": round(sum(r["in_healthy_leaves"] * r["traces"] for r in rows) / traces_new, 3),
        "in_truth_healthy_leaves": round(sum(r["in_truth_healthy_leaves"] * r["traces"] for r in rows) / traces_new, 3),
        "nmi": round(nmi, 3),
        "leaves": sum(1 for c in clusters.values() if c["level"] == 0 and c.get("surfaced", True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--detectors", choices=("on", "off"), default="off")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="traceclio-discovery-"))
    truth = read_jsonl(args.data / "truth.jsonl")
    settings = Settings(out_dir=root / "run", cache_dir=root / "cache", detectors=args.detectors == "on",
                        seed=args.seed)
    start = time.perf_counter()
    pipeline.run([str(args.data / "traces.jsonl")], settings, plugin_manager())
    elapsed = time.perf_counter() - start
    ours = evaluate(settings.out_dir, truth)
    clusters = json.loads((settings.out_dir / "clusters.json").read_text())["clusters"]
    k = sum(1 for c in clusters if c["level"] == 0)
    tfidf_baseline(args.data / "traces.jsonl", k, args.seed, root / "tfidf")
    (root / "tfidf" / "clusters.json").write_text(json.dumps({"clusters": [
        {**c, "failing": None} for c in json.loads((root / "tfidf" / "clusters.json").read_text())["clusters"]]}))
    floor = evaluate(root / "tfidf", truth)

    print(f"{len(truth)} traces, detectors {args.detectors}; traceclio took {elapsed:.1f} s, "
          f"{ours['leaves']} surfaced leaves\n")
    print(f"{'behaviour':<34}{'n':>5}{'purity':>8}{'recall':>8}{'found':>7}{'healthy':>9}{'tfidf':>7}  title")
    for mine, base in zip(ours["rows"], floor["rows"]):
        print(f"{mine['label'][:33]:<34}{mine['traces']:>5}{mine['purity']:>8.2f}{mine['recall']:>8.2f}"
              f"{'yes' if mine['discovered'] else 'no':>7}{mine['in_healthy_leaves']:>9.0%}"
              f"{'yes' if base['discovered'] else 'no':>7}  {mine['title'][:70]}")
    print(f"\ndiscovered: traceclio {ours['discovered']} of {ours['behaviours']}, TF-IDF {floor['discovered']} of "
          f"{floor['behaviours']} (purity >= {PURITY}, recall >= {RECALL})")
    print(f"new-failure traces in leaves traceclio calls healthy: {ours['in_healthy_leaves']:.1%}; in leaves mostly "
          f"healthy by the truth: {ours['in_truth_healthy_leaves']:.1%} (TF-IDF {floor['in_truth_healthy_leaves']:.1%})")
    print(f"NMI against all labels: traceclio {ours['nmi']:.3f}, TF-IDF {floor['nmi']:.3f}")


if __name__ == "__main__":
    main()
