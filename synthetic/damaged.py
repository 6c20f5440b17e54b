"""Damaged OTLP input of many kinds, each with what a run must do with it: the fuzz test's corpus and
bench/fuzz.py's.

    corpus = write_corpus(out_dir, seed=7, good=40, copies=1, scale=SMALL)
    ... traceclio run out_dir --out run_dir ...
    outcomes = check(corpus, run_dir)      # one Outcome per damaged input, and for the good traces

Good traces come from the synthetic generator. Each damaged input (damage_kinds.py) is written into a
mix of lines, files and formats and carries what is documented for it: whether its trace must appear in
assignments.jsonl exactly once (or not at all), and which record in rejected.jsonl must name its file and
line, or its trace (or that none may). Deterministic in its arguments.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .dataset import generate
from .otlp_batches import _resource


@dataclass(frozen=True)
class Scale:
    """How big the big values are: the suite keeps them small enough to stay fast."""

    huge_chars: int  # one attribute string far over --max-attribute-bytes
    wide_items: int  # items in one array attribute


SMALL = Scale(huge_chars=1_000_000, wide_items=100_000)
FULL = Scale(huge_chars=50_000_000, wide_items=1_000_000)


@dataclass
class Damage:
    """One damaged input and its documented outcome."""

    kind: str
    file: str = ""
    line: int | None = None  # None: the record may name the file only
    trace_id: str | None = None
    # True: the trace is in assignments.jsonl exactly once; False: not at all; None: either.
    assigned: bool | None = None
    # The action a record naming this input must have; None: no record may name it.
    record: str | None = None


@dataclass
class Entry:
    """One line of the mixed JSON Lines file, with the damages and good traces it holds."""

    data: bytes
    damages: list[Damage] = field(default_factory=list)
    good: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    root: Path
    good: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # trace id -> (file, line)
    damages: list[Damage] = field(default_factory=list)
    marker: str = "HACKED"  # injected into traces; must reach no label


class Workshop:
    """What a damage kind builds with: fresh good traces, and places to write lines and files."""

    MIXED = "mixed.jsonl"

    def __init__(self, root: Path, rng: random.Random, scale: Scale, traces):
        self.root, self.rng, self.scale = root, rng, scale
        self._traces = traces
        self.entries: list[Entry] = []
        self.corpus = Corpus(root)
        self._files = 0

    def trace(self):
        """A good trace nobody else uses: (trace id, service, tenant, [span dicts])."""
        item = next(self._traces)
        return item.trace_id, item.service, item.tenant, [json.loads(json.dumps(span)) for _, span in item.spans]

    def line(self, data: bytes | str, *damages: Damage, good: tuple[str, ...] = ()) -> None:
        """A line of the mixed file (its number is known once the file is written)."""
        data = data.encode() if isinstance(data, str) else data
        for damage in damages:
            damage.file = self.MIXED
        self.entries.append(Entry(data, list(damages), list(good)))

    def file(self, suffix: str, data: bytes, *damages: Damage, good: dict[str, int | None] | None = None) -> str:
        """A file of its own; `good` maps the untouched traces in it to their lines."""
        self._files += 1
        name = f"f{self._files:03d}-{damages[0].kind if damages else 'good'}{suffix}"
        (self.root / name).write_bytes(data)
        for damage in damages:
            damage.file = name
            self.corpus.damages.append(damage)
        for trace_id, line in (good or {}).items():
            self.corpus.good[trace_id] = (name, line)
        return name


def request(spans: list[dict], service: str = "agent", tenant: str | None = "acme-logistics") -> dict:
    return {"resourceSpans": [{"resource": _resource(service, tenant or ""),
                               "scopeSpans": [{"scope": {"name": "fuzz"}, "spans": spans}]}]}


def line_of(spans: list[dict], service: str, tenant: str) -> bytes:
    """One OTLP/JSON line; ASCII escapes keep any lone surrogate a kind put in writable."""
    return json.dumps(request(spans, service, tenant)).encode()


def write_corpus(root: Path, seed: int = 7, good: int = 40, copies: int = 1, scale: Scale = SMALL,
                 kinds: tuple[str, ...] | None = None) -> Corpus:
    """Write `good` untouched traces and `copies` of every damage kind under `root`."""
    from .damage_kinds import KINDS

    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"traceclio-damaged:{seed}")
    chosen = [k for k in KINDS if kinds is None or k in kinds]
    per_trace = 2  # a kind uses at most this many traces (split traces, duplicates)
    traces = iter(generate(good + len(chosen) * copies * per_trace + 8, seed))
    shop = Workshop(root, rng, scale, traces)
    for _ in range(good):
        trace_id, service, tenant, spans = shop.trace()
        shop.line(line_of(spans, service, tenant), good=(trace_id,))
    for _ in range(copies):
        for name in chosen:
            KINDS[name](shop)
    _write_mixed(shop)
    return shop.corpus


def _write_mixed(shop: Workshop) -> None:
    entries = shop.entries[:]
    shop.rng.shuffle(entries)
    lines = []
    for number, entry in enumerate(entries, start=1):
        lines.append(entry.data if entry.data.endswith(b"\n") else entry.data + b"\n")
        for damage in entry.damages:
            damage.line = number if damage.line is None else damage.line
            shop.corpus.damages.append(damage)
        for trace_id in entry.good:
            shop.corpus.good[trace_id] = (Workshop.MIXED, number)
    (shop.root / Workshop.MIXED).write_bytes(b"".join(lines))


# -- checking a run against the corpus ---------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    ok: bool
    why: str = ""


def check(corpus: Corpus, run_dir: Path) -> list[Outcome]:
    """One Outcome per damaged input, one per good trace (kind "untouched trace"), and one for the labels."""
    assigned = Counter(json.loads(line)["trace_id"]
                       for line in (run_dir / "assignments.jsonl").read_text().splitlines())
    records = [json.loads(line) for line in (run_dir / "rejected.jsonl").read_text().splitlines()]
    keys = {"source", "line", "trace_id", "span_id", "reason", "action", "whole_trace", "excerpt"}
    outcomes = [Outcome("record keys", all(set(r) == keys for r in records), "a record lacks a documented key")]

    def naming(file: str, line: int | None, trace_id: str | None) -> list[dict]:
        return [r for r in records
                if (Path(r["source"]).name == file and (line is None or r["line"] in (line, None)))
                or (trace_id is not None and r["trace_id"] == trace_id)]

    for damage in corpus.damages:
        found = naming(damage.file, damage.line, damage.trace_id)
        count = assigned.get(damage.trace_id, 0) if damage.trace_id else None
        problems = []
        if damage.assigned is True and count != 1:
            problems.append(f"trace assigned {count} times, not once")
        if damage.assigned is False and count:
            problems.append(f"trace assigned {count} times, not left out")
        if damage.record is None and found:
            problems.append(f"unexpected record: {found[0]['reason'][:80]}")
        if damage.record is not None and not any(r["action"] == damage.record for r in found):
            problems.append(f"no {damage.record!r} record for {damage.file}:{damage.line}")
        outcomes.append(Outcome(damage.kind, not problems, "; ".join(problems)))
    for trace_id, (file, line) in corpus.good.items():
        problems = []
        if assigned.get(trace_id, 0) != 1:
            problems.append(f"assigned {assigned.get(trace_id, 0)} times")
        if naming(file, line, trace_id):
            problems.append("named by a record")
        outcomes.append(Outcome("untouched trace", not problems, f"{trace_id}: " + "; ".join(problems)))
    labels = json.loads((run_dir / "clusters.json").read_text())["clusters"]
    leaked = [c["id"] for c in labels if corpus.marker.lower() in (c["title"] + c["description"]).lower()]
    outcomes.append(Outcome("labels free of injected text", not leaked, f"injected text in {leaked}"))
    return outcomes


def traces_lost(corpus: Corpus, run_dir: Path) -> int:
    """Traces that had to come through (untouched, or damaged but documented as kept) and did not."""
    assigned = Counter(json.loads(line)["trace_id"]
                       for line in (run_dir / "assignments.jsonl").read_text().splitlines())
    must = set(corpus.good) | {d.trace_id for d in corpus.damages if d.assigned and d.trace_id}
    return sum(1 for trace_id in must if assigned.get(trace_id, 0) == 0)
