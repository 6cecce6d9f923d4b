"""Probes of the spec's links and of bad input the generated cases do not send.

Checks (names as they appear in reports):
- `link_target`: every link the spec declares on a 200 answer, followed from an answer the
  server gave during the run, reaches its target operation and gets a 200 there.
- `bad_input_refused`: a NUL character in a path parameter, and a request body of a megabyte,
  are refused with a 4xx and a JSON `message` (never a 5xx, never accepted).
"""

from __future__ import annotations

from typing import Any

from spaces_toolkit.contract.apispec import CheckedApi, CheckedOperation
from spaces_toolkit.contract.grading import RULES, rule_decision
from spaces_toolkit.contract.http import ProbeClient
from spaces_toolkit.contract.listing import error_problem, pointer_get

__all__ = ["probe_bad_input", "probe_links"]

LINK = "link_target"
BAD_INPUT = "bad_input_refused"
_BODY = "$response.body#"
OVERSIZED = 1024 * 1024  # bytes; far above what a create call needs


def _target_path(op: CheckedOperation, params: dict[str, Any]) -> str | None:
    path = op.path
    for name in op.path_params:
        if params.get(name) is None:
            return None
        path = path.replace("{" + name + "}", str(params[name]))
    return path


def probe_links(client: ProbeClient, model: CheckedApi) -> None:
    """Follow each declared link from the last 200 answer of its operation seen in this run."""
    for op in model.operations:
        body = client.last_ok.get(op.label)
        success = model.spec.by_label(op.label)
        if body is None or success is None or success.success is None:
            continue
        for link in success.success.links:
            target = model.by_id(link.operation_id) if link.operation_id else None
            if target is None or target.method != "GET":
                continue
            values = {
                name: pointer_get(body, expr[len(_BODY) :]) if str(expr).startswith(_BODY) else expr
                for name, expr in link.parameters
            }
            path = _target_path(target, values)
            if path is None:
                continue  # the answer lacks the value (an empty page): nothing to follow
            client.ran(LINK, op.label)
            exchange = client.send(target.label, "GET", path)
            client.result.coverage.link_followed(op.label, link.name)
            if exchange.status != 200:
                client.fail(
                    LINK,
                    exchange,
                    f"Link {link.name} leads nowhere",
                    f"{op.label} answered 200; its link {link.name} to {target.label} with "
                    f"{values} got {exchange.status}: {exchange.text[:200]}",
                )


def probe_bad_input(client: ProbeClient, model: CheckedApi) -> None:
    """Malformed input the generated cases do not send is refused with a JSON 4xx."""
    for op in model.operations:
        requests: list[tuple[str, dict[str, Any]]] = []
        if op.path_params:
            path = _target_path(op, {name: "bad%00id" for name in op.path_params})
            requests.append((f"a NUL character in {', '.join(op.path_params)}", {"path": path}))
        if op.body_media_types and op.method != "GET":
            json_type = next((m for m in op.body_media_types if "json" in m), None)
            if json_type is not None:
                padding = {"padding": "x" * OVERSIZED}
                requests.append(("a body of a megabyte", {"path": op.path, "json_body": padding}))
        integers = [p.name for p in op.parameters if p.location == "path" and _is_integer(p)]
        if integers:
            _probe_malformed_id(client, model, op, integers)
        for what, request in requests:
            client.ran(BAD_INPUT, op.label)
            path = request.pop("path")
            exchange = client.send(op.label, op.method, path, **request)
            if not 400 <= exchange.status < 500:
                client.fail(
                    BAD_INPUT,
                    exchange,
                    f"Request with {what} not refused with a 4xx",
                    f"Got {exchange.status}: {exchange.text[:200]}",
                )
            elif problem := error_problem(exchange, model.error_message):
                client.fail(BAD_INPUT, exchange, "Error answer is not JSON with a message", problem)


def _is_integer(param: Any) -> bool:
    return isinstance(param.schema, dict) and param.schema.get("type") == "integer"


def _probe_malformed_id(
    client: ProbeClient, model: CheckedApi, op: CheckedOperation, names: list[str]
) -> None:
    """A non-integer where the spec types an id as an integer: the spec decided 400 (the docs
    name no status), so another 4xx is a deviation; a 2xx or 5xx is a failure."""
    path = _target_path(op, {name: "not-an-integer" for name in op.path_params}) or op.path
    client.ran(BAD_INPUT, op.label)
    exchange = client.send(op.label, op.method, path)
    title = f"A malformed {', '.join(names)} not refused with 400"
    if not 400 <= exchange.status < 500:
        client.fail(BAD_INPUT, exchange, title, f"Got {exchange.status}: {exchange.text[:200]}")
    elif exchange.status != 400:
        rule = RULES["malformed_id"]
        client.fail(
            BAD_INPUT,
            exchange,
            title,
            f"Got {exchange.status} ({rule.what}: a decision of the spec, not the docs)",
            decision=rule_decision(model.spec, rule),
            deviation=True,
        )
    elif problem := error_problem(exchange, model.error_message):
        client.fail(BAD_INPUT, exchange, "Error answer is not JSON with a message", problem)
