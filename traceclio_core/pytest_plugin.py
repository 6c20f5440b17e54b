"""The recovery gate as a pytest plugin (registered through the `pytest11` entry point).

Two ways to use it:

    def test_recovery(traceclio_recovery):
        assert traceclio_recovery(n=2000, seed=3).leaf >= 0.90
        assert traceclio_recovery(n=2000, seed=3, detectors=False).leaf >= 0.70   # discovery alone

    pytest --traceclio-min-recovery 0.9 [--traceclio-detectors off]    # adds one gate item to the session

Both run generator → pipeline → score with the installed plugins; a failing gate prints the
per-behaviour table, worst first.

pytest loads this module in every session of any project that has traceclio installed, so it imports
nothing of traceclio's pipeline (numpy, scikit-learn, …) until the fixture or the option is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from traceclio_core.score import Score


def pytest_addoption(parser):
    group = parser.getgroup("traceclio")
    group.addoption("--traceclio-min-recovery", type=float, default=None,
                    help="Fail the session when leaf recovery on held-out synthetic traces is below this.")
    group.addoption("--traceclio-n", type=int, default=2000, help="Synthetic traces for the gate.")
    group.addoption("--traceclio-seed", type=int, default=3, help="Seed for the gate's traces.")
    group.addoption("--traceclio-detectors", choices=("on", "off"), default="on",
                    help="Run the gate with the known-pattern detectors (on) or on the evidence alone (off).")


class RecoveryBelowThreshold(AssertionError):
    pass


def check(score: Score, minimum: float) -> None:
    if score.leaf < minimum:
        raise RecoveryBelowThreshold(f"leaf recovery {score.leaf:.3f} is below {minimum:.3f}\n{score.table()}")


class GateItem(pytest.Item):
    def __init__(self, *, minimum: float, n: int, seed: int, cache_dir, detectors: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.n, self.seed, self.cache_dir, self.detectors = minimum, n, seed, cache_dir, detectors

    def runtest(self):
        from traceclio_core.recovery import measure

        options = {"cache_dir": self.cache_dir} if self.cache_dir is not None else {}
        check(measure(n=self.n, seed=self.seed, detectors=self.detectors, **options), self.minimum)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, RecoveryBelowThreshold):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        detectors = "" if self.detectors else ", detectors off"
        return self.path, None, f"traceclio recovery gate (min {self.minimum}{detectors})"


def pytest_collection_modifyitems(session, config, items):
    minimum = config.getoption("--traceclio-min-recovery")
    if minimum is None:
        return
    cache = config.cache.mkdir("traceclio") if getattr(config, "cache", None) else None
    detectors = config.getoption("--traceclio-detectors") == "on"
    name = "traceclio_recovery_gate" if detectors else "traceclio_recovery_gate[detectors off]"
    items.append(GateItem.from_parent(session, name=name, minimum=minimum,
                                      n=config.getoption("--traceclio-n"), seed=config.getoption("--traceclio-seed"),
                                      cache_dir=cache, detectors=detectors))


@pytest.fixture(scope="session")
def traceclio_recovery(tmp_path_factory):
    """A function: `traceclio_recovery(n=2000, seed=3, split="heldout", **settings) -> Score`; pass
    `detectors=False` to score discovery from the evidence alone."""
    from traceclio_core.recovery import measure

    cache = tmp_path_factory.mktemp("traceclio-gate-cache")

    def run(n: int = 2000, seed: int = 3, split: str = "heldout", **settings) -> Score:
        settings.setdefault("cache_dir", cache)
        return measure(n=n, seed=seed, split=split, **settings)

    return run
