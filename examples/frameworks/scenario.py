"""A scripted run: which framework and agent type, which tenant, and the function that runs it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ledger import Ledger


@dataclass(frozen=True)
class Scenario:
    framework: str
    agent: str
    name: str
    tenant: str
    # Runs the framework against its scripted model and local tools, filling the ledger as it goes.
    run: Callable[[Ledger], None]
