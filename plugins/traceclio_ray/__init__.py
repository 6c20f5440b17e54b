"""The Ray engine: `traceclio run --engine ray` reads, assembles, computes facets and embeds on a Ray cluster."""
