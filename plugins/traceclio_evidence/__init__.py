"""Evidence facets: what a trace shows, in general terms, with no knowledge of any named behaviour."""
