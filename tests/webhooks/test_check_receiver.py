"""`spaces webhooks check-receiver` passes a correct receiver (the README's snippet, run as a
process) and fails each naive receiver on exactly the case its flaw exposes."""

from __future__ import annotations

import pytest

from spaces_toolkit.server.signing import new_secret
from spaces_toolkit.server.storage.events import EVENT_TYPES
from testing.support import free_port

from .receivers import Flaws, NaiveReceiver, check, failed_cases, readme_receiver

HOSTILE = {
    "tampered body",
    "wrong signature",
    "missing webhook-id",
    "missing webhook-timestamp",
    "missing webhook-signature",
    "stale timestamp",
    "future timestamp",
    "replayed webhook id",
    "replay under a new Spaces-Webhook-Id",
    "oversize body",
}


def test_the_readme_receiver_passes_every_case(tmp_path) -> None:
    secret = new_secret()
    port = free_port()
    with readme_receiver(tmp_path, secret, port):
        code, out = check(f"http://127.0.0.1:{port}/hook", "--secret", secret)
    assert code == 0, out
    for event_type in EVENT_TYPES:
        assert f"PASS  valid {event_type}" in out
    accepted = {
        "rotated secret, two signatures",
        "unknown event type",
        "sender retry of a handled delivery",
        "new delivery with a reused Spaces-Webhook-Id",
    }
    for case in HOSTILE | accepted:
        assert f"PASS  {case}" in out, out
    assert "FAIL" not in out


@pytest.mark.parametrize(
    ("flaw", "caught"),
    [
        (
            Flaws(no_verification=True),
            HOSTILE
            - {"replayed webhook id", "replay under a new Spaces-Webhook-Id", "oversize body"},
        ),
        (Flaws(no_timestamp_check=True), {"stale timestamp", "future timestamp"}),
        (Flaws(first_signature_only=True), {"rotated secret, two signatures"}),
        (Flaws(verify_only_if_signed=True), {"missing webhook-signature"}),
        (
            Flaws(no_dedup=True),
            {"replayed webhook id", "replay under a new Spaces-Webhook-Id"},
        ),
        (
            Flaws(dedups_on_unsigned_id=True),
            {
                "replay under a new Spaces-Webhook-Id",
                "new delivery with a reused Spaces-Webhook-Id",
            },
        ),
        (Flaws(unsigned_id_fallback=True), {"missing webhook-id"}),
        (Flaws(fails_unknown_types=True), {"unknown event type"}),
        (Flaws(no_size_limit=True), {"oversize body"}),
        (Flaws(refuses_retries=True), {"sender retry of a handled delivery"}),
    ],
    ids=lambda v: ",".join(k for k, on in vars(v).items() if on) if isinstance(v, Flaws) else "",
)
def test_each_naive_receiver_fails_on_its_flaw(flaw: Flaws, caught: set[str]) -> None:
    secret = new_secret()
    receiver = NaiveReceiver(secret, flaw)
    try:
        code, out = check(receiver.url, "--secret", secret)
    finally:
        receiver.close()
    assert code == 1, out
    assert failed_cases(out) == caught, out


def test_the_correct_naive_receiver_passes_and_a_wrong_secret_fails_the_valid_cases() -> None:
    secret = new_secret()
    receiver = NaiveReceiver(secret, Flaws())
    try:
        code, out = check(receiver.url, "--secret", secret)
        assert code == 0, out
        code, out = check(receiver.url, "--secret", new_secret())
        assert code == 1
        assert {f"valid {t}" for t in EVENT_TYPES} <= failed_cases(out)
    finally:
        receiver.close()


def test_could_not_run_exits_2() -> None:
    code, out = check(f"http://127.0.0.1:{free_port()}/hook", "--secret", new_secret())
    assert code == 2 and "never answered" in out, out
    code, out = check("http://127.0.0.1:9/hook", "--secret", "not-a-secret!")
    assert code == 2 and "--secret" in out, out
    code, out = check("ftp://x/hook", "--secret", new_secret())
    assert code == 2 and "URL" in out, out
