"""Record OTLP traces from real agent frameworks, with a scripted stand-in model and local tools.

    pip install -e '.[frameworks]'
    python examples/frameworks/record.py --out tests/fixtures/frameworks

Writes one OTLP JSON Lines file per framework (one ExportTraceServiceRequest per line, one line per run)
and `expected.jsonl`: per run, its trace id, framework, scenario, and what the script made happen
(LLM calls answered, tool calls that ran, their errors, retries, sub-agents, hand-offs, refusal, final
answer), counted by the stand-in model and the tools themselves, never read back from the spans.
Installs nothing; nothing leaves the process.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from pathlib import Path

import local_tools
from ledger import Ledger
from recording import Recorder

FRAMEWORKS = {
    "smolagents": "run_smolagents",
    "langgraph": "run_langgraph",
    "openai_agents": "run_openai_agents",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for <framework>.jsonl and expected.jsonl")
    parser.add_argument("--only", choices=sorted(FRAMEWORKS), action="append", help="record just these frameworks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    recorder = Recorder()
    args.out.mkdir(parents=True, exist_ok=True)
    expected: list[dict] = []
    for framework in args.only or list(FRAMEWORKS):
        module = importlib.import_module(FRAMEWORKS[framework])
        module.instrument(recorder.provider)
        lines = []
        for scenario in module.SCENARIOS:
            ledger = Ledger()
            local_tools.reset()
            trace_id = recorder.start_run(f"{scenario.framework}/{scenario.name}", scenario.tenant)
            scenario.run(ledger)
            line, spans = recorder.finish_run()
            seen = {f"{span.context.trace_id:032x}" for span in spans}
            if seen != {trace_id}:
                raise SystemExit(f"{scenario.name}: expected one trace {trace_id}, the spans carry {sorted(seen)}")
            lines.append(line)
            expected.append({"trace_id": trace_id, "framework": scenario.framework, "agent": scenario.agent,
                             "scenario": scenario.name, "tenant": scenario.tenant, "spans": len(spans),
                             **ledger.manifest()})
            print(f"{framework:14} {scenario.name:32} {len(spans):3} spans  {ledger.llm_calls} LLM calls  "
                  f"{len(ledger.tool_runs)} tool calls", file=sys.stderr)
        (args.out / f"{framework}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # With --only, keep the manifest lines of the frameworks not recorded this time.
    manifest = args.out / "expected.jsonl"
    if args.only and manifest.exists():
        recorded = {row["framework"] for row in expected}
        kept = [json.loads(l) for l in manifest.read_text(encoding="utf-8").splitlines() if l.strip()]
        expected = [row for row in kept if row["framework"] not in recorded] + expected
    manifest.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in expected), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
