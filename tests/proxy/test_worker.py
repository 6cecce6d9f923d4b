"""Checks run behind the forwarding, in a process of their own fed by the event loop: nothing is
lost when they fall behind (the forwarder waits for room, and says how often), answers are
recorded in order, and a checking process that ends is reported for every exchange it did not
answer, not swallowed."""

from __future__ import annotations

import asyncio
import socket
import threading
from multiprocessing.connection import Connection
from typing import Any

from spaces_toolkit.proxy.exchange import Exchange
from spaces_toolkit.proxy.worker import CheckChannel


def _exchange(number: int) -> Exchange:
    return Exchange(number, "", "GET", "/x", (), b"", 200, (), b"")


class FakeChecks:
    """The checking process's side of the socket, in a thread: answers each batch once `gate`
    opens, ends on request (`die_on`: the exchange number it "crashes" on)."""

    def __init__(self, die_on: int | None = None) -> None:
        self.ours, theirs = socket.socketpair()
        self.conn = Connection(theirs.detach())
        self.gate = threading.Event()
        self.batches: list[list[int]] = []
        self.die_on = die_on
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with self.conn:
            while True:
                try:
                    request = self.conn.recv()
                except EOFError:
                    return
                if request[0] == "stop":
                    return
                if request[0] == "counters":
                    self.conn.send(("ok", {"checked": sum(map(len, self.batches))}))
                    continue
                numbers = [fields[0] for fields in request[1]]
                if self.die_on in numbers:
                    return  # the connection closes: the process "died"
                self.gate.wait()
                self.batches.append(numbers)
                self.conn.send(("ok", [("ok", []) for _ in numbers]))


def _channel(fake: FakeChecks, capacity: int = 10_000) -> tuple[CheckChannel, dict[str, Any]]:
    seen: dict[str, Any] = {"recorded": [], "crashed": [], "counters": None}
    channel = CheckChannel(
        fake.ours,
        lambda e, result: seen["recorded"].append((e.number, result[0])),
        lambda e, exc: seen["crashed"].append((e.number, str(exc))),
        lambda counters: seen.__setitem__("counters", counters),
        capacity=capacity,
    )
    return channel, seen


def test_a_full_channel_makes_the_forwarder_wait_and_drops_nothing():
    fake = FakeChecks()
    channel, seen = _channel(fake, capacity=2)

    async def main() -> None:
        await channel.open()
        asyncio.get_running_loop().call_later(0.3, fake.gate.set)  # the checks resume
        for n in range(1, 7):
            await channel.put(_exchange(n))
        await channel.finish()

    asyncio.run(main())
    fake.thread.join(10)
    assert [n for n, _ in seen["recorded"]] == [1, 2, 3, 4, 5, 6]  # in order, all of them
    assert channel.waits >= 1 and seen["crashed"] == []
    assert seen["counters"] == {"checked": 6}  # finish waits for the checks, then adopts


def test_exchanges_completing_together_go_in_one_batch():
    fake = FakeChecks()
    fake.gate.set()
    channel, seen = _channel(fake)

    async def main() -> None:
        await channel.open()
        await asyncio.gather(*(channel.put(_exchange(n)) for n in range(1, 6)))
        await channel.finish()

    asyncio.run(main())
    fake.thread.join(10)
    assert fake.batches == [[1, 2, 3, 4, 5]]
    assert [n for n, kind in seen["recorded"] if kind == "ok"] == [1, 2, 3, 4, 5]


def test_an_ended_checking_process_is_reported_for_each_exchange_not_answered():
    fake = FakeChecks(die_on=2)
    fake.gate.set()
    channel, seen = _channel(fake)

    async def main() -> None:
        await channel.open()
        await channel.put(_exchange(1))
        await channel.caught_up()
        await channel.put(_exchange(2))  # the checks end on this one
        await channel.caught_up()
        await channel.put(_exchange(3))  # and every exchange after it says so too
        await channel.finish()

    asyncio.run(main())
    assert [n for n, _ in seen["recorded"]] == [1]
    assert [n for n, _ in seen["crashed"]] == [2, 3]
    assert all("checking process ended" in why for _, why in seen["crashed"])


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
