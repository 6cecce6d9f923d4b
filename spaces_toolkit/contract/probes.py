"""Probes of credentials, tenancy and resource subscriptions.

Checks (names as they appear in reports):
- `auth_required`: every operation answers a request without credentials, with an unknown token
  and with another auth scheme by exactly 401, a JSON `message` and `WWW-Authenticate: Basic`.
- `tenant_isolation`: nothing listed for one token is listed for, or retrievable with, the other
  (on a sample: the first page of every list, at the largest size the spec allows).
- `subscription_roundtrip`: an object created (from the spec's request example) in each declared
  media type is answered with what was sent, and appears in its list with the same fields.

Like the walks, no probe reads a whole list: each samples, or reads within the walk budget.
"""

from __future__ import annotations

from typing import Any

from spaces_toolkit.contract.apispec import CheckedApi, CheckedOperation, ListWalk
from spaces_toolkit.contract.grading import RULES, deviation_for
from spaces_toolkit.contract.http import Exchange, ProbeClient, ProbeFailed, basic
from spaces_toolkit.contract.inputs import unique_target
from spaces_toolkit.contract.listing import error_problem, pointer_get, read_prefix

__all__ = [
    "probe_auth",
    "probe_parent_scope",
    "probe_subscriptions",
    "probe_tenancy",
    "sample_paths",
]

AUTH = "auth_required"
TENANCY = "tenant_isolation"
ROUNDTRIP = "subscription_roundtrip"
PARENT = "parent_scope"
NO_CHALLENGE = "401 without"
SAMPLE = 5


def sample_paths(
    client: ProbeClient, model: CheckedApi, check: str, token: str = ""
) -> dict[str, list[tuple[str, Any]]]:
    """Per retrieve operation: paths of up to SAMPLE listed objects (of the first page)."""
    paths: dict[str, list[tuple[str, Any]]] = {}
    for lst in model.lists:
        if lst.retrieve is None:
            continue
        for obj in read_prefix(client, lst, check, 1, token).objects[:SAMPLE]:
            path = lst.retrieve.path
            for name, pointer in lst.retrieve_params:
                path = path.replace("{" + name + "}", str(pointer_get(obj, pointer)))
            paths.setdefault(lst.retrieve.label, []).append((path, obj))
    return paths


def _valid_request(op: CheckedOperation, paths: dict[str, list[tuple[str, Any]]]) -> dict[str, Any]:
    path = paths[op.label][0][0] if paths.get(op.label) else op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", "1")
    kwargs: dict[str, Any] = {"path": path}
    if op.body_media_types:
        kwargs["json_body"] = unique_body(op)
    return kwargs


def unique_body(op: CheckedOperation) -> dict[str, Any]:
    """The spec's example request body, its URI fields made unique (so that the created object
    can be told from every other)."""
    body = dict(op.body_example or {})
    schema = op.body_schema if isinstance(op.body_schema, dict) else {}
    for name, prop in schema.get("properties", {}).items():
        if name in body and prop.get("format") in {"uri", "url"}:
            body[name] = unique_target()
    return body


def probe_auth(client: ProbeClient, model: CheckedApi) -> None:
    """Every operation refuses missing and wrong credentials with exactly 401."""
    paths = sample_paths(client, model, AUTH)
    wrong: list[tuple[str, dict[str, Any]]] = [
        ("no credentials", {"token": None}),
        ("an unknown token", {"authorization": basic("contract-unknown-token")}),
        ("a token in the password", {"authorization": basic("", client.credentials.token)}),
        ("a Bearer token", {"authorization": f"Bearer {client.credentials.token}"}),
    ]
    for op in model.operations:
        client.ran(AUTH, op.label)
        request = _valid_request(op, paths)
        path = request.pop("path")
        for what, auth in wrong:
            exchange = client.send(op.label, op.method, path, **auth, **request)
            problem = _auth_problem(exchange, model.error_message)
            if problem:
                title = f"Request with {what} not refused with 401"
                if exchange.status == 401 and problem.startswith(NO_CHALLENGE):
                    title = f"401 without `WWW-Authenticate: {model.auth_scheme.title()}`"
                client.fail(AUTH, exchange, title, problem)
                break


def _auth_problem(exchange: Exchange, message: str) -> str | None:
    if exchange.status != 401:
        return f"Expected 401, got {exchange.status}: {exchange.text[:200]}"
    if "basic" not in exchange.headers.get("www-authenticate", "").lower():
        return f"{NO_CHALLENGE} `WWW-Authenticate: Basic ...` (the spec's auth scheme)"
    return error_problem(exchange, message)


def probe_tenancy(client: ProbeClient, model: CheckedApi, second: str) -> None:
    """Objects of one token are neither listed for nor retrievable with the other, both ways."""
    tokens = (client.credentials.token, second)
    lists = {
        t: {lst.label: list(read_prefix(client, lst, TENANCY, 1, t).objects) for lst in model.lists}
        for t in tokens
    }
    for mine, theirs in (tokens, tokens[::-1]):
        for lst in model.lists:
            client.ran(TENANCY, lst.label)
            # The same object listed for both: equal, and with an identity (a cursor). Objects
            # without one (no `id`, as the docs show some) may be equal by chance: no evidence.
            leaked = [
                o
                for o in lists[theirs][lst.label]
                if lst.cursor_of(o) is not None and o in lists[mine][lst.label]
            ]
            if leaked:
                exchange = client.send(
                    lst.label,
                    "GET",
                    lst.path,
                    params={lst.limit.name: lst.limit.maximum},
                    token=theirs,
                )
                client.fail(
                    TENANCY,
                    exchange,
                    "Another token's objects are listed",
                    f"{len(leaked)} objects of one account listed for another, "
                    f"e.g. {lst.cursor_of(leaked[0]) or leaked[0]!r:.120}",
                )
            _foreign_tenant_cursor(client, model, lst, lists, mine, theirs)
        for label, samples in sample_paths(client, model, TENANCY, mine).items():
            client.ran(TENANCY, label)
            for path, obj in samples:
                exchange = client.send(label, "GET", path, token=theirs)
                if exchange.status == 200 and exchange.json == obj:
                    client.fail(
                        TENANCY,
                        exchange,
                        "Another token's object is retrievable",
                        f"{path} of one account answered 200 for another",
                    )
                    break
                if exchange.status not in (200, 404):
                    client.fail(
                        TENANCY,
                        exchange,
                        "Unexpected answer for another account's object",
                        f"Expected 404, got {exchange.status}",
                    )
                    break


def _foreign_tenant_cursor(
    client: ProbeClient, model: CheckedApi, lst: ListWalk, lists: dict, mine: str, theirs: str
) -> None:
    if lst.cursor_is_integer:
        return  # Space ids run from 1 in every account: the same id is the other's own cursor.
    own = {lst.cursor_of(o) for o in lists[theirs][lst.label]}
    cursor = next((c for c in map(lst.cursor_of, lists[mine][lst.label]) if c not in own), None)
    if cursor is None:
        return
    exchange = client.send(lst.label, "GET", lst.path, params={lst.after: cursor}, token=theirs)
    if exchange.status != 400:
        rule = RULES["unknown_cursor"]
        decision = deviation_for(model.spec, rule, exchange.status)
        detail = f"Expected 400 for a cursor from another account's list, got {exchange.status}"
        if decision is not None:
            detail += f" ({rule.what}: a decision of the spec, not the docs)"
        client.fail(
            TENANCY, exchange, "Another account's cursor accepted", detail, decision=decision
        )


def probe_subscriptions(client: ProbeClient, model: CheckedApi, budget: int) -> None:
    """A created object is echoed back and then listed with the same fields."""
    create = next((op for op in model.operations if op.method == "POST"), None)
    listing = next((lst for lst in model.lists if create and lst.path == create.path), None)
    if create is None or listing is None or not isinstance(create.body_example, dict):
        return
    for encoding in create.body_media_types:
        client.ran(ROUNDTRIP, create.label)
        sent = unique_body(create)
        as_form = "form" in encoding
        exchange = client.send(
            create.label,
            "POST",
            create.path,
            data=sent if as_form else None,
            json_body=None if as_form else sent,
        )
        refused = RULES["form_and_json"]
        decision = None if as_form else deviation_for(model.spec, refused, exchange.status)
        if decision is not None:  # a server taking only the docs' form
            client.fail(
                ROUNDTRIP,
                exchange,
                f"A {encoding} body refused",
                f"Expected 200, got {exchange.status} ({refused.what}: a decision of the spec, "
                f"not the docs): {exchange.text[:200]}",
                decision=decision,
            )
            continue
        try:
            created = client.expect_ok(ROUNDTRIP, exchange)
        except ProbeFailed:
            continue
        changed = {k: created.get(k) for k, v in sent.items() if created.get(k) != v}
        if changed:
            client.fail(
                ROUNDTRIP,
                exchange,
                "Created object differs from the request",
                f"Sent {sent}, answer has {changed}",
            )
            continue
        client.ran(ROUNDTRIP, listing.label)
        _find_listed(client, listing, created, encoding, budget)


def _find_listed(
    client: ProbeClient, listing: ListWalk, created: Any, encoding: str, budget: int
) -> None:
    try:
        prefix = read_prefix(client, listing, ROUNDTRIP, budget)
    except ProbeFailed:
        return
    same = [o for o in prefix.objects if _same_identity(listing, o, created)]
    if not same and not prefix.complete:
        client.result.notes.append(
            f"{listing.label}: the object created as {encoding} is not among the first "
            f"{len(prefix.objects)} listed (--walk-budget {budget}); not checked further"
        )
        return
    if not same or same[0] != created:
        page = client.send(
            listing.label, "GET", listing.path, params={listing.limit.name: listing.limit.maximum}
        )
        detail = "not listed" if not same else f"listed as {same[0]!r:.300}"
        client.fail(
            ROUNDTRIP,
            page,
            "Created object not listed with the same fields",
            f"Created (as {encoding}) {created!r:.300}; {detail}",
        )


def _same_identity(listing: ListWalk, listed: Any, created: Any) -> bool:
    """The listed object is the created one: same cursor, or (without one) same unique fields."""
    cursor = listing.cursor_of(created)
    if cursor is not None:
        return listing.cursor_of(listed) == cursor
    return isinstance(listed, dict) and all(
        listed.get(k) == v for k, v in created.items() if isinstance(v, str) and "contract/" in v
    )


def probe_parent_scope(client: ProbeClient, model: CheckedApi) -> None:
    """Every nested path (a child under a parent, e.g. a subscription under its customer): the
    child fetched through another parent of the same account is a 404, never the child."""
    for lst in model.lists:
        if lst.retrieve is None or len(lst.retrieve_params) < 2:
            continue
        objects = list(read_prefix(client, lst, PARENT, 1).objects)
        keys = [
            tuple(str(pointer_get(o, pointer)) for _, pointer in lst.retrieve_params)
            for o in objects
        ]
        listed = set(keys)
        client.ran(PARENT, lst.retrieve.label)
        *parents, (child_name, _) = lst.retrieve_params
        for slot, (parent_name, parent_pointer) in enumerate(parents):
            for _obj, key in list(zip(objects, keys, strict=True))[:SAMPLE]:
                other = next((k[slot] for k in keys if k[slot] != key[slot]), None)
                moved = key[:slot] + (other,) + key[slot + 1 :] if other else None
                if moved is None or moved in listed:
                    continue  # no other parent, or that parent has a child of that key too
                path = lst.retrieve.path
                for (name, _), value in zip(lst.retrieve_params, moved, strict=True):
                    path = path.replace("{" + name + "}", value)
                exchange = client.send(lst.retrieve.label, "GET", path)
                body = exchange.json if isinstance(exchange.json, dict) else {}
                owner = pointer_get(body, parent_pointer)
                if exchange.status == 200 and str(owner) != other:
                    client.fail(
                        PARENT,
                        exchange,
                        f"A {child_name} is found through another {parent_name}",
                        f"{child_name} {key[-1]!r} belongs to {parent_name} {key[slot]!r}; asked "
                        f"under {parent_name} {other!r} (same account) it answered 200 with "
                        f"{parent_pointer} = {owner!r}, not 404",
                    )
                    break
                if exchange.status != 404 and exchange.status != 200:
                    client.fail(
                        PARENT,
                        exchange,
                        f"A {child_name} under another {parent_name}: not a 404",
                        f"Expected 404, got {exchange.status}: {exchange.text[:200]}",
                    )
                    break
