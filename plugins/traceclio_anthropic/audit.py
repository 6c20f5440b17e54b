"""The final privacy audit: a model reads each cluster's title and description and flags private content.

Fails closed: a cluster whose verdict cannot be had (malformed twice, API error) is suppressed, with the
reason saying so. A privacy tool that shows an unaudited name when the auditor is down is not one.

Verdicts are cached like every other answer (transport.AnswerCache, keyed by template version, model and
the exact prompt): a re-run on unchanged clusters sends nothing, a renamed cluster's group is asked again,
and a verdict that could not be had is not cached, so the next run asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from traceclio_core.hierarchy import ClusterNode

from traceclio_anthropic import prompts
from traceclio_anthropic.answers import AuditAnswer
from traceclio_anthropic.condense import escape
from traceclio_anthropic.session import RunSession
from traceclio_anthropic.transport import Asker, Prompt

STAGE = "audit"


def audit_prompts(clusters: Sequence[ClusterNode], session: RunSession) -> list[tuple[Prompt, list[str]]]:
    template = prompts.load(STAGE)
    out = []
    size = session.options.audit_batch
    for start in range(0, len(clusters), size):
        group = clusters[start:start + size]
        listing = "\n".join(f'<cluster id="{c.id}">\ntitle: {escape(c.title)}\ndescription: {escape(c.description)}'
                            "\n</cluster>" for c in group)
        system, user = template.render(clusters=listing)
        out.append((Prompt(STAGE, template.version, session.model(STAGE), system, user, AuditAnswer,
                           session.options.naming_max_tokens * 3), [c.id for c in group]))
    return out


def audit(clusters: Sequence[ClusterNode], session: RunSession, asker: Asker) -> list[tuple[str, str]]:
    """(cluster id, reason) for every cluster the auditor flags or could not clear."""
    built = audit_prompts(clusters, session)
    session.check_budget(sum(p.estimated_dollars() for p, _ in built), "privacy audit")

    def complete(ids):
        def check(answer: AuditAnswer) -> str | None:
            if sorted(v.cluster_id for v in answer.verdicts) != sorted(ids):
                return "exactly one verdict per listed cluster id is required"
            return None
        return check

    with ThreadPoolExecutor(max_workers=session.options.concurrency) as pool:
        answers = list(pool.map(lambda pair: asker.ask(pair[0], check=complete(pair[1])), built))
    flagged = []
    for (_, ids), answer in zip(built, answers):
        if isinstance(answer, str):
            flagged.extend((cid, f"privacy audit could not clear this cluster: {answer}"[:300]) for cid in ids)
            continue
        flagged.extend((v.cluster_id, f"privacy audit: {v.reason}") for v in answer.verdicts if v.private)
    return flagged
