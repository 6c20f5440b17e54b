"""What `--llm anthropic` costs per trace, from the prompts actually built (no API calls).

    python bench/cost.py [--traces 1000] [--seed 0] [--trace-tokens 5000]

Builds the facet prompt of every trace of a synthetic data set (synthetic.write_dataset, else the small
tests/behaviours fixture), projects the naming, hierarchy and audit prompts for a run of that size, counts
tokens as chars / pricing.CHARS_PER_TOKEN (3.5: deliberately over-counts; real tokenisers give ~4 on such
text), and prices them at the list prices in traceclio_anthropic/pricing.py, with and without the Message
Batches discount and prompt caching of the system prompt.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

from traceclio_core.components import ChildName, ClusterEvidence, Share  # noqa: E402
from traceclio_core.facets import CompletionStatus, DirectFacets, ModelFacets  # noqa: E402
from traceclio_core.hierarchy import default_k, parent_count  # noqa: E402
from traceclio_core.plugins import plugin_manager  # noqa: E402
from traceclio_core.rejects import RejectLog  # noqa: E402
from traceclio_core.settings import Settings  # noqa: E402

from traceclio_anthropic.extractor import AnthropicFacetExtractor  # noqa: E402
from traceclio_anthropic.namer import AnthropicNamer  # noqa: E402
from traceclio_anthropic.pricing import (CACHE_READ_FACTOR, CHARS_PER_TOKEN, estimate_tokens,  # noqa: E402
                                         price_of)
from traceclio_anthropic.session import BackendOptions, RunSession  # noqa: E402

# Minimum cacheable prompt prefix per model (tokens): below it the API does not cache at all.
MIN_CACHEABLE = {"claude-haiku-4-5": 4096, "claude-sonnet-4-6": 1024}
TYPICAL_SUMMARY = "The user asked the agent to find and compare options for a purchase within a budget."
TYPICAL_FACETS = ModelFacets(task_summary=TYPICAL_SUMMARY, tool_call_sequence="search x3 → read → compare → answer",
                             failure_mode="retries a rate-limited call without backoff",
                             reasoning_pattern="act-observe with revision", resource_pattern="light",
                             completion_status=CompletionStatus.FAILED_HONESTLY, concerning_behavior=2)


def write_traces(directory: Path, n: int, seed: int) -> Path:
    try:
        from synthetic.dataset import write_dataset
    except ImportError:  # the generator is not there yet: the small hand-built fixture instead
        sys.path.insert(0, str(ROOT / "tests"))
        import behaviours
        from builders import write_jsonl

        requests, _ = behaviours.build(per_behaviour=max(1, n // len(behaviours.BEHAVIOURS)))
        return write_jsonl(directory / "traces.jsonl", requests)
    write_dataset(str(directory), n, seed)
    return directory / "traces.jsonl"


def load(path: Path, settings: Settings):
    pm = plugin_manager()
    rejects = RejectLog(settings.out_dir / "rejected.jsonl")
    traces = [t for s in pm.hook.traceclio_load_traces(locations=[str(path)], settings=settings, rejects=rejects)
              if s for t in s]
    rejects.close()
    direct = []
    for trace in traces:
        merged = {}
        for part in pm.hook.traceclio_compute_facets(trace=trace, settings=settings):
            merged.update(part or {})
        direct.append(DirectFacets(**{k: v for k, v in merged.items() if k in DirectFacets.model_fields}))
    return traces, direct


def stage_row(prompts, answer_tokens: int, model: str) -> dict:
    system = sum(estimate_tokens(p.system) for p in prompts)
    user = sum(estimate_tokens(p.user) for p in prompts)
    return {"calls": len(prompts), "model": model, "system_tokens": system, "user_tokens": user,
            "output_tokens": answer_tokens * len(prompts),
            "system_cacheable": bool(prompts) and estimate_tokens(prompts[0].system) >= MIN_CACHEABLE.get(model, 1024)}


def dollars(row: dict, batch: bool, cache: bool) -> float:
    price = price_of(row["model"])
    system = row["system_tokens"]
    if cache and row["system_cacheable"]:
        # first call writes the cache (1.25x), the rest read it (0.1x); approximated as all reads
        system *= CACHE_READ_FACTOR
    cost = ((system + row["user_tokens"]) * price.input + row["output_tokens"] * price.output) / 1e6
    return cost * (0.5 if batch else 1.0)


def naming_prompts(namer: AnthropicNamer, n: int, levels: int):
    leaves = default_k(n)
    evidence = [ClusterEvidence(
        cluster_id=f"L0-{c:03d}", size=n // leaves, total=n,
        failure_modes=[Share(value=TYPICAL_FACETS.failure_mode, inside=0.8, overall=0.1)] * 4,
        completion=[Share(value="failed_honestly", inside=0.7, overall=0.2)] * 3,
        sequences=[Share(value=TYPICAL_FACETS.tool_call_sequence, inside=0.5, overall=0.1)] * 3,
        reasoning=[Share(value=TYPICAL_FACETS.reasoning_pattern, inside=0.5, overall=0.3)] * 3,
        resources=[Share(value="light", inside=0.9, overall=0.7)] * 3,
        summaries=[TYPICAL_SUMMARY] * 8, contrast_summaries=[TYPICAL_SUMMARY] * 4) for c in range(leaves)]
    from traceclio_anthropic.answers import NameAnswer
    from traceclio_anthropic.transport import Prompt

    leaf_prompts = []
    for ev in evidence:
        from traceclio_anthropic.namer import evidence_text
        system, user = namer.leaf_template.render(evidence=evidence_text(ev), contrast="\n".join(
            f"- {s}" for s in ev.contrast_summaries))
        leaf_prompts.append(Prompt("naming", namer.leaf_template.version, "m", system, user, NameAnswer, 600))
    hierarchy, count = [], leaves
    child = ChildName(cluster_id="x", title="Retries a rate-limited search without backoff",
                      description="Runs that retried a failing call until the step limit without waiting.", size=40)
    for _ in range(1, levels):
        if count <= 1:
            break
        parents = parent_count(count)
        hoods = max(1, -(-count // 40))
        listing = "\n".join(f"{i}. {child.title}: {child.description}" for i in range(min(count, 40)))
        for _ in range(hoods):
            hierarchy.append(namer._prompt(namer.propose_template, NameAnswer, count=str(parents), children=listing,
                                           contrast="(none)"))
            hierarchy.append(namer._prompt(namer.assign_template, NameAnswer, children=listing, parents="\n".join(
                f"{i}. {child.title}: {child.description}" for i in range(parents))))
        if hoods > 1:
            hierarchy.append(namer._prompt(namer.dedupe_template, NameAnswer, count=str(parents), proposals=listing))
        hierarchy.extend(namer.rename_prompt([child] * max(1, count // parents), [child.title] * 4)
                         for _ in range(parents))
        count = parents
    return leaf_prompts, hierarchy, leaves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--traces", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--trace-tokens", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(llm="anthropic", out_dir=Path(tmp), cache_dir=Path(tmp) / "cache",
                            plugin_options={"anthropic": {"trace_tokens": args.trace_tokens}})
        traces, direct = load(write_traces(Path(tmp), args.traces, args.seed), settings)
        session = RunSession(settings, BackendOptions.from_settings(settings))
        extractor = AnthropicFacetExtractor(session)
        facet_prompts = [extractor.prompt_for(t, d) for t, d in zip(traces, direct)]
        namer = AnthropicNamer(session)
        leaf_prompts, hierarchy, leaves = naming_prompts(namer, len(traces), settings.levels)
        from traceclio_anthropic.audit import audit_prompts
        from traceclio_core.hierarchy import ClusterNode

        clusters = [ClusterNode(id=f"L0-{i:03d}", level=0, title="Retries a rate-limited search without backoff",
                                description="Runs that retried a failing call until the step limit.", size=1,
                                tenants=1) for i in range(leaves + len(hierarchy) // 3)]
        audits = [p for p, _ in audit_prompts(clusters, session)]
    facet_answer = estimate_tokens(TYPICAL_FACETS.model_dump_json())
    rows = {
        "facets": stage_row(facet_prompts, facet_answer, session.model("facets")),
        "naming": stage_row(leaf_prompts, 80, session.model("naming")),
        "hierarchy": stage_row(hierarchy, 150, session.model("hierarchy")),
        "audit": stage_row(audits, 40 * 20, session.model("audit")),
    }
    n = len(traces)
    print(f"{n} traces, tokens estimated at {CHARS_PER_TOKEN} chars/token, list prices (pricing.py)\n")
    print(f"{'stage':<10}{'model':<20}{'calls':>6}{'in tok/trace':>14}{'out tok/trace':>15}"
          f"{'$/trace':>11}{'batch':>11}{'+cache':>11}{'batch+cache':>13}")
    totals = {key: 0.0 for key in ("list", "batch", "cache", "both")}
    for name, row in rows.items():
        batchable = name == "facets"  # naming and later are few interactive calls
        costs = {"list": dollars(row, False, False), "batch": dollars(row, batchable, False),
                 "cache": dollars(row, False, True), "both": dollars(row, batchable, True)}
        for key in totals:
            totals[key] += costs[key]
        print(f"{name:<10}{row['model']:<20}{row['calls']:>6}{(row['system_tokens'] + row['user_tokens']) / n:>14.0f}"
              f"{row['output_tokens'] / n:>15.1f}" + "".join(f"{costs[k] / n:>11.6f}" for k in ("list", "batch",
                                                                                                 "cache"))
              + f"{costs['both'] / n:>13.6f}" + ("" if row["system_cacheable"] else "  (system prompt below the "
                                                 "model's cache minimum: caching saves nothing)"))
    print(f"{'total':<36}{'':>14}{'':>15}" + "".join(f"{totals[k] / n:>11.6f}" for k in ("list", "batch", "cache"))
          + f"{totals['both'] / n:>13.6f}")
    user_tokens = sorted(estimate_tokens(p.user) for p in facet_prompts)
    print(f"\nfacet prompt input tokens per trace: median {user_tokens[n // 2]}, p95 {user_tokens[int(n * 0.95)]}, "
          f"max {user_tokens[-1]} (+{estimate_tokens(facet_prompts[0].system)} system)")
    target = 0.002
    print(f"end to end, batched: ${totals['both'] / n:.6f} per trace (target ${target}: "
          f"{'met' if totals['both'] / n <= target else 'NOT met'})")
    print(json.dumps({"dollars_per_trace": {k: round(v / n, 6) for k, v in totals.items()}}))


if __name__ == "__main__":
    main()
