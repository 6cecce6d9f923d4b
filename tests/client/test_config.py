"""Client configuration: token, base URL, HTTPS rule, auth header, User-Agent, closing, logging."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest
from spaces_client import AsyncSpacesClient, SpacesClient, SpacesError

from .conftest import TOKEN, Recorder, async_client, customer, sync_client

ACCOUNT = {
    "object": "account",
    "created": 1,
    "name": "N",
    "email": "e@example.com",
    "avatar_image_url": None,
    "referral_code": "R",
}


def ok_account(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=ACCOUNT)


def test_basic_auth_with_the_token_as_username_and_an_empty_password() -> None:
    recorder = Recorder(ok_account)
    sync_client(recorder).account.retrieve()
    expected = base64.b64encode(f"{TOKEN}:".encode()).decode()
    assert recorder.requests[0].headers["Authorization"] == f"Basic {expected}"


def test_token_and_base_url_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPACES_ACCESS_TOKEN", "env_token")
    monkeypatch.setenv("SPACES_BASE_URL", "https://staging.example.com/api/v1/")
    recorder = Recorder(ok_account)
    client = SpacesClient(http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    client.account.retrieve()
    assert str(recorder.requests[0].url) == "https://staging.example.com/api/v1/account"
    assert (
        recorder.requests[0].headers["Authorization"]
        == "Basic " + base64.b64encode(b"env_token:").decode()
    )


def test_the_default_base_url_is_the_specs_first_server() -> None:
    recorder = Recorder(ok_account)
    client = sync_client(recorder)
    assert client.base_url == "https://spaces.pe/api/v1"
    client.account.retrieve()
    assert str(recorder.requests[0].url) == "https://spaces.pe/api/v1/account"


def test_an_argument_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPACES_BASE_URL", "https://env.example.com")
    client = SpacesClient("t", base_url="https://arg.example.com")
    assert client.base_url == "https://arg.example.com"


def test_no_token_anywhere_is_a_clear_error() -> None:
    with pytest.raises(SpacesError, match="SPACES_ACCESS_TOKEN"):
        SpacesClient()
    with pytest.raises(SpacesError, match="SPACES_ACCESS_TOKEN"):
        AsyncSpacesClient()


@pytest.mark.parametrize(
    "url", ["http://spaces.pe/api/v1", "http://10.0.0.1/api", "ftp://spaces.pe"]
)
def test_plain_http_is_refused_unless_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="https|HTTPS"):
        SpacesClient("t", base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000",
        "http://127.0.0.1:9/api",
        "http://[::1]:8080",
        "http://api.localhost",
    ],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert SpacesClient("t", base_url=url).base_url == url


def test_user_agent_is_descriptive() -> None:
    recorder = Recorder(ok_account)
    sync_client(recorder).account.retrieve()
    agent = recorder.requests[0].headers["User-Agent"]
    assert agent.startswith("spaces-client/") and "api 04-09-2014" in agent and "Python 3." in agent


def test_context_manager_closes_its_own_http_client() -> None:
    with SpacesClient("t") as client:
        http = client._http_client
    assert http.is_closed


def test_a_passed_in_http_client_is_left_open() -> None:
    http = httpx.Client(transport=httpx.MockTransport(ok_account))
    with SpacesClient("t", http_client=http) as client:
        client.account.retrieve()
    assert not http.is_closed


async def test_async_context_manager_and_aclose() -> None:
    async with AsyncSpacesClient("t") as client:
        http = client._http_client
    assert http.is_closed
    other = async_client(ok_account)
    assert (await other.account.retrieve()).name == "N"
    await other.aclose()


def test_the_token_never_shows_in_repr_or_logs(
    caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder([httpx.Response(500), httpx.Response(200, json=customer(1))])
    client = sync_client(recorder)
    client.customers.retrieve("cus_1", max_retries=1)
    encoded = base64.b64encode(f"{TOKEN}:".encode()).decode()
    assert TOKEN not in repr(client) and TOKEN not in str(vars(client).get("base_url"))
    assert caplog.records, "the client logs what it does"
    assert "Retrying" in caplog.text
    assert TOKEN not in caplog.text and encoded not in caplog.text
    assert "<redacted>" in caplog.text


def test_with_options_copies_the_client() -> None:
    recorder = Recorder(ok_account)
    client = sync_client(recorder, max_retries=5)
    copy = client.with_options(max_retries=0, timeout=3.0)
    assert (copy.max_retries, copy.timeout, client.max_retries) == (0, 3.0, 5)
    copy.account.retrieve()
    assert recorder.requests[0].extensions["timeout"]["read"] == 3.0


def test_spaces_log_turns_on_logging_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import spaces_client._logs as logs

    monkeypatch.setenv("SPACES_LOG", "debug")
    monkeypatch.setattr(logs, "_configured", False)
    handlers = list(logs.logger.handlers)
    level = logs.logger.level
    try:
        sync_client(Recorder(ok_account)).account.retrieve()
        err = capsys.readouterr().err
        assert "GET https://spaces.pe/api/v1/account" in err
        assert TOKEN not in err and "<redacted>" in err
    finally:
        logs.logger.handlers[:] = handlers
        logs.logger.setLevel(level)
