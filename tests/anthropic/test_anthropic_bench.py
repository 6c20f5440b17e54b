"""bench/cost.py runs without any API call and reports dollars per trace within the Haiku target."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cost_bench_prices_the_prompts_it_builds():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "cost.py"), "--traces", "60"], capture_output=True,
                          text=True, timeout=120, env={"PATH": "", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])["dollars_per_trace"]
    assert 0 < figures["both"] <= figures["list"]
    assert figures["batch"] < figures["list"]
    assert "facets" in done.stdout and "claude-haiku-4-5" in done.stdout
