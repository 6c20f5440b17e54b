"""A monitor's predicate: a disjunction of conjunctions of conditions on one trace's facets.

One structure, four renderings that must agree: evaluated here in Python, written as a small readable
expression, as a DuckDB WHERE clause over facets.parquet, and as generated Python source.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from traceclio_core.facets import FacetRow

Op = Literal["==", "!=", ">=", "<", ">", "<=", "contains", "not contains"]
Measure = Literal["value", "length"]


class Condition(BaseModel):
    """`facet` (or its length, for list facets) compared with `value`."""

    model_config = ConfigDict(frozen=True)

    facet: str
    measure: Measure = "value"
    op: Op
    value: str | int | float

    def holds(self, facets: dict) -> bool:
        current = facets.get(self.facet)
        if self.measure == "length":
            current = len(current or [])
        if self.op == "contains":
            return self.value in (current or [])
        if self.op == "not contains":
            return self.value not in (current or [])
        if self.op in ("==", "!="):
            return (current == self.value) == (self.op == "==")
        current = current if current is not None else 0
        return {">=": current >= self.value, "<": current < self.value,
                ">": current > self.value, "<=": current <= self.value}[self.op]

    def _operand(self, name: str) -> str:
        return f"len({name})" if self.measure == "length" else name

    def expression(self, name: str | None = None) -> str:
        """Python-syntax text; `name` is how the facet is referenced (default: its bare name)."""
        ref = name or self.facet
        literal = json.dumps(self.value)
        if self.op == "contains":
            return f"{literal} in {ref}"
        if self.op == "not contains":
            return f"{literal} not in {ref}"
        return f"{self._operand(ref)} {self.op} {literal}"

    def sql(self) -> str:
        """DuckDB: list columns use len() and list_contains()."""
        column = f'"{self.facet}"'
        literal = ("'" + self.value.replace("'", "''") + "'") if isinstance(self.value, str) else repr(self.value)
        if self.op == "contains":
            return f"list_contains({column}, {literal})"
        if self.op == "not contains":
            return f"NOT list_contains({column}, {literal})"
        operand = f"len({column})" if self.measure == "length" else column
        op = {"==": "=", "!=": "<>"}.get(self.op, self.op)
        return f"{operand} {op} {literal}"


class Predicate(BaseModel):
    """True when every condition of any one clause holds."""

    any_of: list[list[Condition]]

    def holds(self, facets: dict) -> bool:
        return any(all(c.holds(facets) for c in clause) for clause in self.any_of)

    def _join(self, render, conj: str, disj: str) -> str:
        clauses = [f" {conj} ".join(render(c) for c in clause) or "True" for clause in self.any_of]
        if not clauses:
            return "False"
        if len(clauses) == 1:
            return clauses[0]
        return f" {disj} ".join(f"({c})" for c in clauses)

    def expression(self) -> str:
        return self._join(lambda c: c.expression(), "and", "or")

    def sql(self) -> str:
        text = self._join(lambda c: c.sql(), "AND", "OR")
        return {"True": "TRUE", "False": "FALSE"}.get(text, text)

    def python_expression(self) -> str:
        """The expression over a dict named `facets`, e.g. `len(facets["claimed_not_run"]) >= 1`."""
        return self._join(lambda c: c.expression(f"facets[{json.dumps(c.facet)}]"), "and", "or")

    def python_source(self, function: str = "matches", doc: str = "") -> str:
        """Source of `def function(facets: dict) -> bool`, which agrees with `holds`."""
        body = self.python_expression()
        docstring = f'    """{doc}"""\n' if doc else ""
        return f"def {function}(facets: dict) -> bool:\n{docstring}    return bool({body})\n"


def facet_values(row: FacetRow, extra: dict | None = None) -> dict:
    """One trace's facets as the flat dict predicates read: direct, model-written (enums as their value),
    then any extra facets a plugin computed."""
    values = dict(extra or {})
    values.update(row.direct.model_dump())
    values.update(row.model.model_dump(mode="json"))
    return values
