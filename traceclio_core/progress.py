"""How stages report progress: a context manager per stage that hands back an `advance(n)` callable.

The CLI shows a rich progress bar per stage; library callers and tests pass nothing and see nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None): ...


class Silent:
    @contextmanager
    def stage(self, name: str, total: int | None) -> Iterator[Callable[[int], None]]:
        yield lambda n: None


class RichProgress:
    """One bar per stage, left on screen when the stage ends."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

        self.bars = Bars(TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(),
                         TimeElapsedColumn(), console=console, transient=False)

    def __enter__(self):
        self.bars.start()
        return self

    def __exit__(self, *exc):
        self.bars.stop()

    @contextmanager
    def stage(self, name: str, total: int | None) -> Iterator[Callable[[int], None]]:
        task = self.bars.add_task(name, total=total)
        try:
            yield lambda n: self.bars.advance(task, n)
        finally:
            done = self.bars.tasks[task].completed
            self.bars.update(task, total=max(done, 1) if total is None else total, completed=done if total is None
                             else total)
