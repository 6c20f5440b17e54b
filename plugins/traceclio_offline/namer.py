"""The offline namer: titles and descriptions from what distinguishes a cluster's facets from the rest.

Deterministic and free. A leaf is titled by its dominant failure mode (or, for healthy runs, by how
they ended and how the agent worked) and described by a plain sentence saying what that behaviour is;
the cluster's numbers (share, endings, tool use) are its profile, which the core computes for any namer. Parents are named by the themes their
children share.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from traceclio_core.components import ClusterEvidence, ClusterName, ParentEvidence
from traceclio_core.render import ERROR_WORDS as _ERROR_WORDS
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings

VERSION = "offline-namer-10"

_ENDINGS = {
    "succeeded": "Succeeds",
    "failed_honestly": "Reports a failure honestly",
    "claimed_success_despite_failure": "Claims success its tools do not support",
    "incomplete": "Stops before the task is done",
    "refused": "Refuses the request",
    "asked_clarification": "Asks a clarifying question",
}
# Themes a parent is named by, matched against its children's titles (offline-extractor vocabulary
# first, generic words after, so model-written titles also find a theme).
_THEMES = (
    ("Prompt injection and data leaks", r"inject|secrets|personal data|link or offer"),
    ("Claims not backed by tool calls", r"never runs|no tool call|without calling|never ran|cites sources|"
                                        r"specifics after an empty|verified a change|hallucinat"),
    ("Tool errors hidden behind an answer", r"after a tool failed|from memory|batch as done|swallow"),
    ("Retry and repetition loops", r"\bretr|same failing call|\brepeats\b|\bresends\b|re-reads|identical calls"),
    ("Runaway effort: planning, searching, context and sub-agents",
     r"plan repeatedly|rewrites its draft|searches|search queries|context|sub-agents|fans out|token limit|"
     r"iteration|step limit|back and forth|deeper|opposite actions"),
    ("Tools that do not exist", r"do not exist"),
    ("Requests not followed: limits, values and extra steps", r"prohibition|different one|skipped one"),
    ("Premature completion", r"before finishing|before the task|premature"),
    ("Sub-agent findings ignored", r"sub-agent reported"),
    ("Refusals and claimed inability", r"refus|cannot do"),
    ("Clarifying questions", r"clarif"),
    ("Honest failures", r"failure honestly|honest"),
    ("Healthy completions", r"completes the task|succeed"),
)


# What each offline failure phrase means, in an analyst's words: the first sentence of a description.
_GLOSSES = {
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
_HEALTHY_GLOSSES = {
    "failed_honestly": "A tool call fails and the agent tells the user plainly that it could not finish.",
    "asked_clarification": "The request is ambiguous or missing a detail, so the agent asks the user instead of guessing.",
    "refused": "The agent declines a request that touches someone else's data or an unauthorised action, and says why.",
    "revises a call after an error": "A call fails (often not found or invalid) and a corrected call succeeds.",
    "waits and retries until the call succeeds": "A call fails on a transient error; the agent waits, retries the "
                                                 "same call, and it goes through.",
    "changes approach after an empty result": "A first attempt comes back empty and the agent changes approach and succeeds.",
    "revises its approach after a tool result": "The agent revises its query after a tool result and then succeeds.",
    "answers directly without tools": "The agent answers directly, without needing a tool.",
    "single tool step": "One tool lookup, summarised faithfully.",
    "plans then executes": "The agent states a plan and runs each step once, in order.",
    "act-observe loop": "The agent alternates tool calls and observations and reports the result.",
}


def gloss(failure: str, ending: str, reasoning: str) -> str:
    """A plain sentence saying what the behaviour is (empty when the failure phrase is not one of ours)."""
    if " the same " in failure and " call " in failure and " after each " in failure:
        # "<pace> after each <error>": the sentence keeps both.
        return f"The agent {failure}, never changing the call and never getting through."
    if failure and failure != "none":
        return _GLOSSES.get(failure, "")
    return _HEALTHY_GLOSSES.get(ending) or _HEALTHY_GLOSSES.get(reasoning, "")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def name_leaf(ev: ClusterEvidence) -> ClusterName:
    top = ev.failure_modes[0] if ev.failure_modes else None
    ending = ev.completion[0] if ev.completion else None
    reasoning = ev.reasoning[0].value if ev.reasoning else ""
    if top and top.value != "none" and top.inside >= 0.5:
        title = _sentence(top.value)
    elif top and top.value != "none" and len(ev.failure_modes) > 1 and ev.failure_modes[1].value != "none":
        title = f"Mixed: {top.value} / {ev.failure_modes[1].value}"
    else:
        title = _ENDINGS.get(ending.value if ending else "", "Runs") + (f": {reasoning}" if reasoning else "")
        # Healthy or honest leaves differ mostly by what went wrong on the way: say it in the title.
        if ev.error_classes and ev.error_classes[0].value != "other" and ev.error_classes[0].inside >= 0.5:
            title += f" ({_ERROR_WORDS.get(ev.error_classes[0].value, ev.error_classes[0].value)})"
    meaning = gloss(top.value if top else "", ending.value if ending else "", reasoning)
    # Delegation is named only where it sets the cluster apart: many frameworks wrap every run in sub-agents.
    inside = sum(r.inside for r in ev.resources if "sub-agent" in r.value)
    overall = sum(r.overall for r in ev.resources if "sub-agent" in r.value)
    delegated = inside >= 0.5 and inside >= 1.5 * overall
    if delegated and not (top and top.value != "none" and top.inside >= 0.5):
        # Healthy runs that hand work to a sub-agent read apart from those that do not.
        title += " via a sub-agent"
        meaning = (meaning + " " if meaning else "") + "Part of the work is handed to a sub-agent, whose result is used."
    if not meaning:
        # A phrase this namer has no sentence for (a model-written failure mode): say it plainly.
        meaning = _sentence(f"runs that {top.value}." if top and top.value != "none" else f"{title}.")
    return ClusterName(title=title, description=meaning)


# A leaf named by how its runs ended, with no failure, belongs to that ending's theme whatever words
# follow ("Succeeds: waits and retries …" is a healthy run, not a retry loop).
_ENDING_THEMES = {
    _ENDINGS["succeeded"]: "Healthy completions",
    _ENDINGS["failed_honestly"]: "Honest failures",
    _ENDINGS["asked_clarification"]: "Clarifying questions",
    _ENDINGS["refused"]: "Refusals and claimed inability",
}


def _theme(title: str) -> str | None:
    for theme, _ in _THEMES:
        if title.startswith(theme):  # a parent's own title, one level further up
            return theme
    for ending, theme in _ENDING_THEMES.items():
        if title.startswith(ending):
            return theme
    for theme, pattern in _THEMES:
        if re.search(pattern, title, re.I):
            return theme
    return None


def name_parent(ev: ParentEvidence) -> ClusterName:
    weights: Counter[str] = Counter()
    for child in ev.children:
        weights[_theme(child.title) or child.title] += child.size
    themes = [t for t, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))]
    title = themes[0] if len(themes) == 1 else f"{themes[0]} and {themes[1].lower()}" if len(themes) == 2 \
        else f"{themes[0]}, {themes[1].lower()} and more"
    size = sum(c.size for c in ev.children)
    listed = "; ".join(f"{c.title} ({c.size})" for c in sorted(ev.children, key=lambda c: -c.size)[:6])
    more = f"; and {len(ev.children) - 6} more" if len(ev.children) > 6 else ""
    behaviours = "1 behaviour" if len(ev.children) == 1 else f"{len(ev.children)} behaviours"
    return ClusterName(title=title, description=f"{behaviours}, {size} traces: {listed}{more}.")


class OfflineNamer:
    version = VERSION

    def name_clusters(self, clusters: Sequence[ClusterEvidence]) -> list[ClusterName]:
        return [name_leaf(ev) for ev in clusters]

    def name_parents(self, parents: Sequence[ParentEvidence]) -> list[ClusterName]:
        return [name_parent(ev) for ev in parents]


@hookimpl(trylast=True)
def traceclio_namer(settings: Settings) -> OfflineNamer | None:
    return OfflineNamer() if settings.llm == "offline" else None
