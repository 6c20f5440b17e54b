"""Screenshots of report.html on a synthetic run, for the README (docs/report-*.png).

    python examples/report_screenshots.py [--n 2000] [--seed 1] [--out docs] [--cache-dir DIR]

Writes synthetic traces (the `synthetic` package), runs the pipeline on them, opens the report in
headless Chromium (Debian's /usr/bin/chromium through playwright: `pip install -e '.[browser]'`) and
takes three pictures: the map, the page of the largest failing leaf, and one of its exemplar timelines.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def make_run(work: Path, n: int, seed: int, cache_dir: Path | None) -> Path:
    import synthetic
    from traceclio_core import pipeline
    from traceclio_core.plugins import plugin_manager
    from traceclio_core.settings import Settings

    synthetic.write_dataset(str(work / "synth"), n=n, seed=seed, split="all")
    settings = Settings(out_dir=work / "run", **({"cache_dir": cache_dir} if cache_dir else {}))
    pipeline.run([str(work / "synth" / "traces.jsonl")], settings, plugin_manager())
    return work / "run"


def largest_failing_leaf(run: Path) -> str:
    clusters = json.loads((run / "clusters.json").read_text())["clusters"]
    leaves = [c for c in clusters if c["level"] == 0 and c["surfaced"] and c["failing"]]
    return max(leaves, key=lambda c: (c["size"], c["id"]))["id"]


def screenshot(run: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    url = (run / "report.html").resolve().as_uri()
    shots = [out / "report-map.png", out / "report-cluster.png", out / "report-timeline.png"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        legend = page.locator("#map-legend").bounding_box()
        page.screenshot(path=str(shots[0]), clip={"x": 0, "y": 0, "width": 1280,
                                                  "height": legend["y"] + legend["height"] + 12}, full_page=True)
        page.goto(f"{url}#cluster/{largest_failing_leaf(run)}")
        page.locator("#cluster-title").wait_for()
        page.screenshot(path=str(shots[1]), clip={"x": 0, "y": 0, "width": 1280, "height": 1400}, full_page=True)
        page.locator("#view-cluster .exemplar").first.screenshot(path=str(shots[2]))
        browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("docs"))
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        run = make_run(Path(work), args.n, args.seed, args.cache_dir)
        for path in screenshot(run, args.out):
            print(path)


if __name__ == "__main__":
    main()
