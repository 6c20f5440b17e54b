"""Raw spans in any order → complete traces, with memory bounded by the traces in flight.

Spans of one trace may be spread over lines and files in no order. A trace is closed once
`window` spans have been read without one of its own (or at the end of input); a span that arrives
for an already-closed trace is set aside with a message that says how to widen the window.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator

from traceclio_core.errors import Reject, TraceclioError
from traceclio_core.model import Trace
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan, tenant_of, to_span


class TraceAssembler:
    def __init__(self, rejects: RejectLog, tenant_keys: tuple[str, ...], window: int = 200_000):
        self.rejects = rejects
        self.tenant_keys = tenant_keys
        self.window = window
        self._open: OrderedDict[str, list[RawSpan]] = OrderedDict()
        self._last_seen: dict[str, int] = {}
        self._closed: set[str] = set()
        self._count = 0

    def assemble(self, spans: Iterable[RawSpan]) -> Iterator[Trace]:
        """Feed spans, yield each trace once it is complete; the rest at the end of input."""
        for raw in spans:
            yield from self._add(raw)
        while self._open:
            trace_id, raws = self._open.popitem(last=False)
            yield from self._close(trace_id, raws)

    def _add(self, raw: RawSpan) -> Iterator[Trace]:
        self._count += 1
        if raw.trace_id in self._closed:
            self.rejects.add(Reject(
                source=raw.source, line=raw.line, trace_id=raw.trace_id, span_id=raw.span_id,
                reason=f"span arrived after its trace was closed ({self.window} spans later); "
                       "raise --trace-window to keep traces open longer",
            ))
            return
        bucket = self._open.get(raw.trace_id)
        if bucket is None:
            self._open[raw.trace_id] = [raw]
        else:
            bucket.append(raw)
            self._open.move_to_end(raw.trace_id)
        self._last_seen[raw.trace_id] = self._count
        # The least recently touched trace sits first: close while it is idle past the window.
        while self._open:
            oldest = next(iter(self._open))
            if self._count - self._last_seen[oldest] < self.window:
                break
            yield from self._close(oldest, self._open.pop(oldest))

    def _close(self, trace_id: str, raws: list[RawSpan]) -> Iterator[Trace]:
        self._last_seen.pop(trace_id, None)
        self._closed.add(trace_id)
        try:
            trace = build_trace(trace_id, raws, self.rejects, self.tenant_keys)
        except TraceclioError:
            raise
        except Exception as err:  # one trace's content must not end the run: set it aside, go on
            self.rejects.add(Reject(source=raws[0].source, line=raws[0].line, trace_id=trace_id, whole_trace=True,
                                    reason=f"trace could not be assembled ({type(err).__name__}: {err}); "
                                           "the whole trace is set aside"))
            return
        if trace is not None:
            yield trace


def build_trace(trace_id: str, raws: list[RawSpan], rejects: RejectLog, tenant_keys: tuple[str, ...]) -> Trace | None:
    """One trace from its raw spans: duplicates set aside, cycles rejected, orphans kept as roots."""
    by_id: dict[str, RawSpan] = {}
    for raw in raws:
        if raw.span_id in by_id:
            rejects.add(Reject(source=raw.source, line=raw.line, trace_id=trace_id, span_id=raw.span_id,
                               reason="duplicate span id in trace; the first one read is kept"))
            continue
        by_id[raw.span_id] = raw
    cycle = _find_cycle(by_id)
    if cycle:
        first = by_id[cycle[0]]
        rejects.add(Reject(
            source=first.source, line=first.line, trace_id=trace_id, whole_trace=True,
            reason=f"parent links form a cycle ({' → '.join(cycle + [cycle[0]])}); the whole trace is set aside",
        ))
        return None
    spans = []
    for raw in by_id.values():
        notes: list[str] = []
        spans.append(to_span(raw, notes))
        _record_repairs(rejects, raw, notes)
    tenant = None
    for raw in by_id.values():
        notes = []
        tenant = tenant_of(raw, tenant_keys, notes)
        _record_repairs(rejects, raw, notes)
        if tenant:
            break
    spans.sort(key=lambda s: (s.start_ns, s.span_id))
    return Trace(trace_id=trace_id, tenant=tenant, spans=tuple(spans))


def _record_repairs(rejects: RejectLog, raw: RawSpan, notes: list[str]) -> None:
    for note in notes:
        rejects.add(Reject(source=raw.source, line=raw.line, trace_id=raw.trace_id, span_id=raw.span_id,
                           action="repaired", reason=note))


def _find_cycle(by_id: dict[str, RawSpan]) -> list[str]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to reach a root
    for start in by_id:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in by_id and state.get(node) != 2:
            if state.get(node) == 1:
                return path[path.index(node):]
            state[node] = 1
            path.append(node)
            node = by_id[node].parent_id
        for done in path:
            state[done] = 2
    return []
