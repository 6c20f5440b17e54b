"""Values computed from one trace that several stages ask for in turn (the structural facets, the
detectors' verdicts), remembered for as long as the trace lives and no longer."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def remember_per_trace(compute: Callable[..., T]) -> Callable[..., T]:
    """`compute(trace, *rest)` computed once per live trace: `rest` must follow from the trace (it is not
    part of the key), and the value is shared by every caller, so read it and never change it."""
    remembered: dict[int, tuple[weakref.ref, Any]] = {}

    @functools.wraps(compute)
    def once(trace, *rest):
        key = id(trace)
        hit = remembered.get(key)
        if hit is not None and hit[0]() is trace:
            return hit[1]
        value = compute(trace, *rest)
        # The entry goes with its trace; an id is only reused after that.
        remembered[key] = (weakref.ref(trace, lambda _, key=key: remembered.pop(key, None)), value)
        return value

    return once
