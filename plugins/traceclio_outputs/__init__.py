"""Built-in exporters: the run's files (clusters.json, assignments.jsonl, summary.json) and report.html."""
