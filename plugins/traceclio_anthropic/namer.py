"""Cluster and hierarchy names on a Sonnet-class model, from sanitised evidence with contrast (Clio's appendix).

A leaf is named from a sample of its own summaries beside the nearest summaries outside it, with its
aggregate facet shares. A name that copies trace content or reads like an injected instruction is re-asked
once, then replaced by a clearly marked fallback name. Levels above are built by HierarchyLevels.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from traceclio_core.components import ClusterEvidence, ClusterName, ParentEvidence, Share

from traceclio_anthropic import prompts
from traceclio_anthropic.answers import NameAnswer
from traceclio_anthropic.condense import escape
from traceclio_anthropic.hierarchy_levels import HierarchyLevels
from traceclio_anthropic.session import RunSession
from traceclio_anthropic.transport import Asker, Prompt

FALLBACK_MARK = "[unnamed]"


def _shares(label: str, shares: Sequence[Share]) -> str:
    if not shares:
        return ""
    items = "; ".join(f"{escape(s.value)} {s.inside:.0%} (overall {s.overall:.0%})" for s in shares)
    return f"{label}: {items}\n"


def evidence_text(ev: ClusterEvidence) -> str:
    """A leaf's evidence as prompt text: aggregates first, then its sample summaries (escaped)."""
    text = f"runs in this cluster: {ev.size} of {ev.total} ({ev.size / max(ev.total, 1):.1%})\n"
    text += _shares("failure modes", ev.failure_modes) + _shares("how runs ended", ev.completion)
    text += _shares("top tool sequences", ev.sequences) + _shares("reasoning", ev.reasoning)
    text += _shares("resource use", ev.resources) + _shares("error classes", ev.error_classes)
    text += (f"per run: {ev.mean_tool_calls} tool calls, {ev.mean_tool_errors} tool errors, {ev.mean_retries} "
             f"retries, concern {ev.mean_concern}/5; {ev.claimed_not_run_rate:.0%} claim tools that never ran\n")
    if ev.distinguishing:
        # The evidence that sets it apart from its nearest clusters, measured by the core.
        text += "evidence that sets it apart (share here / in the nearest clusters): " + "; ".join(
            f"{escape(c.text)} {c.inside:.0%} / {c.nearby:.0%}" for c in ev.distinguishing) + "\n"
    if ev.attributes:
        text += "over-represented values: " + "; ".join(
            f"{escape(c.text)} {c.inside:.0%} (run {c.overall:.0%})" for c in ev.attributes) + "\n"
    if ev.heterogeneous:
        text += "no single piece of evidence describes most of its runs: say so rather than name it broadly\n"
    text += "sample summaries of runs in the cluster:\n" + "\n".join(f"- {escape(s)}" for s in ev.summaries)
    return text


def fallback_name(reason: str, hint: str) -> ClusterName:
    return ClusterName(title=f"{FALLBACK_MARK} {hint}".strip(),
                       description=f"The model's name could not be used ({reason[:160]}); this title was built "
                                   "by traceclio from the cluster's top facet value.")


class AnthropicNamer(HierarchyLevels):
    """A Namer and HierarchyBuilder: names leaves and parents, and builds each level of the hierarchy."""

    def __init__(self, session: RunSession, asker: Asker | None = None):
        super().__init__(session, asker or Asker(session))
        self.leaf_template = prompts.load("name_cluster")
        self.version = (f"anthropic:{session.model('naming')}:{self.leaf_template.version}:"
                        f"{session.model('hierarchy')}:{self.levels_version}")

    def ask_names(self, prompts_: list[Prompt], hints: list[str]) -> list[ClusterName]:
        """Ask every prompt (bounded concurrency); fall back to a marked name where an answer is unusable."""
        def one(pair: tuple[Prompt, str]) -> ClusterName:
            prompt, hint = pair
            found = self.asker.ask(prompt, check=self.name_check)
            if isinstance(found, str):
                return fallback_name(found, hint)
            return ClusterName(title=found.title, description=found.description)

        with ThreadPoolExecutor(max_workers=self.session.options.concurrency) as pool:
            return list(pool.map(one, zip(prompts_, hints)))

    def name_clusters(self, clusters: Sequence[ClusterEvidence]) -> list[ClusterName]:
        built = []
        for ev in clusters:
            contrast = "\n".join(f"- {escape(s)}" for s in ev.contrast_summaries) or "(none)"
            system, user = self.leaf_template.render(evidence=evidence_text(ev), contrast=contrast)
            built.append(Prompt("naming", self.leaf_template.version, self.session.model("naming"), system, user,
                                NameAnswer, self.session.options.naming_max_tokens))
        self.check_budget(built, "cluster naming")
        hints = [(ev.failure_modes[0].value if ev.failure_modes and ev.failure_modes[0].value != "none"
                  else (ev.completion[0].value if ev.completion else "cluster")).replace("_", " ")
                 for ev in clusters]
        return self.ask_names(built, hints)

    def name_parents(self, parents: Sequence[ParentEvidence]) -> list[ClusterName]:
        built = [self.rename_prompt(p.children, p.contrast_titles) for p in parents]
        self.check_budget(built, "parent naming")
        return self.ask_names(built, [p.children[0].title if p.children else "group" for p in parents])
