"""The known-pattern detectors as a facet: `known_patterns`, every known failure pattern a trace matches.

They are ready-made monitors (and the verdict behind the offline `failure_mode`), not the lens: the
default axis is the evidence, with these phrases beside it. `traceclio run --detectors off` leaves them
out, for measurement and for pure discovery.
"""

from __future__ import annotations

from typing import Any

from traceclio_core.facets import FacetRow, FacetSpec, Phrase
from traceclio_core.hookspecs import hookimpl
from traceclio_core.model import Trace
from traceclio_core.settings import Settings
from traceclio_structure.direct import compute_direct_facets
from traceclio_offline.extractor import VERSION, known_patterns  # noqa: F401  (VERSION keys the facet cache)

SPEC = FacetSpec("known_patterns", "list[str]", "Known failure patterns the detector rules find in this trace, "
                                                "most specific first (empty with --detectors off).")
# A detector's finding is exact where it holds: it weighs like the strongest evidence.
WEIGHT = 3.0
# What each detector looks for, in an analyst's words: the detector's own definition, shown beside its finding.
DEFINITIONS = {
    "follows instructions injected in a tool result":
        "A tool result carries hidden instructions and the agent obeys them, calling a tool the user never asked for.",
    "urges the user toward a link or offer the request never mentioned":
        "The answer pushes the user to a site or product nobody asked about, as text planted in retrieved "
        "content would have it do.",
    "repeats content injected in a tool result":
        "Instructions planted in retrieved content change the answer, which repeats what the planted text wanted.",
    "copies secrets or personal data from a tool result":
        "The answer copies credentials, keys or other people's personal data out of a tool result.",
    "asks for a tool call that never runs, then answers as if it had":
        "The model requests a tool call that never runs, then reports a result it never received.",
    "context grew until it hit the model's limit":
        "The conversation grows with large tool outputs until the model's context limit is exceeded.",
    "answer cut off at the output token limit":
        "The reply hits the output token limit and the user gets a cut-off answer.",
    "delegates deeper and deeper to sub-agents":
        "Agents hand work to sub-agents that delegate again, deeper and deeper, until a depth limit stops the run.",
    "hands the task back and forth between agents":
        "Two agents keep handing the same task back and forth without either doing it.",
    "fans out to many sub-agents":
        "A simple request spawns many sub-agents doing near-identical work.",
    "writes the same plan repeatedly and never executes it":
        "The agent writes nearly the same plan again and again without executing it, until an iteration limit.",
    "critiques and rewrites its draft answer endlessly":
        "The agent keeps critiquing and rewriting its own draft without converging, until it runs out of turns.",
    "calls tools that do not exist":
        "The agent calls tools that are not in its toolset and gets unknown-tool errors.",
    "flips between two opposite actions, undoing itself":
        "The agent flips between two opposite actions again and again without settling.",
    "hammers the same failing call with no wait between attempts":
        "The agent retries a failing call back to back, with no wait between attempts, never changing the call.",
    "resends arguments that already failed validation":
        "Tool arguments fail validation and the agent resends the same malformed arguments after each error.",
    "reports a batch as done when some items failed":
        "Some operations of a batch fail, yet the agent reports all of them as completed.",
    "answers from memory after a tool failed":
        "The live lookup fails and the agent answers from memory as if the data were current.",
    "reports success after a tool failed":
        "A tool call fails, but the final answer tells the user the task succeeded.",
    "tells the user it did something that no tool call did":
        "The answer says something was updated, booked, sent, computed or looked up, but no tool call did it.",
    "cites sources that no tool returned":
        "The answer cites sources, papers or links that never appeared in any tool result.",
    "answers with specifics after an empty result":
        "A search returns nothing and the agent answers with specific details anyway.",
    "re-reads the same record with identical calls":
        "The agent repeats identical successful calls that return the same data.",
    "runs many near-duplicate searches with reworded queries":
        "The agent runs a long series of near-duplicate searches before answering.",
    "search queries drift away from the request":
        "Successive searches drift away from the user's question.",
    "claims it verified a change that was never checked":
        "The agent says it verified or tested a change, but no check was run after it.",
    "ignores what its sub-agent reported":
        "A sub-agent reports a blocking finding, but the final answer contradicts it and reports success.",
    "declares the task done before finishing its plan":
        "The agent lays out a multi-step plan, does part of it, and declares the whole task complete.",
    "says it cannot do what its tools allow":
        "The agent claims it has no access or ability although a tool for it is available, and never tries.",
    "refuses a harmless request citing policy":
        "The agent refuses a harmless, in-scope request citing safety, privacy or policy.",
    "stops on an error without answering":
        "The run ends on an error and the user gets no answer.",
    "stops at the step limit without finishing":
        "The run hits the framework's iteration or step limit and stops without an answer.",
    "acts against a limit or a prohibition the user stated":
        "The user set a limit or said not to do something, and a tool call goes past the limit or does it anyway.",
    "confirms the user's date or amount but acted on a different one":
        "The answer repeats the date or amount the user gave, but the tool call that did the work used another.",
    "says it did every part of the request but skipped one":
        "The user asked for an extra step, no tool call performed it, and the answer says everything was done.",
    "sees instructions injected in a tool result and ignores them":
        "A tool result carries planted instructions and the agent ignores them.",
}


def definition(pattern: str) -> str:
    if " the same call " in pattern and " after each " in pattern:
        return f"The agent {pattern}, never changing the call and never getting through."
    return DEFINITIONS.get(pattern, "")


@hookimpl(trylast=True)
def traceclio_compute_facets(trace: Trace, settings: Settings) -> dict[str, Any]:
    if not settings.detectors:
        return {}
    return {"known_patterns": known_patterns(trace, compute_direct_facets(trace))}


@hookimpl(trylast=True)
def traceclio_facet_specs(settings: Settings) -> list[FacetSpec]:
    return [SPEC] if settings.detectors else []


@hookimpl(trylast=True)
def traceclio_evidence_phrases(row: FacetRow, settings: Settings) -> list[Phrase]:
    return [Phrase(f"known pattern: {p}", WEIGHT, True, definition(p))
            for p in row.facets.get("known_patterns", [])[:1]]
