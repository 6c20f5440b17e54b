"""Are the cluster titles true of the traces under them? A reader who did not write the namer says so,
trace by trace.

    python bench/title_audit.py prepare RUN_DIR TRACES... --out PACKET.md [--clusters 15] [--per-cluster 5]
    python bench/title_audit.py score VERDICTS.jsonl

`prepare` picks up to `--clusters` surfaced clusters (leaves first, largest first, then parents) and
`--per-cluster` traces of each (spread over the cluster by a fixed stride), and writes a packet: each
cluster's title and description, then each trace as a reader would see it (the user's turns, the
agent's text, every tool call with its arguments, result and error). The reader answers one JSON line
per trace, `{"cluster_id", "trace_id", "true": bool, "why": "…"}`. `score` prints the share judged true,
per cluster and over all, worst clusters first.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from traceclio_core.plugins import plugin_manager
from traceclio_core.rejects import RejectLog
from traceclio_core.settings import Settings

CUT = 400  # characters of any one text in the packet


def _short(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= CUT else text[:CUT] + " …"


def render_trace(trace) -> str:
    """The trace as a reader checks a title against it: what was said, called, returned and answered."""
    lines, seen = [], set()
    for span in sorted(trace.spans, key=lambda s: (s.start_ns, s.span_id)):
        for message in span.input_messages:
            if message.role == "user" and message.content and message.content not in seen:
                seen.add(message.content)
                lines.append(f"USER: {_short(message.content)}")
        if span.kind.value == "llm":
            if span.output_content:
                lines.append(f"AGENT ({span.model or 'model'}, {span.duration_ms:.0f} ms): {_short(span.output_content)}")
            for call in span.requested_tool_calls:
                lines.append(f"AGENT asks for {call.name}({_short(call.arguments)})")
        elif span.kind.value in ("tool", "retriever"):
            status = f" ERROR {span.error_type or ''} {_short(span.error_message)}" if span.failed else ""
            lines.append(f"TOOL {span.tool_name}({_short(span.tool_arguments)}) -> "
                         f"[{len(span.tool_result or ''):,} chars] {_short(span.tool_result)}{status} "
                         f"[{span.duration_ms:.0f} ms]")
        elif span.kind.value == "agent" and span.agent_name:
            lines.append(f"[agent {span.agent_name}]")
    lines.append(f"FINAL ANSWER: {_short(trace.final_answer)}")
    return "\n".join(lines)


def prepare(run_dir: Path, locations: list[str], out: Path, n_clusters: int, per_cluster: int) -> None:
    clusters = json.loads((run_dir / "clusters.json").read_text())["clusters"]
    surfaced = [c for c in clusters if c["surfaced"]]
    chosen = sorted(surfaced, key=lambda c: (c["level"], -c["size"], c["id"]))[:n_clusters]
    leaf_of = {json.loads(line)["trace_id"]: json.loads(line)["cluster_id"]
               for line in (run_dir / "assignments.jsonl").read_text().splitlines()}
    parent = {c["id"]: c["parent"] for c in clusters}

    def ancestors(leaf):
        while leaf:
            yield leaf
            leaf = parent.get(leaf)

    members = defaultdict(list)
    for trace_id, leaf in sorted(leaf_of.items()):
        for cluster_id in ancestors(leaf):
            members[cluster_id].append(trace_id)
    wanted = {}
    for cluster in chosen:
        ids = members[cluster["id"]]
        step = max(1, len(ids) // per_cluster)
        for trace_id in ids[::step][:per_cluster]:
            wanted.setdefault(trace_id, []).append(cluster["id"])
    settings = Settings()
    traces = {}
    for source in plugin_manager().hook.traceclio_load_traces(locations=locations, settings=settings,
                                                              rejects=RejectLog()):
        for trace in source or []:
            if trace.trace_id in wanted:
                traces[trace.trace_id] = trace
    parts = ["# Title audit\n", "For every trace below, say whether its cluster's title and description are "
             "true of it. One JSON line per trace: {\"cluster_id\", \"trace_id\", \"true\": true|false, "
             "\"why\": \"...\"}.\n"]
    for cluster in chosen:
        parts.append(f"\n## {cluster['id']} (level {cluster['level']}, {cluster['size']} traces)\n")
        parts.append(f"TITLE: {cluster['title']}\n\nDESCRIPTION: {cluster['description']}\n")
        for trace_id in [t for t, ids in wanted.items() if cluster["id"] in ids]:
            parts.append(f"\n### trace {trace_id}\n```\n{render_trace(traces[trace_id])}\n```\n")
    out.write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {out}: {len(chosen)} clusters, {len(wanted)} traces")


def score(verdicts: Path) -> None:
    by_cluster = defaultdict(list)
    for line in verdicts.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            by_cluster[record["cluster_id"]].append(bool(record["true"]))
    total = [v for vs in by_cluster.values() for v in vs]
    print(f"judged true: {sum(total)} of {len(total)} = {sum(total) / max(1, len(total)):.2f}")
    for cluster_id, vs in sorted(by_cluster.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0])):
        print(f"  {cluster_id}: {sum(vs)}/{len(vs)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("run_dir", type=Path)
    p.add_argument("traces", nargs="+")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--clusters", type=int, default=15)
    p.add_argument("--per-cluster", type=int, default=5)
    s = sub.add_parser("score")
    s.add_argument("verdicts", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.run_dir, args.traces, args.out, args.clusters, args.per_cluster)
    else:
        score(args.verdicts)


if __name__ == "__main__":
    main()
