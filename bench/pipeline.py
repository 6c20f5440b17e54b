"""Pipeline throughput: traces/s per stage and peak RSS on N synthetic traces, then a re-run on the same
traces (everything cached) with its time as a ratio of the first.

    python bench/pipeline.py                 # 10,000 traces
    python bench/pipeline.py --n 100000      # the 10-minute target
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from pathlib import Path

from traceclio_core import pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--workdir", type=Path, default=None, help="keep data and caches here")
    args = parser.parse_args()
    import synthetic

    root = args.workdir or Path(tempfile.mkdtemp(prefix="traceclio-bench-"))
    data = root / f"synthetic-{args.n}-{args.seed}"
    if not (data / "traces.jsonl").exists():
        start = time.perf_counter()
        synthetic.write_dataset(data, args.n, args.seed)
        print(f"generated {args.n:,} traces in {time.perf_counter() - start:.1f} s "
              f"({(data / 'traces.jsonl').stat().st_size / 2**20:,.0f} MiB)")
    cache = root / "cache"
    # Load the embedder before timing: a one-time cost per process.
    plugin_manager().hook.traceclio_embedder(settings=Settings(cache_dir=cache, embedder=args.embedder))
    timings = []
    for attempt in ("first run", "re-run (cached)"):
        # A re-run is a new process for a user: the first run's rows must not be alive (and walked by the
        # garbage collector) while the second is timed.
        result = None
        gc.collect()
        settings = Settings(out_dir=root / "run", cache_dir=cache, embedder=args.embedder)
        start = time.perf_counter()
        result = pipeline.run([str(data / "traces.jsonl")], settings, plugin_manager())
        total = time.perf_counter() - start
        timings.append(total)
        s = result.summary
        print(f"\n{attempt}: {s['traces_read']:,} traces in {total:.1f} s = {s['traces_read'] / total:,.0f} traces/s "
              f"(facets computed {s['facets_computed']:,}, cached {s['facets_cached']:,}; "
              f"distinct texts {s['distinct_texts']:,}, embedded now {s['texts_embedded']:,})")
        for stage, seconds in s["stage_seconds"].items():
            rate = s["traces_read"] / seconds if seconds else float("inf")
            print(f"  {stage:<26} {seconds:8.2f} s  {rate:12,.0f} traces/s")
    print(f"\npeak RSS {peak_rss_mib():,.0f} MiB; re-run / first run = {timings[1] / timings[0]:.3f}")
    print(f"embedder {args.embedder}; python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
