"""Translated spans from any source → complete traces: the one place for grouping, duplicate ids, cycles,
value bounds, the tenant, the outcome and the rejects that go with them.

Sources only translate. OTLP files and Phoenix hand over RawSpans (mapped here by semconv); Langfuse and
chat transcripts map their own shapes onto the trace model and hand over SpanRecords. Spans of one trace
may be spread over lines, pages and files in no order: a trace is closed once `window` spans have been
read without one of its own (or at the end of input), and a span that arrives for an already-closed
trace is set aside with a message that says how to widen the window. Sources that read whole traces at
a time (one transcript per line) hand each over complete with `assemble_whole`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from traceclio_core.errors import Reject, TraceclioError
from traceclio_core.model import Message, Span, ToolCallRequest, Trace, outcome_value
from traceclio_core.rejects import RejectLog
from traceclio_core.semconv import RawSpan, outcome_of, tenant_of, to_span
from traceclio_core.settings import Settings


@dataclass(slots=True)
class SpanRecord:
    """One span a source has translated onto the trace model, with what assembly needs around it.

    `tenant` and `outcome` are what this span says of its trace (the first found in reading order
    wins); `outcome` is the raw value as found (a number, a boolean, "passed"), read here. `timed` is
    False when the source recorded no times and the span's are synthetic (they only keep the order).
    """

    trace_id: str | None
    span: Span
    source: str
    line: int | None = None
    tenant: str | None = None
    outcome: Any = None
    timed: bool = True


class TraceAssembler:
    def __init__(self, rejects: RejectLog, settings: Settings):
        self.rejects = rejects
        self.tenant_keys = settings.tenant_keys
        self.outcome_keys = settings.outcome_keys
        self.window = settings.trace_window_spans
        self.max_bytes = settings.max_attribute_bytes
        self._open: OrderedDict[str, list[SpanRecord]] = OrderedDict()
        self._last_seen: dict[str, int] = {}
        self._closed: set[str] = set()
        # Traces one of whose spans could not be mapped for a reason no input check foresaw (a bug, not bad
        # input): the trace is set aside whole when it closes, rather than clustered with a span missing.
        self._poisoned: dict[str, tuple[str, int | None, str]] = {}
        self._count = 0

    def assemble(self, spans: Iterable[RawSpan | SpanRecord]) -> Iterator[Trace]:
        """Feed spans, yield each trace once it is complete; the rest at the end of input."""
        for item in spans:
            record = self._accept(item)
            if record is not None:
                yield from self._add(record)
        yield from self.flush()

    def assemble_whole(self, traces: Iterable[list[SpanRecord]]) -> Iterator[Trace]:
        """Feed traces that arrive whole (all their spans at once, one trace id); yield each at once.
        A trace id seen before sets the later trace aside: the first one read is kept."""
        for records in traces:
            accepted = [r for r in map(self._accept, records) if r is not None]
            if not accepted:
                continue
            first = accepted[0]
            if first.trace_id in self._closed:
                self.rejects.add(Reject(source=first.source, line=first.line, trace_id=first.trace_id,
                                        whole_trace=False, reason="trace id already read earlier in the input; "
                                                                  "the first trace with it is kept"))
                continue
            self._closed.add(first.trace_id)
            trace = build_trace(first.trace_id, accepted, self.rejects)
            if trace is not None:
                yield trace

    def flush(self) -> Iterator[Trace]:
        """Close every trace still open (the end of input)."""
        while self._open:
            trace_id, records = self._open.popitem(last=False)
            yield from self._close(trace_id, records)
        for trace_id in list(self._poisoned):  # no span of it could be mapped at all
            self._closed.add(trace_id)
            self._set_aside_poisoned(trace_id)

    def _set_aside_poisoned(self, trace_id: str) -> None:
        source, line, why = self._poisoned.pop(trace_id)
        self.rejects.add(Reject(source=source, line=line, trace_id=trace_id, whole_trace=True,
                                reason=f"trace could not be assembled ({why}); the whole trace is set aside"))

    def _accept(self, item: RawSpan | SpanRecord) -> SpanRecord | None:
        """The span translated (RawSpans through semconv), checked for ids, and its values bounded."""
        if isinstance(item, RawSpan):
            raw, notes = item, []
            try:
                item = SpanRecord(trace_id=raw.trace_id, span=to_span(raw, notes), source=raw.source,
                                  line=raw.line, tenant=tenant_of(raw, self.tenant_keys, notes),
                                  outcome=outcome_of(raw, self.outcome_keys))
            except TraceclioError:
                raise
            except (ValueError, TypeError, AttributeError) as err:  # malformed values: that span is set aside
                self.rejects.add(Reject(source=raw.source, line=raw.line, trace_id=raw.trace_id,
                                        span_id=raw.span_id, reason=f"span cannot be mapped: {err}"))
                return None
            except Exception as err:  # anything else must not end the run either: the whole trace goes
                if raw.trace_id:
                    self._poisoned.setdefault(raw.trace_id, (raw.source, raw.line, f"{type(err).__name__}: {err}"))
                return None
            finally:
                _record_repairs(self.rejects, raw, notes)
        if not item.trace_id or not item.span.span_id:
            self.rejects.add(Reject(source=item.source, line=item.line, trace_id=item.trace_id or None,
                                    span_id=item.span.span_id or None,
                                    reason="span has no trace id or no span id; it cannot be placed in a trace"))
            return None
        span, cuts = bounded(item.span, self.max_bytes)
        for field, size in cuts:
            self.rejects.add(Reject(
                source=item.source, line=item.line, trace_id=item.trace_id, span_id=span.span_id, action="truncated",
                reason=f"{field} holds {size:,} bytes; kept its first {self.max_bytes:,} "
                       "(raise --max-attribute-bytes to keep more)",
            ))
        item.span = span
        return item

    def _add(self, record: SpanRecord) -> Iterator[Trace]:
        self._count += 1
        trace_id = record.trace_id
        if trace_id in self._closed:
            self.rejects.add(Reject(
                source=record.source, line=record.line, trace_id=trace_id, span_id=record.span.span_id,
                reason=f"span arrived after its trace was closed ({self.window} spans later); "
                       "raise --trace-window to keep traces open longer",
            ))
            return
        bucket = self._open.get(trace_id)
        if bucket is None:
            self._open[trace_id] = [record]
        else:
            bucket.append(record)
            self._open.move_to_end(trace_id)
        self._last_seen[trace_id] = self._count
        # The least recently touched trace sits first: close while it is idle past the window.
        while self._open:
            oldest = next(iter(self._open))
            if self._count - self._last_seen[oldest] < self.window:
                break
            yield from self._close(oldest, self._open.pop(oldest))

    def _close(self, trace_id: str, records: list[SpanRecord]) -> Iterator[Trace]:
        self._last_seen.pop(trace_id, None)
        self._closed.add(trace_id)
        if trace_id in self._poisoned:
            self._set_aside_poisoned(trace_id)
            return
        try:
            trace = build_trace(trace_id, records, self.rejects)
        except TraceclioError:
            raise
        except Exception as err:  # one trace's content must not end the run: set it aside, go on
            self.rejects.add(Reject(source=records[0].source, line=records[0].line, trace_id=trace_id,
                                    whole_trace=True, reason=f"trace could not be assembled ({type(err).__name__}: "
                                                             f"{err}); the whole trace is set aside"))
            return
        if trace is not None:
            yield trace


def build_trace(trace_id: str, records: list[SpanRecord], rejects: RejectLog) -> Trace | None:
    """One trace from its records: duplicates set aside, cycles rejected, orphans kept as roots."""
    by_id: dict[str, SpanRecord] = {}
    for record in records:
        if record.span.span_id in by_id:
            rejects.add(Reject(source=record.source, line=record.line, trace_id=trace_id,
                               span_id=record.span.span_id,
                               reason="duplicate span id in trace; the first one read is kept"))
            continue
        by_id[record.span.span_id] = record
    cycle = _find_cycle({span_id: r.span.parent_id for span_id, r in by_id.items()})
    if cycle:
        first = by_id[cycle[0]]
        rejects.add(Reject(
            source=first.source, line=first.line, trace_id=trace_id, whole_trace=True,
            reason=f"parent links form a cycle ({' → '.join(cycle + [cycle[0]])}); the whole trace is set aside",
        ))
        return None
    tenant = next((r.tenant for r in by_id.values() if r.tenant not in (None, "")), None)
    spans = sorted((r.span for r in by_id.values()), key=lambda s: (s.start_ns, s.span_id))
    trace = Trace(trace_id=trace_id, tenant=tenant, spans=tuple(spans),
                  timing_recorded=all(r.timed for r in by_id.values()))
    for record in by_id.values():
        if record.outcome is not None:
            trace = with_outcome(trace, record.outcome, record.source, record.line, rejects)
            if trace.outcome is not None:
                break
    return trace


def with_outcome(trace: Trace, value: Any, source: str, line: int | None, rejects: RejectLog) -> Trace:
    """`trace` with its outcome read from `value`; a value that is no outcome is recorded and left out."""
    try:
        outcome = outcome_value(value)
    except ValueError as err:
        rejects.add(Reject(source=source, line=line, trace_id=trace.trace_id,
                           reason=f"{err}; the trace is kept without an outcome"))
        return trace
    return trace.model_copy(update={"outcome": outcome})


def _record_repairs(rejects: RejectLog, raw: RawSpan, notes: list[str]) -> None:
    for note in notes:
        rejects.add(Reject(source=raw.source, line=raw.line, trace_id=raw.trace_id, span_id=raw.span_id,
                           action="repaired", reason=note))


def _find_cycle(parents: dict[str, str | None]) -> list[str]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = known to reach a root
    for start in parents:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parents and state.get(node) != 2:
            if state.get(node) == 1:
                return path[path.index(node):]
            state[node] = 1
            path.append(node)
            node = parents[node]
        for done in path:
            state[done] = 2
    return []


# -- bounds: one giant value must not sink a run ------------------------------------------------------

_TEXT_FIELDS = tuple(name for name, info in Span.model_fields.items()
                     if info.annotation in (str, str | None) and name not in ("span_id", "parent_id"))


def _cut(value: str, limit: int) -> tuple[str, int] | None:
    """`value` cut to at most `limit` UTF-8 bytes and its size, or None when it fits."""
    if len(value) * 4 <= limit:  # no character takes more than 4 bytes: it fits without encoding
        return None
    data = value.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return None
    return data[:limit].decode("utf-8", "ignore"), len(data)


def _bounded_message(message: Message, limit: int, where: str, cuts: list[tuple[str, int]]) -> Message:
    updates: dict[str, Any] = {}
    if (cut := _cut(message.content, limit)) is not None:
        updates["content"] = cut[0]
        cuts.append((f"{where}.content", cut[1]))
    calls = []
    for index, call in enumerate(message.tool_calls):
        if (cut := _cut(call.arguments, limit)) is not None:
            cuts.append((f"{where}.tool_calls[{index}].arguments", cut[1]))
            call = ToolCallRequest(name=call.name, id=call.id, arguments=cut[0])
        calls.append(call)
    if any(new is not old for new, old in zip(calls, message.tool_calls)):
        updates["tool_calls"] = tuple(calls)
    return message.model_copy(update=updates) if updates else message


def bounded(span: Span, limit: int) -> tuple[Span, list[tuple[str, int]]]:
    """`span` with every text value cut to `limit` UTF-8 bytes, and (field, original size) per cut."""
    cuts: list[tuple[str, int]] = []
    updates: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(span, name)
        if isinstance(value, str) and (cut := _cut(value, limit)) is not None:
            updates[name] = cut[0]
            cuts.append((name, cut[1]))
    for name in ("input_messages", "output_messages"):
        messages = getattr(span, name)
        kept = tuple(_bounded_message(m, limit, f"{name}[{i}]", cuts) for i, m in enumerate(messages))
        if any(new is not old for new, old in zip(kept, messages)):
            updates[name] = kept
    return (span.model_copy(update=updates) if updates else span), cuts
