"""Pipeline throughput: traces/s per stage and peak RSS on N synthetic traces, then a re-run on the same
traces (everything cached) with its time as a ratio of the first; beside each size, the parse floor
(orjson over the same files, measured in the same bench run) and how many times it the first run takes.

    python bench/pipeline.py                                   # 10,000 traces, one process
    python bench/pipeline.py --n 100000 --workers 1,2          # the 10-minute target, in-process and 2 workers
    python bench/pipeline.py --n 10000 --workers 2 --engine local,ray   # the Ray engine on a local Ray
    python bench/pipeline.py --n 1000000 --per-file 100000     # generated in files, streamed

Each row's first run (with a cold cache) and its re-run are processes of their own, so each peak RSS is
that run's: the run's process, and the largest worker process as it measured itself.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def trace_files(data: Path) -> list[Path]:
    return [data / "traces.jsonl"] if (data / "traces.jsonl").exists() else sorted((data / "traces").glob("*.jsonl"))


def parse_floor(files: list[Path]) -> tuple[float, str]:
    """Seconds to read and parse every line of `files`, the least any reader of these bytes pays."""
    try:
        import orjson

        loads, name = orjson.loads, "orjson"
    except ImportError:  # orjson is in the dev extra; without it the floor is the standard library's
        loads, name = json.loads, "json"
    start = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    loads(line)
    return time.perf_counter() - start, name


def one_run(args: argparse.Namespace, data: Path, root: Path, attempt: str) -> dict:
    """One run of a row (the first clears the row's cache), in this process: a re-run is a new process
    for a user, so each attempt's peak RSS is its own."""
    from traceclio_core import pipeline
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings

    pm = plugin_manager()
    if args.engine == "ray":
        import ray
        import traceclio_ray.plugin

        if not pm.is_registered(traceclio_ray.plugin):  # where the entry point is not installed
            pm.register(traceclio_ray.plugin)
        ray.init(address=args.ray_address, include_dashboard=False, log_to_driver=False)
    cache = root / f"cache-{args.engine}-{args.workers}"
    if attempt == FIRST:
        shutil.rmtree(cache, ignore_errors=True)  # every row's first run starts cold, even in a kept --workdir
    # Load the embedder before timing: a one-time cost per process.
    pm.hook.traceclio_embedder(settings=Settings(cache_dir=cache, embedder=args.embedder))
    settings = Settings(out_dir=root / f"run-{args.engine}-{args.workers}", cache_dir=cache,
                        embedder=args.embedder, engine=args.engine, workers=args.workers)
    start = time.perf_counter()
    s = pipeline.run([str(p) for p in trace_files(data)], settings, pm).summary
    total = time.perf_counter() - start
    return {"attempt": attempt, "seconds": total, "traces": s["traces_read"], "stages": s["stage_seconds"],
            "engine_used": s.get("engine", "none: unchanged input, rows from the cache"),
            "workers_used": s.get("workers"), "shards": s.get("shards"), "shards_merged": s.get("shards_merged"),
            "computed": s["facets_computed"], "cached": s["facets_cached"], "distinct": s["distinct_texts"],
            "embedded": s["texts_embedded"], "peak_rss_mib": peak_rss_mib(),
            "peak_worker_rss_mib": s.get("worker_peak_rss_mib")}


FIRST, AGAIN = "first run", "re-run (cached)"


def print_row(engine: str, workers, runs: list[dict], floor: float) -> None:
    first = runs[0]
    print(f"\n{engine} engine, workers={workers or 'all cores'} (ran as {first['engine_used']}, "
          f"{first['workers_used']} workers, {first['shards']} shards, {first['shards_merged']} merged)")
    for run in runs:
        rate = run["traces"] / run["seconds"]
        # As each worker measured itself (summary.json's worker_peak_rss_mib; Ray's workers too).
        workers_rss = (f", largest worker {run['peak_worker_rss_mib']:,.0f} MiB" if run["peak_worker_rss_mib"]
                       else "")
        print(f"  {run['attempt']}: {run['traces']:,} traces in {run['seconds']:.1f} s = {rate:,.0f} traces/s "
              f"({run['seconds'] / floor:.1f}x the parse floor); peak RSS {run['peak_rss_mib']:,.0f} MiB"
              f"{workers_rss}; facets computed {run['computed']:,}, cached {run['cached']:,}; distinct texts "
              f"{run['distinct']:,}, embedded now {run['embedded']:,}")
        for stage, seconds in run["stages"].items():
            stage_rate = run["traces"] / seconds if seconds else float("inf")
            print(f"    {stage:<26} {seconds:8.2f} s  {stage_rate:12,.0f} traces/s")
    if len(runs) == 2:
        print(f"  re-run / first run = {runs[1]['seconds'] / runs[0]['seconds']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--embedder", default="static-minilm")
    parser.add_argument("--workers", default="1", help="comma-separated worker counts, one row each "
                                                       "('all' = every core)")
    parser.add_argument("--engine", default="local", help="comma-separated engines: local, ray")
    parser.add_argument("--ray-address", default=None, help="with ray: a cluster to join (default: start one here)")
    parser.add_argument("--per-file", type=int, default=None, help="generate the traces in files of this many")
    parser.add_argument("--workdir", type=Path, default=None, help="keep data and caches here")
    parser.add_argument("--row", default=None, help=argparse.SUPPRESS)  # internal: run one row, print JSON
    args = parser.parse_args()
    root = args.workdir or Path(tempfile.mkdtemp(prefix="traceclio-bench-"))
    data = root / (f"synthetic-{args.n}-{args.seed}" + (f"-per{args.per_file}" if args.per_file else ""))
    if args.row is not None:
        args.engine, args.workers, attempt = json.loads(args.row)
        print("ROW " + json.dumps(one_run(args, data, root, attempt)))
        return
    import synthetic

    if not trace_files(data):
        start = time.perf_counter()
        synthetic.write_dataset(data, args.n, args.seed, per_file=args.per_file)
        size = sum(p.stat().st_size for p in trace_files(data))
        print(f"generated {args.n:,} traces in {time.perf_counter() - start:.1f} s ({size / 2**20:,.0f} MiB, "
              f"{len(trace_files(data))} file(s))")
    floor, parser_name = parse_floor(trace_files(data))
    print(f"parse floor ({parser_name} over the same files): {floor:.1f} s = {args.n / floor:,.0f} traces/s")
    for engine in args.engine.split(","):
        for workers in args.workers.split(","):
            count = None if workers == "all" else int(workers)
            runs = []
            for attempt in (FIRST, AGAIN):
                command = [sys.executable, __file__, "--n", str(args.n), "--seed", str(args.seed), "--embedder",
                           args.embedder, "--workdir", str(root), "--row", json.dumps([engine, count, attempt])]
                if args.per_file:
                    command += ["--per-file", str(args.per_file)]
                if args.ray_address:
                    command += ["--ray-address", args.ray_address]
                done = subprocess.run(command, capture_output=True, text=True)
                found = [line for line in done.stdout.splitlines() if line.startswith("ROW ")]
                if done.returncode or not found:
                    print(f"\n{engine} engine, workers={workers}, {attempt}: failed\n{done.stderr[-3000:]}")
                    break
                runs.append(json.loads(found[-1][4:]))
            if runs:
                print_row(engine, count, runs, floor)
            if engine == "ray":
                break  # Ray's workers are the cluster's CPUs, not a count of ours
    print(f"\nembedder {args.embedder}; python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d')}")


if __name__ == "__main__":
    main()
