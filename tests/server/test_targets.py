"""The address table: every spelling of a loopback/private/metadata address is refused the same
way at creation (the API's 400) and at delivery (the worker's check), by one normalizer; public
ones pass; `allow_private_targets` lets local receivers through."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from spaces_toolkit.server.webhook_delivery.targets import (
    TargetRefused,
    check_target_url,
    normalize_host,
    resolve_target,
)

# Names the fake resolver knows (this machine has no DNS; getaddrinfo is replaced below).
FAKE_DNS = {
    "loopback.test": ["127.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "private.test": ["10.1.2.3"],
    "mixed.test": ["93.184.216.34", "192.168.0.7"],
    "v6-loopback.test": ["::1"],
    "public.test": ["93.184.216.34"],
}

# host (as written in a URL) -> the address it means, for every refused numeric form.
REFUSED_ADDRESSES = [
    ("127.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("0X7F000001", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0177.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("127.000.000.001", "127.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),
    ("127.255.255.254", "127.255.255.254"),
    ("0", "0.0.0.0"),
    ("0.0.0.0", "0.0.0.0"),
    ("10.0.0.1", "10.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("167772161", "10.0.0.1"),
    ("172.16.0.1", "172.16.0.1"),
    ("192.168.1.1", "192.168.1.1"),
    ("3232235777", "192.168.1.1"),
    ("0xc0a80101", "192.168.1.1"),
    ("169.254.169.254", "169.254.169.254"),
    ("0xa9fea9fe", "169.254.169.254"),
    ("2852039166", "169.254.169.254"),
    ("0251.0376.0251.0376", "169.254.169.254"),
    ("100.64.0.1", "100.64.0.1"),
    ("100.100.100.200", "100.100.100.200"),
    ("224.0.0.1", "224.0.0.1"),
    ("255.255.255.255", "255.255.255.255"),
    ("[::1]", "::1"),
    ("[0:0:0:0:0:0:0:1]", "::1"),
    ("[::]", "::"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
    ("[::ffff:169.254.169.254]", "::ffff:169.254.169.254"),
    ("[::127.0.0.1]", "::127.0.0.1"),
    ("[64:ff9b::7f00:1]", "64:ff9b::7f00:1"),
    ("[2002:7f00:1::]", "2002:7f00:1::"),
    ("[2002:a9fe:a9fe::1]", "2002:a9fe:a9fe::1"),
    ("[fd00:ec2::254]", "fd00:ec2::254"),
    ("[fe80::1]", "fe80::1"),
    ("[fe80::1%25eth0]", "fe80::1"),
    ("[fc00::1]", "fc00::1"),
    ("[ff02::1]", "ff02::1"),
]
REFUSED_NAMES = [
    "localhost",
    "LOCALHOST",
    "localhost.",
    "localhost.localdomain",
    "api.localhost",
    "ip6-localhost",
    "loopback.test",
    "metadata.test",
    "private.test",
    "mixed.test",
    "v6-loopback.test",
]
INVALID = ["256.1.1.1", "1.2.3.4.5", "09.1.1.1", "0x1ffffffff", "1.256.0x10000"]
ACCEPTED = [
    ("93.184.216.34", "93.184.216.34"),
    ("1572395042", "93.184.216.34"),
    ("0x5db8d822", "93.184.216.34"),
    ("[2606:2800:220:1:248:1893:25c8:1946]", "2606:2800:220:1:248:1893:25c8:1946"),
    ("[::ffff:93.184.216.34]", "::ffff:93.184.216.34"),
    ("public.test", "93.184.216.34"),
]


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(host: str, port: int, *args: object, **kw: object) -> list[tuple]:
        if host not in FAKE_DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in FAKE_DNS[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def url(host: str) -> str:
    return f"http://{host}:8080/hook"


@pytest.mark.parametrize(("host", "meant"), REFUSED_ADDRESSES)
def test_every_spelling_of_a_private_address_is_refused_at_creation_and_delivery(
    host: str, meant: str
) -> None:
    assert normalize_host(host.strip("[]").split("%")[0]) == ipaddress.ip_address(meant)
    with pytest.raises(TargetRefused, match="not a public address"):
        check_target_url(url(host), allow_private=False)
    with pytest.raises(TargetRefused, match="not a public address"):
        resolve_target(url(host), allow_private=False)


@pytest.mark.parametrize("host", REFUSED_NAMES)
def test_loopback_names_and_names_resolving_to_private_addresses_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused):
        check_target_url(url(host), allow_private=False)
    with pytest.raises(TargetRefused):
        resolve_target(url(host), allow_private=False)


@pytest.mark.parametrize("host", INVALID)
def test_numeric_hosts_that_are_no_address_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused, match="not a valid IPv4 address"):
        check_target_url(url(host), allow_private=True)


@pytest.mark.parametrize(("host", "meant"), ACCEPTED)
def test_public_addresses_in_any_form_pass_and_delivery_pins_them(host: str, meant: str) -> None:
    check_target_url(url(host), allow_private=False)
    resolved = resolve_target(url(host), allow_private=False)
    assert resolved.addresses == (ipaddress.ip_address(meant),)
    assert resolved.port == 8080


def test_an_unresolvable_name_is_accepted_at_creation_and_refused_at_delivery() -> None:
    check_target_url(url("not-yet.example"), allow_private=False)  # spec/NOTES.md 53
    with pytest.raises(TargetRefused, match="cannot resolve"):
        resolve_target(url("not-yet.example"), allow_private=False)


@pytest.mark.parametrize(
    ("host", "meant"), [*REFUSED_ADDRESSES[:6], ("loopback.test", "127.0.0.1")]
)
def test_allow_private_targets_lets_local_receivers_through(host: str, meant: str) -> None:
    check_target_url(url(host), allow_private=True)
    assert resolve_target(url(host), allow_private=True).addresses == (ipaddress.ip_address(meant),)


@pytest.mark.parametrize(
    "bad",
    ["ftp://example.com/x", "http:///nohost", "http://user:pw@example.com/", "http://[::1/x"],
)
def test_malformed_targets_are_refused_whatever_the_setting(bad: str) -> None:
    with pytest.raises(TargetRefused):
        check_target_url(bad, allow_private=True)


async def test_the_api_answers_400_for_every_refused_form(make_sandbox) -> None:
    box = make_sandbox(accounts=1, allow_private_targets=False)
    hosts = [h for h, _ in REFUSED_ADDRESSES] + REFUSED_NAMES
    async with box.client(box.tokens[0]) as client:
        for host in hosts:
            response = await client.post(
                "/resource_subscriptions",
                data={"event": "customer.created", "target_url": url(host)},
            )
            assert response.status_code == 400, (host, response.text)
            assert "target_url" in response.json()["message"]
        ok = await client.post(
            "/resource_subscriptions",
            data={"event": "customer.created", "target_url": url("public.test")},
        )
        assert ok.status_code == 200, ok.text
