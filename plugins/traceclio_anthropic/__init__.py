"""Model-written stages on Anthropic: facets, cluster names, hierarchy, audit."""
