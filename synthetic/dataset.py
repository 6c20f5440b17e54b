"""Generates labelled synthetic agent traces and writes traces.jsonl + truth.jsonl."""
import gc
import json
import os
import random
from dataclasses import dataclass

from .behaviour_registry import NO_NOISE, PLAYERS, REQUESTS
from .families import families_for_split
from .frameworks import fresh_rng, play
from .otlp_batches import batch_lines
from .dialects import SpanRenderer
from .scene import Scene
from .taxonomy import BEHAVIOURS
from .tenants import TENANT_WEIGHTS, TENANTS
from .trace_builder import TraceBuilder

START_NS = 1_772_409_600_000_000_000   # 2026-03-02T00:00:00Z; fixed so output never depends on the clock
TRACES_PER_WINDOW = 8                    # traces whose spans interleave in the exported lines
HEALTHY_WEIGHT = 2.0                     # healthy shapes are more common than any one failure


@dataclass
class SyntheticTrace:
    trace_id: str
    truth: dict
    service: str
    tenant: str
    spans: list          # [(scope name, OTLP span dict)]


def behaviour_schedule(n, rng):
    """Exactly-apportioned behaviour ids for n traces, shuffled: every leaf gets its share."""
    weights = [HEALTHY_WEIGHT if b.healthy else 1.0 for b in BEHAVIOURS]
    total = sum(weights)
    quotas = [n * w / total for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_remainder[:n - sum(counts)]:
        counts[i] += 1
    schedule = [b.id for b, c in zip(BEHAVIOURS, counts) for _ in range(c)]
    rng.shuffle(schedule)
    return schedule


def _service_name(sc):
    return sc.pick((f"{sc.domain.server}-agent", sc.domain.id.replace("_", "-") + "-svc", sc.agent_name.lower(),
                    f"{sc.tenant}-{sc.domain.server}"))


def generate(n, seed, split="all", only=None):
    """Yields n SyntheticTrace records, deterministic in (n, seed, split).

    split "train" or "heldout" draws only families of that split; "all" draws both.
    only: a set of behaviour ids; the traces of other behaviours are skipped without being built, and those
    yielded are exactly the ones the full call yields (a cheap way to draw many traces of a few behaviours).
    """
    families = families_for_split(split)
    schedule = behaviour_schedule(n, random.Random(f"traceclio-schedule:{seed}:{split}:{n}"))
    clock = random.Random(f"traceclio-clock:{seed}:{split}")
    start = START_NS
    for index, leaf in enumerate(schedule):
        gap = int(clock.expovariate(1 / 4.0) * 1e9)
        if only is not None and leaf not in only:
            start += gap
            continue
        rng = fresh_rng(seed, index, split)
        family = rng.choice(families)
        tenant = rng.choices(TENANTS, TENANT_WEIGHTS)[0]
        sc = Scene(rng, family, tenant)
        if leaf in REQUESTS:
            sc.request = sc.t(REQUESTS[leaf](sc))
        start += gap
        builder = TraceBuilder(sc, start)
        noise = leaf not in NO_NOISE and rng.random() < 0.35
        play(builder, sc, PLAYERS[leaf], noise)
        trace_id = f"{rng.getrandbits(128):032x}"
        spans = SpanRenderer(sc, trace_id, rng).render(builder.root)
        behaviour = next(b for b in BEHAVIOURS if b.id == leaf)
        truth = {"trace_id": trace_id, "label": leaf, "top": behaviour.top, "tenant": tenant,
                 "family": family.id, "split": family.split}
        also = sorted(set(sc.also) - {leaf})
        if also:
            # A second behaviour the trace really carries: scorers may leave it out of that behaviour's counts.
            truth["also"] = also
        yield SyntheticTrace(trace_id, truth, _service_name(sc), tenant, spans)


def write_dataset(out_dir, n, seed, split="all", per_file=None):
    """Writes out_dir/traces.jsonl (OTLP/JSON lines) and out_dir/truth.jsonl (one label per trace).

    With `per_file`, the traces go to out_dir/traces/00000.jsonl, 00001.jsonl, ... about `per_file` traces
    each (a new file starts between windows of interleaved traces), streamed as they are generated: the
    same lines, in the same order, as the one file. Same arguments give byte-identical files.
    """
    os.makedirs(out_dir, exist_ok=True)
    # the generator allocates millions of small, acyclic objects; cyclic GC passes only cost time
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _write(out_dir, n, seed, split, per_file)
    finally:
        if gc_was_enabled:
            gc.enable()


def _write(out_dir, n, seed, split, per_file=None):
    write_traces(out_dir, generate(n, seed, split), f"{seed}:{split}", per_file)


class _Files:
    """The traces file, or numbered files of about `per_file` traces each."""

    def __init__(self, out_dir, per_file):
        self.out_dir, self.per_file = out_dir, per_file
        self.number, self.written, self.file = 0, 0, None
        if per_file:
            os.makedirs(os.path.join(out_dir, "traces"), exist_ok=True)

    def target(self, traces):
        if self.file is None or (self.per_file and self.written >= self.per_file):
            self.close()
            name = os.path.join("traces", f"{self.number:05d}.jsonl") if self.per_file else "traces.jsonl"
            self.file = open(os.path.join(self.out_dir, name), "w", encoding="utf-8")  # noqa: SIM115
            self.number, self.written = self.number + 1, 0
        self.written += traces
        return self.file

    def close(self):
        if self.file is not None:
            self.file.close()


def write_traces(out_dir, traces, batch_seed="0", per_file=None):
    """Writes out_dir/traces.jsonl and out_dir/truth.jsonl for the SyntheticTrace records `traces` (say, some
    from generate() calls mixed to shift behaviours' shares); same traces and batch_seed, same bytes. With
    `per_file`, the traces go to numbered files instead (see write_dataset)."""
    os.makedirs(out_dir, exist_ok=True)
    batch_rng = random.Random(f"traceclio-batches:{batch_seed}")
    files = _Files(out_dir, per_file)
    try:
        with open(os.path.join(out_dir, "truth.jsonl"), "w", encoding="utf-8") as truth_file:
            window = []
            for trace in traces:
                truth_file.write(json.dumps(trace.truth, separators=(",", ":")) + "\n")
                window.append((trace.service, trace.tenant, trace.spans))
                if len(window) == TRACES_PER_WINDOW:
                    _flush(window, batch_rng, files.target(len(window)))
                    window = []
            _flush(window, batch_rng, files.target(len(window)))
    finally:
        files.close()


def _flush(window, rng, out):
    for line in batch_lines(window, rng):
        out.write(line + "\n")
