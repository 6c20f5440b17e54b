"""One level of the hierarchy built by the model, as in Clio's appendix (the HierarchyBuilder protocol).

For each neighbourhood of children: propose parents (seeing clusters outside it for contrast); then
deduplicate all proposals into at most the target count; assign every child to exactly one parent; drop
parents left empty; rename each parent from the children it actually got. Each step that fails twice
falls back to something deterministic, so a level is always built.

Without child vectors (build_level receives none) the "nearest outside clusters" are approximated by the
largest clusters of the other neighbourhoods and, for renaming, by the parents sharing most words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from traceclio_core.components import ChildName, ClusterName

from traceclio_anthropic import prompts
from traceclio_anthropic.answers import AssignAnswer, NameAnswer, ParentsAnswer
from traceclio_anthropic.condense import escape
from traceclio_anthropic.transport import Asker, Prompt

CONTRAST_PER_HOOD = 2
CONTRAST_MAX = 8
_WORD = re.compile(r"[a-z]{3,}")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _overlap(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / (len(wa | wb) or 1)


def _listing(items: Sequence[tuple[int, str, str]]) -> str:
    return "\n".join(f"{i}. {escape(title)}: {escape(description)}" for i, title, description in items)


class HierarchyLevels:
    def __init__(self, session, asker: Asker):
        self.session = session
        self.asker = asker
        self.propose_template = prompts.load("propose_parents")
        self.dedupe_template = prompts.load("dedupe_parents")
        self.assign_template = prompts.load("assign_parent")
        self.rename_template = prompts.load("rename_parent")
        self.levels_version = "+".join(t.version for t in (self.propose_template, self.dedupe_template,
                                                            self.assign_template, self.rename_template))

    def check_budget(self, built: Sequence[Prompt], what: str) -> None:
        self.session.check_budget(sum(p.estimated_dollars() for p in built), what)

    def _prompt(self, template, answer, **values) -> Prompt:
        system, user = template.render(**values)
        return Prompt("hierarchy", template.version, self.session.model("hierarchy"), system, user, answer,
                      self.session.options.naming_max_tokens * 4)

    def name_check(self, answer: NameAnswer) -> str | None:
        return self.session.leaks.problem(f"{answer.title}. {answer.description}")

    def rename_prompt(self, children: Sequence[ChildName], contrast: Sequence[str]) -> Prompt:
        listing = "\n".join(f"- {escape(c.title)}: {escape(c.description)} ({c.size} runs)" for c in children)
        system, user = self.rename_template.render(
            children=listing, contrast="\n".join(f"- {escape(t)}" for t in contrast) or "(none)")
        return Prompt("hierarchy", self.rename_template.version, self.session.model("hierarchy"), system, user,
                      NameAnswer, self.session.options.naming_max_tokens)

    def _names_ok(self, answer: ParentsAnswer) -> str | None:
        for parent in answer.parents:
            problem = self.session.leaks.problem(f"{parent.title}. {parent.description}")
            if problem:
                return problem
        return None

    def build_level(self, children: Sequence[ChildName], neighbourhoods: Sequence[Sequence[int]],
                    n_parents: int) -> tuple[list[int], list[ClusterName]]:
        """Each child's parent index and a name per parent (see the module docstring for the steps)."""
        n_parents = max(1, min(n_parents, len(children)))
        hoods = [list(h) for h in neighbourhoods if h] or [list(range(len(children)))]
        proposals = self._propose(children, hoods, n_parents)
        parents = self._dedupe(proposals, n_parents, several=len(hoods) > 1)
        labels = self._assign(children, hoods, parents)
        used = sorted(set(labels))
        renumber = {old: new for new, old in enumerate(used)}
        labels = [renumber[label] for label in labels]
        parents = [parents[old] for old in used]
        return labels, self._rename(children, labels, parents)

    def _propose(self, children, hoods, n_parents) -> list[NameAnswer]:
        total = len(children)
        built, counts = [], []
        for h, hood in enumerate(hoods):
            count = max(1, min(len(hood), round(n_parents * len(hood) / total)))
            others = [sorted(o, key=lambda i: -children[i].size)[:CONTRAST_PER_HOOD]
                      for j, o in enumerate(hoods) if j != h]
            contrast = [children[i] for group in others for i in group][:CONTRAST_MAX]
            built.append(self._prompt(
                self.propose_template, ParentsAnswer, count=str(count),
                children=_listing([(n, children[i].title, children[i].description) for n, i in enumerate(hood)]),
                contrast=_listing([(n, c.title, c.description) for n, c in enumerate(contrast)]) or "(none)"))
            counts.append(count)
        self.check_budget(built, "hierarchy proposals")
        with ThreadPoolExecutor(max_workers=self.session.options.concurrency) as pool:
            answers = list(pool.map(lambda p: self.asker.ask(p, check=self._names_ok), built))
        proposals: list[NameAnswer] = []
        for hood, count, answer in zip(hoods, counts, answers):
            if isinstance(answer, str):
                largest = max(hood, key=lambda i: children[i].size)
                proposals.append(NameAnswer(title=children[largest].title, description=children[largest].description))
            else:
                proposals.extend(answer.parents[:count])
        return proposals

    def _dedupe(self, proposals: list[NameAnswer], n_parents: int, several: bool) -> list[NameAnswer]:
        distinct = list({p.title.strip().lower(): p for p in proposals}.values())
        if not several and len(distinct) <= n_parents:
            return distinct
        prompt = self._prompt(self.dedupe_template, ParentsAnswer, count=str(n_parents),
                              proposals=_listing([(n, p.title, p.description) for n, p in enumerate(distinct)]))
        self.check_budget([prompt], "hierarchy deduplication")
        answer = self.asker.ask(prompt, check=self._names_ok)
        if isinstance(answer, str):
            return distinct[:n_parents]
        return answer.parents[:n_parents]

    def _assign(self, children, hoods, parents: list[NameAnswer]) -> list[int]:
        parent_list = _listing([(n, p.title, p.description) for n, p in enumerate(parents)])
        built = [self._prompt(self.assign_template, AssignAnswer, parents=parent_list,
                              children=_listing([(n, children[i].title, children[i].description)
                                                 for n, i in enumerate(hood)]))
                 for hood in hoods]
        self.check_budget(built, "hierarchy assignment")

        def complete(size):
            def check(answer: AssignAnswer) -> str | None:
                given = [a.child for a in answer.assignments]
                if sorted(given) != list(range(size)):
                    return f"every cluster number 0..{size - 1} must appear exactly once"
                if any(not 0 <= a.parent < len(parents) for a in answer.assignments):
                    return f"parent numbers must be between 0 and {len(parents) - 1}"
                return None
            return check

        with ThreadPoolExecutor(max_workers=self.session.options.concurrency) as pool:
            answers = list(pool.map(lambda pair: self.asker.ask(pair[0], check=complete(len(pair[1]))),
                                    zip(built, hoods)))
        labels = [0] * len(children)
        for hood, answer in zip(hoods, answers):
            if isinstance(answer, str):
                # Fallback: the parent whose words overlap the child's most.
                for i in hood:
                    text = f"{children[i].title} {children[i].description}"
                    labels[i] = max(range(len(parents)),
                                    key=lambda p: (_overlap(text, f"{parents[p].title} {parents[p].description}"), -p))
            else:
                for a in answer.assignments:
                    labels[hood[a.child]] = a.parent
        return labels

    def _rename(self, children, labels: list[int], parents: list[NameAnswer]) -> list[ClusterName]:
        built = []
        for p, parent in enumerate(parents):
            members = [children[i] for i, label in enumerate(labels) if label == p]
            others = sorted((q for q in range(len(parents)) if q != p),
                            key=lambda q: -_overlap(parent.title, parents[q].title))[:4]
            built.append(self.rename_prompt(members, [parents[q].title for q in others]))
        self.check_budget(built, "parent renaming")
        with ThreadPoolExecutor(max_workers=self.session.options.concurrency) as pool:
            answers = list(pool.map(lambda p: self.asker.ask(p, check=self.name_check), built))
        return [ClusterName(title=a.title, description=a.description) if not isinstance(a, str)
                else ClusterName(title=parent.title, description=parent.description)
                for a, parent in zip(answers, parents)]
