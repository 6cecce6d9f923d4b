"""A representative client run: what an app does with the API (list, page both ways, walk a
list to its end, fetch one object, subscribe, a second account, a few mistakes a client
makes), as plain HTTP so it goes through any proxy."""

from __future__ import annotations

import httpx

from spaces_toolkit.proxy.exchange import Exchange

# The requests below that break the spec on purpose, and what the proxy calls them.
CLIENT_MISTAKES = [
    ("request_credentials", "GET /invoices"),
    ("request_operation", "PUT /account"),
]


def run_traffic(base_url: str, tokens: list[str]) -> None:
    mine, theirs = tokens[0], tokens[1]
    with (
        httpx.Client(base_url=base_url, auth=(mine, ""), timeout=30) as a,
        httpx.Client(base_url=base_url, auth=(theirs, ""), timeout=30) as b,
    ):
        a.get("/account")
        b.get("/account")
        b.get("/customers", params={"limit": 3})
        walked, cursor = [], None  # the whole list, the largest pages
        for _ in range(4):
            params = {"limit": 100, **({"starting_after": cursor} if cursor else {})}
            page = a.get("/customers", params=params).json()
            walked += [c["id"] for c in page.get("data", [])]
            if not page.get("has_more") or not page.get("data"):
                break
            cursor = page["data"][-1]["id"]
        # The whole list as one page of exactly its length, then the page after it: a page
        # claiming more when exactly `limit` objects remained shows across the two.
        whole = a.get("/customers", params={"limit": len(walked)}).json()
        if whole.get("data"):
            a.get(
                "/customers",
                params={"limit": len(walked), "starting_after": whole["data"][-1]["id"]},
            )
        a.get("/customers", params={"limit": 1})  # the smallest page
        first = a.get("/customers", params={"limit": 5}).json()["data"]
        a.get("/customers", params={"limit": 5, "starting_after": first[-1]["id"]})
        a.get("/customers", params={"limit": 5})  # the first page again
        a.get("/customers", params={"limit": 5, "starting_before": first[2]["id"]})
        a.get(f"/customers/{first[0]['id']}")
        b.get(f"/customers/{first[0]['id']}")  # another account's customer: 404
        b.get("/customers", params={"limit": 5, "starting_after": first[1]["id"]})  # 400
        a.get("/customers/cus_doesnotexist")
        a.get("/invoices", params={"limit": 3})
        httpx.get(f"{base_url}/invoices", timeout=30)  # no credentials: 401
        a.get("/spaces", params={"limit": 10})
        a.get("/events", params={"limit": 100})
        a.get("/subscriptions", params={"limit": 2})
        a.post(
            "/resource_subscriptions",
            data={"event": "customer.created", "target_url": "http://127.0.0.1:9/hook"},
        )
        a.get("/resource_subscriptions", params={"limit": 10})
        a.put("/account")  # a method the spec does not have: 405


# Exchanges built by hand, for what live traffic from the reference server never shows.
JSON_HEADERS = (("content-type", "application/json"),)
MINE = (("authorization", "Basic dG9rOg=="),)  # the access token "tok"
OTHER = (("authorization", "Basic b3RoZXI6"),)  # the access token "other"


def sample(
    number: int,
    method: str,
    target: str,
    status: int,
    body: bytes = b'{"message": "no"}',
    *,
    auth: tuple[tuple[str, str], ...] = MINE,
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS,
    sent: tuple[tuple[str, str], ...] = (),
    request: bytes = b"",
) -> Exchange:
    """Exchange `number`: `method target` (with the API's base path) answered `status` with
    `body` (a JSON error by default), under `auth`'s credentials and `sent` headers."""
    return Exchange(number, "", method, target, auth + sent, request, status, headers, body)
