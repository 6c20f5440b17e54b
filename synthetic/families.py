"""Surface-form families: domain x phrasing style x framework shape, and their split.

A family fixes how a trace looks, never what the agent does: every behaviour
is generated in every family. Held-out families are those whose domain or
phrasing style is held out, so the held-out split shows unseen vocabulary and
unseen phrasing (about 29% of families).
"""
from dataclasses import dataclass

from .domains_business import BUSINESS_DOMAINS
from .domains_technical import TECHNICAL_DOMAINS

DOMAINS = BUSINESS_DOMAINS + TECHNICAL_DOMAINS
DOMAINS_BY_ID = {d.id: d for d in DOMAINS}

PHRASING_STYLES = ("plain", "formal", "casual", "terse", "markdown", "ticket_note")

# framework shape -> the tool naming style its toolsets tend to use
FRAMEWORKS = {
    "single_agent": "snake",
    "planner_executor": "camel",
    "router_specialists": "dotted",
    "mcp_assistant": "mcp",
    "nested_crew": "pascal",
}

HELDOUT_DOMAINS = ("insurance_claims", "logistics_dispatch")
HELDOUT_STYLES = ("ticket_note",)


@dataclass(frozen=True)
class Family:
    domain: str
    style: str
    framework: str

    @property
    def id(self):
        return f"{self.domain}/{self.style}/{self.framework}"

    @property
    def split(self):
        held = self.domain in HELDOUT_DOMAINS or self.style in HELDOUT_STYLES
        return "heldout" if held else "train"


FAMILIES = tuple(Family(d.id, s, f) for d in DOMAINS for s in PHRASING_STYLES for f in FRAMEWORKS)


def families_for_split(split):
    """Families usable for split "train", "heldout" or "all", in a fixed order."""
    if split == "all":
        return FAMILIES
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train', 'heldout' or 'all', not {split!r}")
    return tuple(f for f in FAMILIES if f.split == split)
