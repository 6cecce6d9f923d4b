"""What a run exercised, per operation, measured against what the spec declares.

Every request the suite sends (generated cases and probes) is observed: the status it got, each
declared parameter as sent valid / invalid / absent / at a bound, and, in 2xx bodies, which branch
of each union (`oneOf`/`anyOf`), which value of each `enum` and whether each nullable field was
null or not. The universe of cells comes from the spec; a cell not covered carries the reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from jsonschema import Draft202012Validator

from spaces_toolkit.contract.apispec import CheckedApi, CheckedOperation, CheckedParameter
from spaces_toolkit.spec import Spec

__all__ = ["Cell", "Coverage", "OperationCoverage"]


class _Answer(Protocol):
    status: int

    @property
    def json(self) -> Any: ...


@dataclass(frozen=True)
class Cell:
    kind: str  # status | param | branch | link | check (a check or probe that ran)
    name: str
    covered: bool
    reason: str = ""
    # False for what a correct server never shows (a 5xx): reported, not counted against a run.
    expected: bool = True


@dataclass
class OperationCoverage:
    label: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(c.covered for c in self.cells if c.expected)

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.cells)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.expected if self.expected else 100.0


def _branch_label(spec: Spec, node: Any) -> str:
    name = Spec.schema_name(node)
    if name is not None:
        return name
    node = spec.resolve(node)
    kind = node.get("type", "object")
    return kind if isinstance(kind, str) else "|".join(kind)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _fits(spec: Spec, branch: Any, value: Any) -> bool:
    """Cheap branch choice: the JSON type, then the branch's `const` properties."""
    node = spec.resolve(branch)
    kind = node.get("type", "object")
    kinds = {kind} if isinstance(kind, str) else set(kind)
    actual = _json_type(value)
    if actual not in kinds and not (actual == "integer" and "number" in kinds):
        return False
    if isinstance(value, dict):
        for name, prop in node.get("properties", {}).items():
            const = spec.resolve(prop).get("const")
            if const is not None and name in value and value[name] != const:
                return False
    return True


class _Shapes:
    """The union/enum/nullable cells of a response schema, and which ones a body shows."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def universe(self, schema: Any) -> dict[str, set[str]]:
        cells: dict[str, set[str]] = defaultdict(set)
        self._universe(schema, "", cells, ())
        return dict(cells)

    def _universe(self, node: Any, key: str, cells: dict[str, set[str]], seen: tuple) -> None:
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in seen:
                return
            name = Spec.schema_name(node) or key
            self._universe(self.spec.resolve(node), name, cells, (*seen, ref))
            return
        for word in ("oneOf", "anyOf"):
            for branch in node.get(word, []):
                cells[f"{key} {word}"].add(_branch_label(self.spec, branch))
                self._universe(branch, key, cells, seen)
        if "enum" in node:
            cells[f"{key} enum"] |= {str(v) for v in node["enum"]}
        kind = node.get("type")
        if isinstance(kind, list) and "null" in kind:
            cells[f"{key} nullable"] |= {"null", "non-null"}
        if isinstance(kind, list) and len(set(kind) - {"null"}) > 1:  # e.g. [string, integer]
            cells[f"{key} type"] |= set(kind) - {"null"}
        for sub in node.get("allOf", []):
            self._universe(sub, key, cells, seen)
        for name, prop in node.get("properties", {}).items():
            self._universe(prop, f"{key}.{name}", cells, seen)
        if "items" in node:
            self._universe(node["items"], f"{key}[]", cells, seen)

    def seen(self, node: Any, value: Any, key: str, out: dict[str, set[str]]) -> None:
        if not isinstance(node, dict):
            return
        if Spec.is_ref(node):
            name = Spec.schema_name(node) or key
            self.seen(self.spec.resolve(node), value, name, out)
            return
        for word in ("oneOf", "anyOf"):
            branches = node.get(word, [])
            disc = node.get("discriminator") or {}
            mapped = (disc.get("mapping") or {}).get(
                str(value.get(disc.get("propertyName", ""))) if isinstance(value, dict) else ""
            )
            for branch in branches:
                hit = branch.get("$ref") == mapped if mapped else _fits(self.spec, branch, value)
                if hit:
                    out[f"{key} {word}"].add(_branch_label(self.spec, branch))
                    self.seen(branch, value, key, out)
                    break
        if "enum" in node and not isinstance(value, dict | list):
            out[f"{key} enum"].add(str(value))
        kind = node.get("type")
        if isinstance(kind, list) and "null" in kind:
            out[f"{key} nullable"].add("null" if value is None else "non-null")
        if isinstance(kind, list) and len(set(kind) - {"null"}) > 1 and value is not None:
            actual = _json_type(value)
            out[f"{key} type"].add(
                "number" if actual == "integer" and actual not in kind else actual
            )
        for sub in node.get("allOf", []):
            self.seen(sub, value, key, out)
        if isinstance(value, dict):
            for name, prop in node.get("properties", {}).items():
                if name in value:
                    self.seen(prop, value[name], f"{key}.{name}", out)
        if isinstance(value, list) and "items" in node:
            for item in value:
                self.seen(node["items"], item, f"{key}[]", out)


_CONSTRAINTS = ("pattern", "format", "enum", "const", "maxLength", "minimum", "maximum")


def _can_be_invalid(param: CheckedParameter) -> bool:
    """Whether some value of the parameter's type breaks its schema (not so for a path
    segment that may be any non-empty string)."""
    schema = param.schema
    if schema.get("type", "string") != "string" or any(k in schema for k in _CONSTRAINTS):
        return True
    return param.location != "path" and int(schema.get("minLength", 0)) > 0


def _param_kinds(param: CheckedParameter) -> list[str]:
    kinds = ["valid", "invalid"] if _can_be_invalid(param) else ["valid"]
    if not param.required:
        kinds.append("absent")
    kinds += [b for b in ("minimum", "maximum") if b in param.schema]
    return kinds


def _classify(param: CheckedParameter, raw: str) -> set[str]:
    """How a sent value of `param` counts: valid or invalid, and at which bound."""
    schema = param.schema
    value: Any = raw
    if schema.get("type") == "integer":
        try:
            value = int(raw)
        except ValueError:
            return {"invalid"}
    ok = Draft202012Validator(schema).is_valid(value)
    kinds = {"valid" if ok else "invalid"}
    for bound in ("minimum", "maximum"):
        if ok and bound in schema and value == schema[bound]:
            kinds.add(bound)
    return kinds


def _path_matcher(path: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(f"^{pattern}$")


class Coverage:
    """Collects observations during a run; `report(model)` turns them into cells."""

    def __init__(self) -> None:
        self.statuses: dict[str, set[str]] = defaultdict(set)
        self.params: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.shapes: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.links: dict[str, set[str]] = defaultdict(set)
        self.probes: dict[str, set[str]] = defaultdict(set)
        self._model: CheckedApi | None = None
        self._shapes: _Shapes | None = None
        self._matchers: dict[str, re.Pattern[str]] = {}

    def bind(self, model: CheckedApi) -> None:
        self._model = model
        self._shapes = _Shapes(model.spec)
        self._matchers = {op.label: _path_matcher(op.path) for op in model.operations}

    def operation(self, label: str) -> CheckedOperation | None:
        return None if self._model is None else self._model.by_label(label)

    def observe(self, label: str, query: Any, answer: _Answer, path: str = "") -> None:
        """One request of operation `label` (query: (name, value) pairs) and its answer."""
        op = self.operation(label)
        if op is None:
            return
        self.statuses[label].add(str(answer.status))
        sent: dict[str, list[str]] = defaultdict(list)
        for name, value in query:
            sent[name].append(str(value))
        match = self._matchers[label].match(path) if path else None
        for name, value in (match.groupdict() if match else {}).items():
            sent[name].append(value)
        for param in op.parameters:
            if param.location == "path" and not match:
                continue
            values = sent.get(param.name)
            if not values:
                self.params[(label, param.name)].add("absent")
            for value in values or ():
                self.params[(label, param.name)] |= _classify(param, value)
        if 200 <= answer.status < 300 and op.success_schema is not None and self._shapes:
            body = answer.json
            if body is not None:
                self._shapes.seen(op.success_schema, body, "", self.shapes[label])

    def observe_path_values(self, label: str, values: dict[str, Any]) -> None:
        op = self.operation(label)
        for param in op.parameters if op else ():
            if param.location == "path" and param.name in values:
                kinds = _classify(param, str(values[param.name]))
                self.params[(label, param.name)] |= kinds

    def link_followed(self, label: str, name: str | None) -> None:
        if name:
            self.links[label].add(name)

    def report(self, model: CheckedApi, checks_run: dict[str, set[str]]) -> list[OperationCoverage]:
        shapes = _Shapes(model.spec)
        out = []
        for op in model.operations:
            cov = OperationCoverage(op.label)
            seen = self.statuses.get(op.label, set())
            for status in op.statuses:
                hit = status in seen
                reason = "" if hit else _why(op, status)
                expected = not status.startswith("5") and not _nothing_to_get_wrong(op, status)
                cov.cells.append(Cell("status", status, hit, reason, expected=expected))
            for param in op.parameters:
                got = self.params.get((op.label, param.name), set())
                for kind in _param_kinds(param):
                    reason = "" if kind in got else f"no request sent `{param.name}` {kind}"
                    cov.cells.append(Cell("param", f"{param.name} {kind}", kind in got, reason))
            if op.success_schema is not None:
                found = self.shapes.get(op.label, {})
                for key, values in sorted(shapes.universe(op.success_schema).items()):
                    for value in sorted(values):
                        hit = value in found.get(key, set())
                        reason = "" if hit else "no answer of this run showed it"
                        cov.cells.append(Cell("branch", f"{key.strip()}: {value}", hit, reason))
            for name in _links(model, op):
                hit = name in self.links.get(op.label, set())
                reason = "" if hit else "not followed in this run"
                cov.cells.append(Cell("link", name, hit, reason))
            for check in sorted(checks_run.get(op.label, set())):
                cov.cells.append(Cell("check", check, True))
            out.append(cov)
        return out


def _links(model: CheckedApi, op: CheckedOperation) -> list[str]:
    return sorted(op.links)


def _nothing_to_get_wrong(op: CheckedOperation, status: str) -> bool:
    return status == "400" and not op.parameters and not op.body_media_types


def _why(op: CheckedOperation, status: str) -> str:
    if status.startswith("5"):
        return "a server error: a correct server does not produce it"
    if _nothing_to_get_wrong(op, status):
        return "the operation takes no parameters and no body: a request has nothing to get wrong"
    return "no request of this run got this answer"
