"""Command line: python -m synthetic OUT_DIR [--n 2000] [--seed 0] [--split all|train|heldout]."""
import argparse
import time

from .dataset import write_dataset


def main():
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--n", type=int, default=2000, help="number of traces")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("all", "train", "heldout"), default="all")
    args = parser.parse_args()
    started = time.perf_counter()
    write_dataset(args.out_dir, args.n, args.seed, args.split)
    print(f"wrote {args.n} traces to {args.out_dir} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
