"""Structure: the facets and readings every extractor and evidence plugin shares, apart from any judge."""
