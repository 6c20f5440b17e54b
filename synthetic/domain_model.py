"""What a domain supplies to the generator: vocabulary, requests and tools by role.

Behaviours never name a concrete tool; they ask for a role ("lookup", "search",
"act", "verify", "notify") so that every behaviour runs in every domain.
"""
from dataclasses import dataclass, field

TOOL_ROLES = ("lookup", "search", "act", "verify", "notify")


@dataclass(frozen=True)
class ToolSpec:
    """A tool as verb + noun, rendered per naming style; args/result are templates."""
    verb: str
    noun: str
    args: dict
    result: dict


@dataclass(frozen=True)
class Domain:
    id: str
    server: str                # prefix for MCP-style names, e.g. "crm"
    agent_names: tuple
    system: str                # system prompt template
    record: str                # the main thing the user asks about, e.g. "order"
    id_prefix: str
    topics: tuple
    requests: tuple            # user request templates
    goal: str                  # what "doing the task" means, imperative
    done: str                  # how a successful outcome is reported, past tense
    tools: dict = field(default_factory=dict)   # role -> ToolSpec


def _words(verb, noun):
    return [w for w in (verb + "_" + noun).split("_") if w]


def render_tool_name(spec, style, server):
    """Renders a ToolSpec name in one of the naming styles found in real toolsets."""
    words = _words(spec.verb, spec.noun)
    if style == "snake":
        return "_".join(words)
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if style == "dotted":
        return spec.noun.replace("_", "") + "." + spec.verb
    if style == "mcp":
        return server + "__" + "_".join(words)
    if style == "kebab":
        return "-".join(words)
    return "".join(w.capitalize() for w in words)   # pascal


def render_arg_key(key, style):
    if style in ("camel", "pascal"):
        head, *rest = key.split("_")
        return head + "".join(w.capitalize() for w in rest)
    return key


def fill_template(value, fill):
    """Formats every string inside a nested template with the trace's fill values."""
    if isinstance(value, str):
        return value.format(**fill)
    if isinstance(value, dict):
        return {k: fill_template(v, fill) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_template(v, fill) for v in value]
    return value
