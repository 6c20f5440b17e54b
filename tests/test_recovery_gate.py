"""The recovery gate: our own suite runs it at a size CI affords, and it fails when it should."""

import pytest

from traceclio_core.pytest_plugin import RecoveryBelowThreshold, check

pytest_plugins = ["pytester"]

# Measured on held-out families (n=1000, seed=3), 46 behaviours: with the known-pattern detectors leaf 0.811,
# NMI 0.923 at 38 leaf clusters; with them off (the evidence alone: discovery) leaf 0.667, NMI 0.823 at 35.
# At this size there are fewer leaves than behaviours, and any change to the axis moves which behaviours share
# a leaf, so the floors sit under the spread of seeds 3-6, not under one seed's figure. With the detectors on,
# seeds 3-6 gave 0.811, 0.839, 0.810, 0.844 (mean 0.826) before this release's evidence of what results say of
# their own content and 0.782, 0.804, 0.800, 0.789 (mean 0.794) after it: a loss of about three points at this
# size (at n = 5,000 the mean moved from 0.926 to 0.921 and stays above 0.90; see the README's "Discovery").
# With them off, seeds 3-6 gave 0.683, 0.660, 0.651, 0.680 (mean 0.669) before and 0.641, 0.715, 0.653, 0.709
# (mean 0.680) after. Once "error rate" stopped reading as a failure told: 0.811, 0.820, 0.788, 0.809 (mean
# 0.807) on, 0.667, 0.705, 0.669, 0.693 (mean 0.684) off. (Evidence that compares steps had moved the detectors-on figure from 0.88 to 0.84, the
# evidence of what results say about themselves from 0.833 to 0.811.) The floors sit under the measured
# figures so that a regression in the evidence, the detectors, the renderer or the clusterer fails the build.
MIN_LEAF, MIN_NMI = 0.76, 0.89
MIN_LEAF_DISCOVERY, MIN_NMI_DISCOVERY = 0.62, 0.78


@pytest.fixture(scope="module")
def gate_score(traceclio_recovery, cache_dir):
    return traceclio_recovery(n=1000, seed=3, split="heldout", cache_dir=cache_dir)


@pytest.fixture(scope="module")
def discovery_score(traceclio_recovery, cache_dir):
    return traceclio_recovery(n=1000, seed=3, split="heldout", cache_dir=cache_dir, detectors=False)


def test_recovery_on_held_out_synthetic_traces_stays_above_its_floor(gate_score):
    assert gate_score.leaf >= MIN_LEAF, gate_score.table()
    assert gate_score.nmi >= MIN_NMI, gate_score.table()
    assert gate_score.leaf > 5 * gate_score.random_baseline


def test_discovery_with_the_detectors_off_stays_above_its_floor(discovery_score):
    assert discovery_score.leaf >= MIN_LEAF_DISCOVERY, discovery_score.table()
    assert discovery_score.nmi >= MIN_NMI_DISCOVERY, discovery_score.table()
    # At most 1.3 leaves per behaviour: recovery is not bought with clusters.
    assert discovery_score.leaf_clusters <= 1.3 * discovery_score.behaviours


def test_gate_fails_with_the_per_behaviour_table_when_forced_over_its_score(gate_score):
    with pytest.raises(RecoveryBelowThreshold, match="per behaviour, worst first"):
        check(gate_score, gate_score.leaf + 0.01)
    check(gate_score, gate_score.leaf)  # at its own score it passes


def test_command_line_gate_adds_a_failing_item(pytester):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--traceclio-min-recovery", "0.99", "--traceclio-n", "300", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*leaf recovery * is below 0.990*", "*per behaviour, worst first*"])


def test_command_line_gate_runs_with_the_detectors_off(pytester):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--traceclio-min-recovery", "0.99", "--traceclio-n", "300", "--traceclio-detectors",
                                "off", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*detectors off*", "*leaf recovery * is below 0.990*"])
