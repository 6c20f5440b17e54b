"""Bad input at scale: every kind of damage (synthetic/damage_kinds.py) several times over, mixed with good
traces, through `traceclio run` in a child process (one-time distillation of the embedder excluded).
Prints inputs tried by kind, how many were handled as documented, traces lost (target 0), the run's exit
code, time and peak RSS.

    python bench/fuzz.py                       # 5 copies of every kind, 1,000 good traces, full-size values
    python bench/fuzz.py --copies 1 --scale small
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic.damage_kinds import KINDS
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings
from synthetic.damaged import FULL, SMALL, check, traces_lost, write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=5, help="instances of every damage kind")
    parser.add_argument("--good", type=int, default=1000, help="untouched traces mixed in")
    parser.add_argument("--scale", choices=("full", "small"), default="full",
                        help="full: 50 MB attributes and million-item arrays; small: what the suite uses")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpus and the run here")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="default: a fresh one under the workdir (the embedder is distilled into it first)")
    args = parser.parse_args()

    root = args.workdir or Path(tempfile.mkdtemp(prefix="traceclio-fuzz-"))
    start = time.perf_counter()
    corpus = write_corpus(root / "input", args.seed, args.good, args.copies, FULL if args.scale == "full" else SMALL)
    size = sum(p.stat().st_size for p in corpus.root.iterdir())
    print(f"wrote {len(corpus.damages):,} damaged inputs of {len({d.kind for d in corpus.damages})} kinds and "
          f"{len(corpus.good):,} untouched traces ({size / 2**20:,.0f} MiB) in {time.perf_counter() - start:.1f} s")

    cache = args.cache_dir or root / "cache"
    # Distil the embedder before timing (a one-time install cost); the run then finds it in the cache.
    plugin_manager().hook.traceclio_embedder(settings=Settings(cache_dir=cache))
    out = root / "run"
    command = [sys.executable, "-m", "traceclio_core.cli", "run", str(corpus.root), "--out", str(out),
               "--cache-dir", str(cache)]
    start = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"traceclio run: exit {finished.returncode} in {seconds:.1f} s, peak RSS {peak:,.0f} MiB")
    if finished.returncode != 0:
        print(finished.stderr[-4000:])
        raise SystemExit(1)

    by_kind: dict[str, list] = {kind: [] for kind in KINDS}  # in the catalogue's order
    for outcome in check(corpus, out):
        by_kind.setdefault(outcome.kind, []).append(outcome)
    width = max(len(k) for k in by_kind)
    print(f"\n{'kind':<{width}}  tried  as documented")
    for kind, outcomes in by_kind.items():
        ok = sum(o.ok for o in outcomes)
        print(f"{kind:<{width}}  {len(outcomes):>5}  {ok:>5}" + ("" if ok == len(outcomes) else "   <-- "
                                                                 + next(o.why for o in outcomes if not o.ok)[:100]))
    damaged = [o for kind in KINDS for o in by_kind[kind]]
    print(f"\ndamaged inputs tried: {len(damaged):,}; handled as documented: {sum(o.ok for o in damaged):,}")
    print(f"untouched traces: {len(corpus.good):,}; traces lost: {traces_lost(corpus, out)} (target 0)")
    print(f"peak RSS of the run: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
