"""Request validation derived from the spec: each operation's parameters and body are checked
against the JSON Schemas the spec declares for them (through `spaces_toolkit.spec`), and every
failure becomes a 400 naming the parameter or field and what was expected."""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator

from ..problems import ApiError

__all__ = ["ParamSpec", "BodySpec", "parse_param", "parse_body", "FORM", "JSON", "FORMATS"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_INT = re.compile(r"-?[0-9]{1,30}")
# RFC 3986 at the character level: an absolute URI whose characters are all allowed and whose
# percent signs each start a %XX escape. (jsonschema checks "uri" only if `rfc3987` is
# installed; the server must not depend on that.)
_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*"
)

FORMATS = jsonschema.FormatChecker()
FORMATS.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One declared path or query parameter."""

    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: Draft202012Validator
    # Raw values already parsed and found valid → their parsed value. Clients send the same few
    # `limit`s and ids over and over, and a jsonschema pass costs more than the query.
    parsed: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    def describe(self) -> str:
        """What a valid value looks like, in words ("an integer between 1 and 100")."""
        s = self.schema
        kind = s.get("type")
        if kind == "integer":
            lo, hi = s.get("minimum"), s.get("maximum")
            if lo is not None and hi is not None:
                return f"an integer between {lo} and {hi}"
            if lo is not None:
                return f"an integer greater than or equal to {lo}"
            return "an integer"
        if kind == "string" and s.get("minLength"):
            return "a non-empty string"
        return f"a valid {kind or 'value'}"


@dataclasses.dataclass(frozen=True)
class BodySpec:
    """A declared request body: media type → validator of its schema."""

    required: bool
    media_types: dict[str, Validator]  # Draft 2020-12 validators with FORMATS
    fields: frozenset[str] = frozenset()  # declared properties; other fields are ignored


def _check_text(label: str, raw: str) -> None:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError.bad_request(f"Invalid {label}: not valid UTF-8 text") from None
    if "\x00" in raw:
        raise ApiError.bad_request(f"Invalid {label}: contains a NUL character")


_PARSED_MAX = 1024


def parse_param(param: ParamSpec, raw: str) -> Any:
    """Convert a raw path/query string to the declared type and validate it."""
    if raw in param.parsed:
        return param.parsed[raw]
    label = f"{param.location} parameter {param.name}"
    _check_text(label, raw)
    value: Any = raw
    if param.schema.get("type") == "integer":
        if not _INT.fullmatch(raw):
            raise ApiError.bad_request(f"Invalid {label}={raw!r}: must be {param.describe()}")
        value = int(raw)
    if next(iter(param.validator.iter_errors(value)), None) is not None:
        raise ApiError.bad_request(f"Invalid {label}={raw!r}: must be {param.describe()}")
    if len(param.parsed) >= _PARSED_MAX:
        param.parsed.clear()
    param.parsed[raw] = value
    return value


def _field_message(error: jsonschema.ValidationError) -> str:
    field = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        return f"Invalid request body: {error.message}"
    if error.validator in ("pattern", "format"):
        hint = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
        return f"Invalid {field}: {error.instance!r} is not in the expected format. {hint}".strip()
    if error.validator == "type" and not field:
        return f"Invalid request body: {error.message}"
    return f"Invalid {field or 'request body'}: {error.message}"


def _parse_form(body: bytes, fields: frozenset[str]) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError.bad_request(f"Malformed form-encoded body: {exc}") from None
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key not in fields:
            continue  # undeclared fields are ignored, like undeclared query parameters
        if key in result:
            raise ApiError.bad_request(f"Invalid request body: field {key!r} given more than once")
        _check_text(f"field {key}", value)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(body: bytes, fields: frozenset[str]) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApiError.bad_request(f"Malformed JSON body: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError.bad_request("Invalid request body: must be a JSON object")
    for key, item in value.items():
        if key in fields and isinstance(item, str):
            _check_text(f"field {key}", item)
    return value


def parse_body(spec: BodySpec, content_type: str | None, body: bytes) -> dict[str, Any] | None:
    """Decode the body by its Content-Type (form or JSON) and validate it against the schema."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not body and not media:
        if spec.required:
            raise ApiError.bad_request(
                "Missing request body: send the fields form-encoded or as a JSON object"
            )
        return None
    validator = spec.media_types.get(media)
    if validator is None and media.endswith("+json") and JSON in spec.media_types:
        media, validator = JSON, spec.media_types[JSON]
    if validator is None:
        allowed = " or ".join(spec.media_types)
        raise ApiError(415, f"Unsupported Content-Type {content_type or '(none)'}; use {allowed}")
    data = _parse_form(body, spec.fields) if media == FORM else _parse_json(body, spec.fields)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        raise ApiError.bad_request(_field_message(error))
    return data
