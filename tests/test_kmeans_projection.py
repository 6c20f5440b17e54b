"""k-means on many distinct points runs on their leading principal components (traceclio_kmeans)."""

import numpy as np
from sklearn.metrics import adjusted_rand_score

import traceclio_kmeans.clusterer as clusterer


def _blobs(seed: int = 5, n: int = 600, columns: int = 80, rank: int = 6):
    """Points in `columns` dimensions that vary only within a `rank`-dimensional subspace, in 4 groups."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.normal(size=(columns, rank)))[0].T  # rank × columns, orthonormal rows
    centres = rng.normal(scale=4.0, size=(4, rank))
    truth = rng.integers(0, 4, size=n)
    low = centres[truth] + rng.normal(scale=0.3, size=(n, rank))
    return (low @ basis + 1.5).astype(np.float32), truth, rng.integers(1, 5, size=n).astype(np.float64)


def test_components_hold_the_variance_and_keep_distances():
    points, _, weights = _blobs()
    mean, axes, share = clusterer.principal_components(points, weights)
    # The points span 6 directions: no more are kept, and they hold all the variance.
    assert axes.shape[1] <= 6 and share > 0.98
    assert np.allclose(axes.T @ axes, np.eye(axes.shape[1]), atol=1e-8)
    assert np.allclose(mean, np.average(points.astype(np.float64), axis=0, weights=weights))
    full = np.linalg.norm(points[:50, None, :].astype(np.float64) - points[None, :50, :], axis=2)
    # Every direction the points vary in kept: their distances are the same, to float32 rounding.
    projected = clusterer.project(points, weights, keep=0.99999)
    near = np.linalg.norm(projected[:50, None, :] - projected[None, :50, :], axis=2)
    assert np.abs(full - near).max() < 1e-4 * full.max()
    # By default the spread within a group may go, the distances between groups stay.
    projected = clusterer.project(points, weights)
    near = np.linalg.norm(projected[:50, None, :] - projected[None, :50, :], axis=2)
    far = full > 5
    assert far.any() and (np.abs(full - near)[far] < 0.1 * full[far]).all()


def test_axes_do_not_depend_on_eigenvector_signs():
    points, _, weights = _blobs(seed=9)
    _, axes, _ = clusterer.principal_components(points, weights)
    _, again, _ = clusterer.principal_components(points[::-1].copy(), weights[::-1].copy())
    assert np.allclose(axes, again, atol=1e-6)
    assert (axes[np.abs(axes).argmax(axis=0), np.arange(axes.shape[1])] > 0).all()


def test_many_points_cluster_as_on_every_column(monkeypatch):
    points, truth, weights = _blobs(seed=3)
    whole = clusterer.kmeans_labels(points, weights, 4, seed=0)
    monkeypatch.setattr(clusterer, "PROJECT_ABOVE", 100)
    projected = clusterer.kmeans_labels(points, weights, 4, seed=0)
    assert adjusted_rand_score(whole, projected) == 1.0
    assert adjusted_rand_score(truth, projected) > 0.95


def test_variance_share_bounds_the_components(monkeypatch):
    rng = np.random.default_rng(1)
    points = rng.normal(size=(400, 40)).astype(np.float32)  # variance in every direction
    weights = np.ones(400)
    _, axes, share = clusterer.principal_components(points, weights, keep=0.5)
    assert 5 < axes.shape[1] < 40 and 0.5 <= share < 0.6
    _, axes, _ = clusterer.principal_components(points, weights, keep=0.99, most=8)
    assert axes.shape[1] == 8
