"""Checks run behind the forwarding, in a thread of their own: nothing is lost when they fall
behind (the forwarder waits for room, and says how often), and a check that raises is reported
as an exchange not checked, not swallowed."""

from __future__ import annotations

import asyncio
import threading

from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.worker import CheckWorker


def _exchange(number: int) -> Exchange:
    return Exchange(number, "", "GET", "/x", (), b"", 200, (), b"")


def test_a_full_queue_makes_the_forwarder_wait_and_drops_nothing():
    gate = threading.Event()
    checked: list[int] = []

    def check(exchanges: list[Exchange]) -> None:
        gate.wait()
        checked.extend(e.number for e in exchanges)

    worker = CheckWorker(check, lambda e, exc: None, capacity=2)

    async def forward() -> None:
        for n in range(1, 7):
            if n == 5:
                gate.set()  # the checks catch up while the forwarder waits for room
            await worker.put(_exchange(n))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, gate.set)  # whatever the scheduling, the checks resume
        await forward()

    asyncio.run(main())
    worker.stop()
    assert checked == [1, 2, 3, 4, 5, 6]
    assert worker.waits >= 1


def test_a_check_that_raises_is_reported_and_the_checks_go_on():
    crashed: list[tuple[int, str]] = []
    checked: list[int] = []

    def check(exchanges: list[Exchange]) -> None:
        if any(e.number == 2 for e in exchanges):
            raise ValueError("boom")
        checked.extend(e.number for e in exchanges)

    worker = CheckWorker(check, lambda e, exc: crashed.append((e.number, str(exc))))
    for n in (1, 2, 3):
        asyncio.run(worker.put(_exchange(n)))
        worker.settle()  # one batch each
    assert checked == [1, 3] and crashed == [(2, "boom")]
    worker.stop()


def test_the_checking_process_checks_and_its_end_is_reported_not_silent():
    import pytest

    from spaces_toolkit.proxy.worker import CheckError, CheckProcess
    from spaces_toolkit.spec import default_spec

    spec = default_spec()
    checks = CheckProcess(spec.document, spec.notes, "/api/v1")
    try:
        bad = Exchange(1, "", "GET", "/api/v1/customers?limit=ten", (), b"", 400, (), b"")
        [(kind, found)] = checks.check([bad])
        assert kind == "ok" and "request_parameters" in {v.check for v in found}
        assert checks.counters()["checked"] == 1
        checks._process.kill()  # the checks die mid-run
        checks._process.join()
        with pytest.raises(CheckError, match="checking process ended"):
            checks.check([bad])
        with pytest.raises(CheckError):
            checks.check([bad])  # and every exchange after it says so too
    finally:
        checks.close()
