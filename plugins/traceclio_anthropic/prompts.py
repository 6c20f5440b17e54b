"""The versioned prompt templates in prompts/ and the facet questions derived from ModelFacets.

A template file `<stage>.v<N>.md` holds the system prompt above a `=== user ===` line and the user message
below it; `$name` placeholders are filled with string.Template. The version is part of every cache key.
A wheel carries the templates inside this package (setup.py copies them to prompt_templates/); an editable
install or a plain checkout reads the repository's prompts/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from traceclio_core.facets import ModelFacets


def _templates_dir() -> Traversable:
    """The templates shipped inside this package, else the checkout's top-level prompts/."""
    packaged = resources.files("traceclio_anthropic") / "prompt_templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "prompts"


PROMPTS_DIR = _templates_dir()
USER_MARKER = "=== user ==="
_FILE = re.compile(r"^(?P<stage>[a-z_]+)\.v(?P<version>\d+)\.md$")


@dataclass(frozen=True)
class PromptTemplate:
    stage: str
    version: str  # e.g. "facets.v1": goes into cache keys and extractor versions
    system: Template
    user: Template

    def render(self, **values: str) -> tuple[str, str]:
        """(system prompt, user message) with every placeholder filled; a missing value is a KeyError."""
        return self.system.substitute(values), self.user.substitute(values)


@cache
def load(stage: str, version: int | None = None) -> PromptTemplate:
    """The template for `stage`: the given version, else the highest one in prompts/."""
    found = {}
    for path in PROMPTS_DIR.iterdir():
        match = _FILE.match(path.name)
        if match and match["stage"] == stage:
            found[int(match["version"])] = path
    if not found:
        raise FileNotFoundError(f"no prompt template for stage {stage!r} in {PROMPTS_DIR}")
    chosen = version if version is not None else max(found)
    text = found[chosen].read_text(encoding="utf-8")
    system, marker, user = text.partition(USER_MARKER)
    if not marker:
        raise ValueError(f"{found[chosen]} has no '{USER_MARKER}' line")
    return PromptTemplate(stage, f"{stage}.v{chosen}", Template(system.strip()), Template(user.strip()))


def facet_questions() -> str:
    """One line per ModelFacets field, from its description: the fields are the single source of truth."""
    lines = []
    for name, info in ModelFacets.model_fields.items():
        kind = "string"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            kind = "one of " + ", ".join(f'"{member.value}"' for member in annotation)
        elif annotation is int:
            bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in info.metadata}
            low, high = bounds.get("Ge"), bounds.get("Le")
            kind = f"integer from {low} to {high}" if low is not None and high is not None else "integer"
        lines.append(f'- "{name}" ({kind}): {info.description}')
    return "\n".join(lines)
