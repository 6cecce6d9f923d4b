"""Failure or deviation: what the docs state, against what the spec decided.

The spec model answers, for any JSON pointer of the document, whether the docs state that rule
or which NOTES decision made it (`Spec.provenance`), and gives the document with every decided
constraint removed (`Spec.docs_document()`). A schema-based verdict (a response's body, a
request the server accepted or refused) is graded by validating the same value at the same
pointer against both documents, with the same validators:

- invalid under the docs document: a *failure*;
- invalid only under the spec: a *deviation*, with the decisions of the keywords it failed.

Behavioural rules that are no schema keyword (both cursors at once, an empty cursor, a malformed
id) are graded by the probes through `RULES`: each names its decision once, either as a NOTES
number or as the pointer whose provenance gives it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from spaces_toolkit.contract.catalogue import DEVIATION, FAILURE
from spaces_toolkit.spec import Spec
from spaces_toolkit.spec.refs import DOCUMENT_URI, Resolver, pointer_ref, walk

__all__ = [
    "Grader",
    "RULES",
    "Rule",
    "Verdict",
    "deviation_for",
    "grade_body_encoding",
    "grade_foreign_id",
    "grade_method",
    "grade_fields",
    "grade_repeated",
    "grader_for",
]


@dataclass(frozen=True)
class Verdict:
    """How one violation is graded; `keys`: the spec pointers of the rules it broke."""

    grade: str
    decisions: tuple[int, ...] = ()
    message: str = ""
    keys: tuple[str, ...] = ()
    parts: tuple[Verdict, ...] = ()  # a deviation per broken rule

    def split(self) -> tuple[Verdict, ...]:
        return self.parts or (self,)


@dataclass(frozen=True)
class Rule:
    """A behaviour the spec decided that no schema keyword states; graded by a probe."""

    name: str
    what: str
    decision: int | None = None  # the NOTES number, named here once ...
    pointer: str | None = None  # ... or where the spec model's provenance names it
    # The answers that only deviate from the rule (None: any); any other is a failure.
    tolerated: frozenset[int] | None = None


# The decided behaviours the probes grade. A test checks every number exists in NOTES.
RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        Rule("both_cursors", "both cursors at once are refused with 400", decision=9),
        Rule(
            "empty_cursor",
            "an empty cursor is refused with 400",
            pointer="/components/parameters/StartingAfter/schema/minLength",
        ),
        Rule("malformed_id", "a non-integer or too large Space id is a 400", decision=42),
        Rule(
            "unknown_cursor",
            "a cursor naming no object of the list is refused with 400, not 404",
            decision=56,
            tolerated=frozenset({404}),
        ),
        # The docs' status table (README, "HTTP status code errors") holds for every operation;
        # which of them each operation declares is the spec's decision.
        Rule(
            "declared_statuses",
            "an operation answers only the statuses the spec declares for it",
            decision=6,
            tolerated=frozenset({200, 400, 401, 404, 500}),
        ),
        Rule(
            "unimplemented_method",
            "a method the spec lacks on a path gets 405 with Allow",
            decision=57,
            tolerated=frozenset({501}),  # RFC 9110 15.6.2: a method implemented for no resource
        ),
        Rule(
            "form_and_json",
            "the create call takes a JSON body as well as the docs' form",
            decision=38,
            tolerated=frozenset({400, 415}),  # a form-only server: not a form, or no fields
        ),
        Rule(
            "foreign_id_shape",
            "a string id of a shape the server never issues is a 404, not a 400",
            decision=58,
            tolerated=frozenset({400}),
        ),
        Rule(
            "repeated_parameter",
            "a query parameter or form field given more than once is refused with 400",
            decision=55,
        ),
    ]
}


def decision_at(spec: Spec, pointer: str) -> int | None:
    """The NOTES decision that made the rule at `pointer` (None: stated by the docs)."""
    try:
        return spec.provenance(pointer).decision
    except KeyError:  # the pointer names nothing of this document (another spec)
        return None


def docs_document(spec: Spec) -> Any:
    return spec.docs_document()


def rule_decision(spec: Spec, rule: Rule) -> int | None:
    if rule.decision is not None:
        return rule.decision
    return decision_at(spec, rule.pointer) if rule.pointer else None


def deviation_for(spec: Spec, rule: Rule, status: int) -> int | None:
    """The decision answering `status` against `rule` deviates from; None: a failure."""
    if rule.tolerated is not None and status not in rule.tolerated:
        return None
    return rule_decision(spec, rule)


# ------------------------------------------------------------------------------ the grader


class Grader:
    """Validates values at pointers of the spec and of its docs document."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._full = Resolver(spec.content)
        self._docs = Resolver(docs_document(spec))
        self._where = {id(node): pointer for pointer, node in walk(spec.content)}

    def _validator(self, resolver: Resolver, pointer: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": DOCUMENT_URI + pointer_ref(pointer)}, registry=resolver.registry
        )

    def errors(self, pointer: str, instance: Any, *, docs: bool = False) -> list[ValidationError]:
        try:
            validator = self._validator(self._docs if docs else self._full, pointer)
            return list(validator.iter_errors(instance))
        except LookupError:  # the docs document lacks the node altogether: nothing stated
            return []

    def grade_value(self, pointer: str, instance: Any) -> Verdict | None:
        """None if `instance` is valid under the spec at `pointer`; else its grade."""
        full = self.errors(pointer, instance)
        if not full:
            return None
        docs = self.errors(pointer, instance, docs=True)
        pointers = tuple(sorted({k for e in full for k in self._keys(e)}))
        if docs:
            return Verdict(FAILURE, (), _message(docs), pointers)
        # One deviation per broken rule (the same rule broken in every list's envelope is one).
        by_rule: dict[str, list[ValidationError]] = {}
        for error in full:
            by_rule.setdefault(self._rule(error), []).append(error)
        parts = tuple(
            Verdict(
                DEVIATION,
                self._decisions(tuple(k for e in errors for k in self._keys(e))),
                _message(errors),
                (rule,),
            )
            for rule, errors in sorted(by_rule.items())
        )
        decisions = tuple(sorted({n for part in parts for n in part.decisions}))
        return Verdict(DEVIATION, decisions, _message(full), tuple(by_rule), parts)

    def _rule(self, error: ValidationError) -> str:
        """What a deviation broke, the same wherever the rule is written (`required: count` in
        each list's envelope is one rule): the decided keywords and their values."""
        tokens = set()
        for pointer in self._keys(error):
            if decision_at(self.spec, pointer) is None:
                continue
            parts = pointer.rsplit("/", 2)
            keyword = parts[-2] if parts[-1].isdigit() else parts[-1]
            try:
                value = json.dumps(self.spec.lookup(pointer), sort_keys=True)[:120]
            except LookupError:
                value = ""
            tokens.add(f"{keyword}:{value}")
        return ",".join(sorted(tokens)) or _rule(error)

    def _decisions(self, keys: tuple[str, ...]) -> tuple[int, ...]:
        found = {decision_at(self.spec, key) for key in keys}
        return tuple(sorted(n for n in found if n is not None))

    def _keys(self, error: ValidationError) -> Iterator[str]:
        """The pointers of the keywords an error (or, for a oneOf/anyOf, its branches) broke."""
        if error.context:
            for sub in error.context:
                yield from self._keys(sub)
            return
        where = self._where.get(id(error.schema))
        if where is None:
            return
        keyword = str(error.validator)
        pointer = f"{where}/{keyword}"
        if keyword == "required" and isinstance(error.validator_value, list):
            missing = _missing_property(error)
            if missing in error.validator_value:
                pointer += f"/{error.validator_value.index(missing)}"
        yield pointer

    # ------------------------------------------------------------------ answers and requests

    def grade_status(self, status: int) -> Verdict | None:
        """An undeclared status: a deviation if the docs' status table lists it."""
        decision = deviation_for(self.spec, RULES["declared_statuses"], status)
        return Verdict(DEVIATION, (decision,)) if decision is not None else None

    def grade_response(self, label: str, status: int, body: Any) -> Verdict | None:
        operation = self.spec.by_label(label)
        response = None
        if operation is not None:
            by_status = {r.status: r for r in operation.responses}
            response = by_status.get(str(status)) or by_status.get(f"{str(status)[0]}XX")
            response = response or by_status.get("default")
        media = response.media() if response is not None else None
        if media is None or media.schema is None:
            return None
        return self.grade_value(media.schema.pointer, body)

    def grade_method(self, label: str, method: str, status: int) -> Verdict | None:
        return grade_method(self.spec, label, method, status)

    def grade_body_encoding(self, label: str, content_type: str, status: int) -> Verdict | None:
        return grade_body_encoding(self.spec, label, content_type, status)

    def grade_request(
        self, label: str, url: str, content_type: str, body: bytes | None
    ) -> Verdict | None:
        """None if the request is valid under the spec (or its fault cannot be told);
        else the grade of what makes it invalid."""
        operation = self.spec.by_label(label)
        if operation is None:
            return None
        parts = urlsplit(url)
        query = parse_qs(parts.query, keep_blank_values=True)
        path_values = _path_values(operation.path, parts.path)
        verdicts: list[Verdict] = []
        for param in operation.parameters:
            if param.location == "query":
                values = query.get(param.name)
            elif param.location == "path":
                values = [path_values[param.name]] if param.name in path_values else None
            else:
                continue
            if not values:
                continue  # `required` is stated by the docs for every path parameter
            kind = param.schema.type
            graded = [self.grade_value(param.schema.pointer, _coerce(v, kind)) for v in values]
            verdict = self._once(param.name, graded)
            if verdict is not None:
                verdicts.append(verdict)
        if operation.request_body is not None and body:
            media_type = content_type.split(";")[0].strip().lower()
            media = next(
                (m for m in operation.request_body.content if m.media_type == media_type), None
            )
            parsed = _parse_body(media_type, body)
            if media is not None and media.schema is not None and parsed is not _UNPARSED:
                verdict = self._grade_body(media.schema.pointer, media_type, parsed)
                if verdict is not None:
                    verdicts.append(verdict)
        if not verdicts:
            return None
        failures = [v for v in verdicts if v.grade == FAILURE]
        if failures:
            return failures[0]
        decisions = tuple(sorted({n for v in verdicts for n in v.decisions}))
        keys = tuple(sorted({k for v in verdicts for k in v.keys}))
        return Verdict(DEVIATION, decisions, "; ".join(v.message for v in verdicts), keys)

    def _once(self, name: str, graded: list[Verdict | None]) -> Verdict | None:
        return grade_repeated(name, graded)

    def _grade_body(self, pointer: str, media_type: str, parsed: Any) -> Verdict | None:
        if "form" not in media_type:
            return self.grade_value(pointer, parsed)
        return grade_fields(parsed, lambda value: self.grade_value(pointer, value))


def grade_method(spec: Spec, label: str, method: str, status: int) -> Verdict | None:
    """A method the spec lacks on `label`'s path answered `status`: a deviation when the answer
    is one decision 57 tolerates (a 501), else None (the failure stands)."""
    path = label.split(" ", 1)[-1]
    if spec.by_label(f"{method.upper()} {path}") is not None:
        return None  # a declared method: no rule of this kind
    decision = deviation_for(spec, RULES["unimplemented_method"], status)
    return Verdict(DEVIATION, (decision,)) if decision is not None else None


def grade_body_encoding(spec: Spec, label: str, content_type: str, status: int) -> Verdict | None:
    """A JSON body `label` refused with `status`: a deviation from decision 38 (the docs show
    only a form) when the status is one it tolerates (400, 415), else None."""
    operation = spec.by_label(label)
    if operation is None or operation.request_body is None:
        return None
    if content_type.split(";")[0].strip().lower() != "application/json":
        return None
    decision = deviation_for(spec, RULES["form_and_json"], status)
    return Verdict(DEVIATION, (decision,)) if decision is not None else None


def grade_foreign_id(spec: Spec, label: str, url: str, status: int) -> Verdict | None:
    """A schema-valid retrieve of `label` (string path ids, no query) refused with `status`: a
    deviation from decision 58 when the status is one it tolerates, else None."""
    operation = spec.by_label(label)
    if operation is None or operation.method != "GET" or urlsplit(url).query:
        return None
    ids = [p for p in operation.parameters if p.location == "path"]
    if not ids or any(p.schema.type != "string" for p in ids):
        return None  # Space ids are integers: a malformed one is decision 42
    decision = deviation_for(spec, RULES["foreign_id_shape"], status)
    return Verdict(DEVIATION, (decision,)) if decision is not None else None


def grade_repeated(name: str, graded: list[Verdict | None]) -> Verdict | None:
    """The grade of a parameter from the grades of its occurrences (None: valid). Given more
    than once, which one counts is not stated by the docs (decision 55 refuses the repetition):
    only when every occurrence breaks the docs does the value a server took break them."""
    if len(graded) == 1:
        return graded[0]
    if all(v is not None and v.grade == FAILURE for v in graded):
        return graded[0]
    rule = RULES["repeated_parameter"]
    decisions = {rule.decision} | {n for v in graded if v is not None for n in v.decisions}
    message = f"{name} given {len(graded)} times ({rule.what}: a decision of the spec)"
    return Verdict(DEVIATION, tuple(sorted(n for n in decisions if n is not None)), message)


def grade_fields(parsed: Any, grade: Callable[[Any], Verdict | None]) -> Verdict | None:
    """The grade of a form body whose repeated fields are lists of their values (decision 55):
    each such field by each of its values in turn, the other fields as sent (repeated ones:
    their first); `grade` grades one whole body."""
    repeated: dict[str, list[Any]] = {}
    if isinstance(parsed, dict):
        repeated = {k: v for k, v in parsed.items() if isinstance(v, list)}
    if not repeated:
        return grade(parsed)
    base = {k: v[0] if k in repeated else v for k, v in parsed.items()}
    graded = [
        grade_repeated(name, [grade({**base, name: v}) for v in values])
        for name, values in repeated.items()
    ]
    failure = next((v for v in graded if v is not None and v.grade == FAILURE), None)
    if failure is not None:
        return failure
    found = [v for v in graded if v is not None]
    if not found:
        return None
    decisions = tuple(sorted({n for v in found for n in v.decisions}))
    return Verdict(DEVIATION, decisions, "; ".join(v.message for v in found))


_UNPARSED = object()


def _parse_body(media_type: str, body: bytes) -> Any:
    try:
        if "json" in media_type:
            return json.loads(body)
        if "form" in media_type:
            pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            return {k: v[0] if len(v) == 1 else v for k, v in pairs.items()}
    except (ValueError, UnicodeDecodeError):
        return _UNPARSED
    return _UNPARSED


def _coerce(value: str, kind: str | None) -> Any:
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "boolean" and value in {"true", "false"}:
        return value == "true"
    return value


def _path_values(template: str, path: str) -> dict[str, str]:
    """Path parameter values of a request, by matching the template's segments from the end."""
    wanted = template.strip("/").split("/")
    got = path.strip("/").split("/")[-len(wanted) :] if wanted else []
    if len(got) != len(wanted):
        return {}
    return {w[1:-1]: unquote(g) for w, g in zip(wanted, got, strict=True) if w.startswith("{")}


def _rule(error: ValidationError) -> str:
    leaf = error
    while leaf.context:
        leaf = best_match(leaf.context) or leaf.context[0]
    if leaf.validator == "required":
        return f"required/{_missing_property(leaf)}"
    where = "/".join(str(p) for p in leaf.absolute_path if not isinstance(p, int))
    return f"{where}:{leaf.validator}"


def _missing_property(error: ValidationError) -> str | None:
    message = str(error.message)
    return message.split("'")[1] if message.count("'") >= 2 else None


def _message(errors: list[ValidationError]) -> str:
    first = errors[0]
    where = "/".join(str(p) for p in first.absolute_path) or "(root)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.message[:300]}{more}"


@functools.lru_cache(maxsize=4)
def grader_for(spec: Spec) -> Grader:
    return Grader(spec)
