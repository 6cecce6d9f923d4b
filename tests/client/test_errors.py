"""Typed errors: one class per documented status, readable messages whatever the body."""

from __future__ import annotations

import httpx
import pytest
import spaces_client
from spaces_client import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    SpacesError,
)

from .conftest import Recorder, async_client, sync_client


def test_hierarchy() -> None:
    assert issubclass(APIConnectionError, SpacesError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIStatusError, SpacesError)
    for cls in (
        BadRequestError,
        AuthenticationError,
        NotFoundError,
        RateLimitError,
        InternalServerError,
    ):
        assert issubclass(cls, APIStatusError)
    assert issubclass(APIResponseValidationError, SpacesError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (413, APIStatusError),
        (415, APIStatusError),
    ],
)
def test_each_status_raises_its_class(status: int, cls: type[APIStatusError]) -> None:
    body = {"message": f"failure {status}"}
    client = sync_client(Recorder(lambda r: httpx.Response(status, json=body)), max_retries=0)
    with pytest.raises(cls) as caught:
        client.customers.retrieve("cus_1")
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert error.message == f"failure {status}"
    assert error.body == body
    assert isinstance(error.response, httpx.Response) and error.response.status_code == status
    assert str(error) == f"Error code: {status} - failure {status}"


def test_a_non_json_error_body_still_gives_a_readable_message() -> None:
    client = sync_client(
        Recorder(lambda r: httpx.Response(502, text="upstream connect error\n")), max_retries=0
    )
    with pytest.raises(InternalServerError) as caught:
        client.account.retrieve()
    assert caught.value.message == "502 Bad Gateway: upstream connect error"


def test_an_html_error_page_is_summarised_not_dumped() -> None:
    html = "<html><head><title>502</title></head><body>" + "x" * 5000 + "</body></html>"
    answer = httpx.Response(502, text=html, headers={"content-type": "text/html"})
    with pytest.raises(InternalServerError) as caught:
        sync_client(Recorder([answer]), max_retries=0).account.retrieve()
    assert caught.value.message == "502 Bad Gateway (an HTML page instead of a JSON error)"


def test_an_empty_error_body_gives_the_status_line() -> None:
    with pytest.raises(AuthenticationError) as caught:
        sync_client(Recorder([httpx.Response(401)])).account.retrieve()
    assert caught.value.message == "401 Unauthorized"


def test_a_success_body_that_breaks_the_schema_raises_validation_error() -> None:
    client = sync_client(Recorder([httpx.Response(200, json={"object": "customer", "id": "x"})]))
    with pytest.raises(APIResponseValidationError) as caught:
        client.customers.retrieve("x")
    assert caught.value.status_code == 200
    assert "Customer" in caught.value.message


def test_a_non_json_success_body_raises_validation_error() -> None:
    client = sync_client(Recorder([httpx.Response(200, text="<html>maintenance</html>")]))
    with pytest.raises(APIResponseValidationError, match="expected a JSON body"):
        client.account.retrieve()


async def test_async_client_raises_the_same_classes() -> None:
    client = async_client(
        Recorder(lambda r: httpx.Response(404, json={"message": "No such customer: x"}))
    )
    with pytest.raises(NotFoundError) as caught:
        await client.customers.retrieve("x")
    assert caught.value.message == "No such customer: x"


def test_errors_are_exported_at_the_top() -> None:
    for name in ("SpacesError", "APIStatusError", "NotFoundError", "PaginationError"):
        assert name in spaces_client.__all__


@pytest.mark.parametrize(
    ("status", "name"),
    [(403, "PermissionDeniedError"), (409, "ConflictError"), (422, "UnprocessableEntityError")],
)
def test_the_other_common_statuses_have_classes(status: int, name: str) -> None:
    cls = getattr(spaces_client, name)
    assert issubclass(cls, APIStatusError) and name in spaces_client.__all__
    client = sync_client(
        Recorder(lambda r: httpx.Response(status, json={"message": "no"})), max_retries=0
    )
    with pytest.raises(cls) as caught:
        client.customers.retrieve("cus_1")
    assert type(caught.value) is cls and caught.value.status_code == status


def test_api_error_is_the_base_of_every_error_about_a_request() -> None:
    from spaces_client import APIError

    for cls in (APIStatusError, APIConnectionError, APIResponseValidationError):
        assert issubclass(cls, APIError) and issubclass(cls, SpacesError)
    assert not issubclass(spaces_client.PaginationError, APIError)


def test_status_errors_carry_request_body_and_request_id() -> None:
    from spaces_client._metadata import REQUEST_ID_HEADER

    assert REQUEST_ID_HEADER is not None
    body = {"message": "No such customer: cus_9", "hint": "check the id"}
    client = sync_client(
        Recorder(lambda r: httpx.Response(404, json=body, headers={REQUEST_ID_HEADER: "req_42"}))
    )
    with pytest.raises(NotFoundError) as caught:
        client.customers.retrieve("cus_9")
    error = caught.value
    assert error.body == body and error.request_id == "req_42"
    assert error.request.method == "GET" and error.request.url.path.endswith("/customers/cus_9")
    assert "req_42" in str(error)


def test_connection_and_validation_errors_carry_the_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(APIConnectionError) as conn:
        sync_client(Recorder(refuse), max_retries=0).customers.retrieve("cus_1")
    assert conn.value.request.url.path.endswith("/customers/cus_1")
    assert conn.value.body is None and conn.value.request_id is None
    from spaces_client._metadata import REQUEST_ID_HEADER

    headers = {REQUEST_ID_HEADER or "": "r"}
    broken = Recorder([httpx.Response(200, json={"object": "customer"}, headers=headers)])
    with pytest.raises(APIResponseValidationError) as invalid:
        sync_client(broken).customers.retrieve("cus_1")
    assert invalid.value.request.method == "GET" and invalid.value.request_id == "r"


def test_a_connection_error_names_the_url_it_could_not_reach() -> None:
    """With no SPACES_BASE_URL a sandbox token goes to production: the error must say where."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    base = f"http://127.0.0.1:{port}/api/v1"
    with spaces_client.SpacesClient(access_token="t", base_url=base, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.customers.list(limit=3)
    message = str(caught.value)
    assert f"GET {base}/customers" in message
    assert "limit" not in message  # the query stays out
