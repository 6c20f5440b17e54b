"""Built-in clusterer: seeded scikit-learn k-means."""
