"""Built-in privacy review: minimum distinct tenants and traces per cluster, at every level."""
