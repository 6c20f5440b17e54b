"""The structured answer of each stage: a strict pydantic model, its wire JSON schema, and validation.

Answers are validated twice: against the wire schema (jsonschema: exact fields, no extras) and by the
pydantic model (types, enums, bounds). The wire schema drops keywords the structured-output API does not
support (numeric bounds, defaults, titles), so the bounds are checked here, not trusted to the API.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from traceclio_core.facets import ModelFacets


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _required_copy(model: type[BaseModel], name: str) -> type[BaseModel]:
    """`model`'s fields, all required, extras forbidden: a model cannot skip or add a facet."""
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        bounds = {key: getattr(m, key) for m in info.metadata for key in ("ge", "le") if hasattr(m, key)}
        fields[field_name] = (info.annotation, Field(..., description=info.description, **bounds))
    return create_model(name, __base__=Strict, **fields)


FacetAnswer = _required_copy(ModelFacets, "FacetAnswer")


class NameAnswer(Strict):
    title: str = Field(..., min_length=3, max_length=120)
    description: str = Field(..., min_length=3, max_length=600)


class ParentsAnswer(Strict):
    parents: list[NameAnswer] = Field(..., min_length=1)


class Assignment(Strict):
    child: int
    parent: int


class AssignAnswer(Strict):
    assignments: list[Assignment]


class Verdict(Strict):
    cluster_id: str
    private: bool
    reason: str = Field(..., max_length=300)


class AuditAnswer(Strict):
    verdicts: list[Verdict]


_UNSUPPORTED = ("title", "default", "minimum", "maximum", "minLength", "maxLength", "exclusiveMinimum",
                "exclusiveMaximum")


def wire_schema(model: type[BaseModel]) -> dict:
    """A JSON schema the structured-output API accepts: $refs inlined, every property required,
    additionalProperties false, unsupported constraints removed (they are validated locally)."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return clean(defs[node["$ref"].rsplit("/", 1)[-1]])
            out = {k: clean(v) for k, v in node.items() if k not in _UNSUPPORTED}
            if "properties" in node:  # property names are data, not keywords: a field may be called "title"
                out["properties"] = {name: clean(sub) for name, sub in node["properties"].items()}
            if out.get("type") == "object" and "properties" in out:
                out["required"] = list(out["properties"])
                out["additionalProperties"] = False
            if out.get("type") == "array":
                out.pop("minItems", None)
            return out
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    return clean(raw)


class MalformedAnswer(ValueError):
    """The model's answer is not valid JSON for the stage's schema; the message says why (for the re-ask)."""


def parse_answer(text: str, model: type[BaseModel]) -> BaseModel:
    """The validated answer, or MalformedAnswer. Tolerates a ```json fence around the object."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`")
        body = body[4:] if body.startswith("json") else body
    try:
        data = json.loads(body)
    except json.JSONDecodeError as err:
        raise MalformedAnswer(f"not JSON: {err}") from None
    try:
        jsonschema.validate(data, wire_schema(model))
        return model.model_validate(data)
    except jsonschema.ValidationError as err:
        raise MalformedAnswer(f"schema: {err.message}") from None
    except ValidationError as err:
        raise MalformedAnswer(f"invalid: {err.errors()[0]['msg']} at {err.errors()[0]['loc']}") from None


def to_model_facets(answer: BaseModel) -> ModelFacets:
    data = answer.model_dump()
    data = {k: (v.value if isinstance(v, Enum) else v) for k, v in data.items()}
    return ModelFacets.model_validate(data)
