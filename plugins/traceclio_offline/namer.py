"""The offline namer: titles and descriptions from contrast, at every level (Clio's contrastive naming).

A leaf is titled by the evidence that sets it apart from its nearest leaves (deviations first), as the
core measured it (`ClusterEvidence.distinguishing`): the phrases most of its traces share and its
neighbours mostly lack, and a facet value it holds far more often than the run. No glossary: the words
are the evidence's own. A cluster that no phrase describes for the most part is titled "Mixed" and says
so. A parent is named the same way from all the traces beneath it, against its sibling parents.
"""

from __future__ import annotations

from collections.abc import Sequence

from traceclio_core.components import ClusterEvidence, ClusterName, Contrast, ParentEvidence
from traceclio_core.hookspecs import hookimpl
from traceclio_core.settings import Settings

VERSION = "offline-namer-contrast-1"
# A title is checked trace by trace, so it claims only what nearly every trace under it shows.
DESCRIBES = 0.8  # a phrase held by this share of a cluster describes it
SETS_APART = 1.3  # ... and sets it apart when it holds this many times as often as in the nearest clusters
TITLE_PHRASES = 2
MIXED_PHRASES = 3  # a mixed cluster names up to three phrases that between them cover most of its traces
COVERED = 0.9  # ... and says "other" when they leave more than this share's complement out
ATTRIBUTE_LIFT = 3.0
MENTIONED = 0.5  # the description also names phrases at least this share holds, with their shares


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _leading(phrases: Sequence[Contrast]) -> list[Contrast]:
    describing = [c for c in phrases if c.inside >= DESCRIBES]
    apart = [c for c in describing if c.lift >= SETS_APART]
    chosen = apart or describing
    # Deviations lead: what went unusually is what a reader looks for first.
    return sorted(chosen, key=lambda c: (not c.deviation, -(c.inside - c.nearby), c.text))[:TITLE_PHRASES]


def _pct(x: float) -> str:
    return f"{x:.0%}"


def title_and_description(phrases: Sequence[Contrast], attributes: Sequence[Contrast], heterogeneous: bool,
                          where: str, cover: Sequence[Contrast] = (), cover_share: float = 0.0) -> ClusterName:
    leading = [] if heterogeneous else _leading(phrases)
    if not leading:
        # A mixed cluster lists the phrases that between them hold for the most of its traces, and says
        # when they still leave some out.
        common = list(cover) or sorted(phrases, key=lambda c: -c.inside)[:MIXED_PHRASES]
        listed = " / ".join(c.text for c in common)
        if len(common) == 1 and cover_share >= COVERED:
            title = _sentence(listed)  # one phrase nearly all of it holds, though its neighbours hold it too
        else:
            # "/ other" unless the listed phrases cover every trace: a mixed title claims one of them of each.
            title = (f"Mixed: {listed}" + ("" if cover_share >= 1.0 else " / other")) if common else "Mixed runs"
        said = "; ".join(f"{c.text} ({_pct(c.inside)})" for c in common)
        covered = f" Between them these cover {_pct(cover_share)} of them." if cover else ""
        return ClusterName(title=title, description=f"No single piece of evidence describes most of these traces. "
                                                    f"The most common: {said}.{covered}" if said else
                                                    "No single piece of evidence describes most of these traces.")
    title = _sentence(", ".join(c.text for c in leading))
    # A facet value that the phrases already say ("answer form: question" beside "answer is a question").
    said = " ".join(c.text for c in leading).lower()
    strong = [a for a in attributes if a.inside >= DESCRIBES and a.lift >= ATTRIBUTE_LIFT
              and a.text.split(": ", 1)[-1].replace("_", " ") not in said]
    if strong:
        title += f" ({strong[0].text})"
    # A phrase its plugin defines (a detector's definition) opens the description with what it means.
    meanings = " ".join(dict.fromkeys(c.meaning for c in leading if c.meaning))
    parts = [f"{_pct(c.inside)} of them: {c.text} (vs {_pct(c.nearby)} {where})" for c in leading]
    others = [c for c in phrases if c not in leading and c.inside >= MENTIONED and c.lift >= SETS_APART][:2]
    parts += [f"{_pct(c.inside)}: {c.text}" for c in others]
    if attributes:
        parts.append("over-represented: " + ", ".join(f"{a.text} ({_pct(a.inside)} vs {_pct(a.overall)} of the run)"
                                                     for a in attributes[:3]))
    shares = _sentence("; ".join(parts)) + "."
    return ClusterName(title=title, description=f"{meanings} {shares}" if meanings else shares)


def name_leaf(ev: ClusterEvidence) -> ClusterName:
    return title_and_description(ev.distinguishing, ev.attributes, ev.heterogeneous, "in the nearest clusters",
                                 ev.cover, ev.cover_share)


def name_parent(ev: ParentEvidence) -> ClusterName:
    named = title_and_description(ev.distinguishing, [], False, "in the nearest groups", ev.cover, ev.cover_share)
    # Work whose evidence shows no deviation: said as that, since evidence cannot vouch that it went well.
    title = named.title if ev.failing or named.title.startswith("Mixed") else \
        f"No deviation seen: {named.title[:1].lower()}{named.title[1:]}"
    size = sum(c.size for c in ev.children)
    listed = "; ".join(f"{c.title} ({c.size})" for c in sorted(ev.children, key=lambda c: -c.size)[:6])
    more = f"; and {len(ev.children) - 6} more" if len(ev.children) > 6 else ""
    clusters = "1 cluster" if len(ev.children) == 1 else f"{len(ev.children)} clusters"
    return ClusterName(title=title, description=f"{named.description} {clusters}, {size} traces: {listed}{more}.")


class OfflineNamer:
    version = VERSION

    def name_clusters(self, clusters: Sequence[ClusterEvidence]) -> list[ClusterName]:
        names = [name_leaf(ev) for ev in clusters]
        # Leaves that would share a title are told apart by the next piece of evidence each holds most.
        seen: dict[str, int] = {}
        for i, (ev, name) in enumerate(zip(clusters, names)):
            if name.title in seen:
                extra = next((c for c in sorted(ev.distinguishing, key=lambda c: -c.inside)
                              if c.text.lower() not in name.title.lower() and c.inside >= MENTIONED), None)
                if extra is not None:
                    names[i] = name.model_copy(update={"title": f"{name.title}; mostly {extra.text}"})
            seen[names[i].title] = i
        return names

    def name_parents(self, parents: Sequence[ParentEvidence]) -> list[ClusterName]:
        return [name_parent(ev) for ev in parents]


@hookimpl(trylast=True)
def traceclio_namer(settings: Settings) -> OfflineNamer | None:
    return OfflineNamer() if settings.llm == "offline" else None
