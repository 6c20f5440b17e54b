"""Built-in offline stages: direct facets, the deterministic facet extractor and the offline namer."""
