"""Print a run's cost table (Clio's Table 3 for this run) to the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_cost_table(table: dict, console: Console | None = None) -> None:
    view = Table(title="model cost (list prices; see traceclio_anthropic/pricing.py)", title_justify="left")
    for column in ("stage", "calls", "batched", "input tok", "output tok", "cache read", "cache write", "dollars"):
        view.add_column(column, justify="left" if column == "stage" else "right")
    for name, row in [*table["stages"].items(), ("total", table["total"])]:
        view.add_row(name, f"{row['calls']:,}", f"{row['batched_calls']:,}", f"{row['input_tokens']:,}",
                     f"{row['output_tokens']:,}", f"{row['cache_read_tokens']:,}", f"{row['cache_write_tokens']:,}",
                     f"${row['dollars']:.4f}")
    view.caption = f"{table['traces']:,} traces: ${table['dollars_per_trace']:.6f} per trace"
    (console or Console(stderr=True)).print(view)
