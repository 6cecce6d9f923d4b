"""`spaces proxy` as a command: forwards until --duration or Ctrl-C, then sums up; bad input is
one line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from spaces_toolkit.cli import main
from testing.support import free_port


def _start(*args: str, group: bool = False) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    command = [sys.executable, "-m", "spaces_toolkit.cli", "proxy", "--port", str(port), *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        start_new_session=group,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                out, err = process.communicate()
                raise AssertionError(f"proxy did not start:\n{out}\n{err}") from None
            time.sleep(0.05)


def test_ctrl_c_stops_with_a_summary_and_the_verdict(reference):
    process, port = _start("--upstream", reference.base_url)
    base = f"http://127.0.0.1:{port}/api/v1"
    response = httpx.get(f"{base}/customers", params={"limit": 2}, auth=(reference.tokens[0], ""))
    assert response.status_code == 200 and len(response.json()["data"]) == 2
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    assert "1 exchanges: 1 checked" in out
    assert "PASSED: 0 violations" in out
    assert "Traceback" not in err


def test_term_to_the_process_group_still_checks_every_exchange(reference, tmp_path):
    """A service manager stops the proxy with TERM to its whole group: the checking process
    must not die first, leaving exchanges unchecked."""
    log = tmp_path / "run.jsonl"
    process, port = _start("--upstream", reference.base_url, "--log", str(log), group=True)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1") as client:
        for _ in range(20):
            client.get("/customers", params={"limit": 5}, auth=(reference.tokens[0], ""))
    os.killpg(process.pid, signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, out + err
    summary = [json.loads(line) for line in log.read_text().splitlines()][-1]
    assert summary["type"] == "summary" and summary["errors"] == 0, summary
    assert summary["exchanges"] == summary["checked"] == 20, summary


def test_duration_ends_the_run_and_violations_exit_1(reference, tmp_path):
    log = tmp_path / "violations.jsonl"
    process, port = _start("--upstream", reference.base_url, "--duration", "3", "--log", str(log))
    httpx.get(
        f"http://127.0.0.1:{port}/api/v1/customers",
        params={"limit": "ten"},  # not an integer: the docs say so (limit=0 only deviates)
        auth=(reference.tokens[0], ""),
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, out + err
    lines = [line for line in out.splitlines() if line.startswith("✗")]
    assert len(lines) == 1 and "PX002 request_parameters" in lines[0]
    assert reference.tokens[0] not in out + err + log.read_text()
    records = log.read_text().splitlines()
    assert '"type": "violation"' in records[0] and '"type": "summary"' in records[-1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["proxy"], "give --upstream URL"),
        (["proxy", "--upstream", "ftp://example.com"], "must be an http(s) URL"),
        (["proxy", "--upstream", "http://x", "--replay", "f.har"], "one of them"),
        (["proxy", "--replay", "no-such-file.har"], "cannot read no-such-file.har"),
        (["proxy", "--upstream", "http://x", "--spec", "no/such.yaml"], "--spec no/such.yaml"),
        (["proxy", "--upstream", "http://x", "--log", "no/dir/x.jsonl"], "no such directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_bad_duration_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["proxy", "--upstream", "http://x", "--duration", "soon"])
    assert exit_info.value.code == 2
    assert "not a duration" in capsys.readouterr().err
