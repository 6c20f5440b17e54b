"""Recovery on held-out synthetic families and fresh seeds, beside two baselines run on the same traces:
random guessing, and TF-IDF over the raw trace text with k-means (no facets).

    python bench/recovery.py                  # n=5000, held-out families, seed 101
    python bench/recovery.py --n 2000 --seed 7 --split all
    python bench/recovery.py --detectors off  # discovery: the evidence alone
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from traceclio_core import pipeline, recovery
from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_core.score import score_run
from traceclio_core.settings import Settings
from traceclio_otlp.source import traceclio_load_traces


def raw_text(trace) -> str:
    """Everything a trace says, as one document: names, messages, tool arguments, results and errors."""
    parts = []
    for span in trace.spans:
        parts += [span.name, span.tool_name or "", span.tool_arguments or "", (span.tool_result or "")[:2000],
                  span.error_message or "", span.input_text or "", span.output_text or ""]
        parts += [m.content for m in span.input_messages + span.output_messages]
    return " ".join(p for p in parts if p)


def tfidf_baseline(traces_path: Path, k: int, seed: int, out: Path) -> None:
    traces = list(traceclio_load_traces([str(traces_path)], Settings(), RejectLog()))
    matrix = TfidfVectorizer(max_features=50_000, sublinear_tf=True).fit_transform(raw_text(t) for t in traces)
    labels = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(matrix)
    out.mkdir(parents=True, exist_ok=True)
    (out / "assignments.jsonl").write_text("".join(
        json.dumps({"trace_id": t.trace_id, "cluster_id": f"T{label}"}) + "\n" for t, label in zip(traces, labels)))
    clusters = [{"id": f"T{c}", "level": 0, "surfaced": True, "title": "", "description": "", "size": 0}
                for c in sorted(set(labels.tolist()))]
    (out / "clusters.json").write_text(json.dumps({"clusters": clusters}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--split", default="heldout")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--detectors", choices=("on", "off"), default="on",
                        help="off: the evidence alone, no known-pattern detectors (discovery)")
    args = parser.parse_args()
    import synthetic

    root = args.workdir or Path(tempfile.mkdtemp(prefix="traceclio-recovery-"))
    data = root / f"{args.split}-{args.n}-{args.seed}"
    if not (data / "truth.jsonl").exists():
        synthetic.write_dataset(data, args.n, args.seed, split=args.split)
    settings = Settings(out_dir=root / "run", cache_dir=root / "cache", detectors=args.detectors == "on")
    start = time.perf_counter()
    pipeline.run([str(data / "traces.jsonl")], settings, plugin_manager())
    elapsed = time.perf_counter() - start
    ours = score_run(settings.out_dir, data / "truth.jsonl", recovery.behaviour_descriptions(),
                     recovery.label_embedder(settings))
    # The baseline gets as many clusters as traceclio made (surfaced or not), so neither buys leaf recovery
    # with more of them.
    clusters = json.loads((settings.out_dir / "clusters.json").read_text())["clusters"]
    k = sum(1 for c in clusters if c["level"] == 0)
    tfidf_baseline(data / "traces.jsonl", k, args.seed, root / "tfidf")
    baseline = score_run(root / "tfidf", data / "truth.jsonl")

    print(f"{args.n} traces, {args.split} families, seed {args.seed}, detectors {args.detectors}; "
          f"traceclio took {elapsed:.1f} s\n")
    print(f"{'':<28}{'leaf':>7}{'top':>7}{'ARI':>7}{'NMI':>7}{'clusters':>10}{'label':>8}")
    print(f"{'traceclio (offline default)':<28}{ours.leaf:7.3f}{ours.top:7.3f}{ours.ari:7.3f}{ours.nmi:7.3f}"
          f"{ours.leaf_clusters:10d}{ours.label:8.3f}")
    print(f"{'TF-IDF raw text + k-means':<28}{baseline.leaf:7.3f}{baseline.top:7.3f}{baseline.ari:7.3f}"
          f"{baseline.nmi:7.3f}{baseline.leaf_clusters:10d}{'':>8}")
    print(f"{'random guessing':<28}{ours.random_baseline:7.3f}")
    print(f"label recovery chance rate {ours.label_chance:.3f}; "
          f"{ours.leaf_clusters / ours.behaviours:.2f} leaf clusters per behaviour\n")
    print(ours.table())


if __name__ == "__main__":
    main()
