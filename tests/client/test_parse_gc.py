"""parse_body pauses the cyclic garbage collector while it builds models (bench/RESULTS.md,
parsing): the collector's state is always what it was before, whatever happens."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest
from spaces_client import APIResponseValidationError
from spaces_client._response import parse_body
from spaces_client.models import Customer, CustomerList

from .conftest import customer, page


@pytest.fixture
def collector_state() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


REQUEST = httpx.Request("GET", "https://spaces.pe/api/v1/customers/cus_1")


def _response(body: object) -> httpx.Response:
    return httpx.Response(200, json=body, request=REQUEST)


@pytest.mark.usefixtures("collector_state")
def test_the_collector_is_paused_during_the_parse_and_back_on_after() -> None:
    seen: list[bool] = []

    class Spy(httpx.Response):
        @property
        def content(self) -> bytes:  # read by parse_body inside the pause
            seen.append(gc.isenabled())
            return super().content

    gc.enable()
    response = Spy(200, json=page([customer(1), customer(2)]))
    parsed = parse_body(response, CustomerList)
    assert [c.id for c in parsed.data] == ["cus_1", "cus_2"]
    assert seen == [False] and gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_an_invalid_body_leaves_the_collector_on() -> None:
    gc.enable()
    with pytest.raises(APIResponseValidationError):
        parse_body(_response({"object": "customer"}), Customer)
    with pytest.raises(APIResponseValidationError):
        parse_body(httpx.Response(200, text="<html>", request=REQUEST), Customer)
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_state")
def test_a_collector_the_application_turned_off_stays_off() -> None:
    gc.disable()
    assert parse_body(_response(customer(1)), Customer).id == "cus_1"
    assert not gc.isenabled()
