"""The benchmark harness's statistics and reporting on tiny, made-up inputs, so `make bench`
cannot rot unnoticed. Nothing here times anything or asserts on speed."""

from __future__ import annotations

import json

import pytest

from bench.__main__ import BENCHMARKS, INTRO, main
from bench.machine import cpu_model, memory_gib
from bench.report import (
    NOTES_MARKER,
    Row,
    Section,
    format_table,
    kept_tail,
    merge_results,
    render_markdown,
)
from bench.stats import Goal, fmt_value, paired_ratios, percentile, ratio, summarize
from bench.wrk import parse_wrk

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:8000/api/v1/customers?limit=20
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.12ms    2.01ms  40.10ms   90.00%
    Req/Sec     1.31k   100.00     1.50k    70.00%
  Latency Distribution
     50%    5.49ms
     75%    6.50ms
     90%    8.00ms
     99%   16.21ms
  6615 requests in 5.00s, 30.11MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   1323.00
Transfer/sec:      6.02MB
"""


def test_summary_median_spread_and_text() -> None:
    s = summarize([3.0, 1.0, 2.0], "s")
    assert (s.median, s.low, s.high, s.n) == (2.0, 1.0, 3.0, 3)
    assert s.spread == pytest.approx(1.0)
    assert s.text() == "2 s ±50%"
    assert summarize([5.0], "req/s").text() == "5 req/s"
    with pytest.raises(ValueError):
        summarize([], "s")


def test_percentile_interpolates() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile([1.0, 2.0], 25) == pytest.approx(1.25)
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_ratios_and_goals() -> None:
    ours, base = summarize([2.0, 2.2], "s"), summarize([1.0, 1.0], "s")
    assert ratio(ours, base) == pytest.approx(2.1)
    paired = paired_ratios([2.0, 3.0, 4.0], [1.0, 1.0, 2.0])
    assert paired.median == 2.0 and paired.unit == "×"
    with pytest.raises(ValueError):
        paired_ratios([1.0], [1.0, 2.0])
    assert Goal("<=", 1.1).met(ours, 1.05) is True
    assert Goal("<=", 1.1).met(ours, 1.2) is False
    assert Goal(">=", 1.5).met(ours, None) is None
    assert Goal("<", 3.0, on="ours").met(ours, None) is True
    assert Goal("<", 1e-3, on="ours", text="< 1 ms").describe() == "< 1 ms"
    assert Goal(">=", 1.5).describe() == ">= 1.5×"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.0123, "s", "12.3 ms"),
        (2.5e-6, "s", "2.5 µs"),
        (3.0, "s", "3 s"),
        (1323.0, "req/s", "1,323 req/s"),
        (17.4, "cases/s", "17.4 cases/s"),
    ],
)
def test_fmt_value(value: float, unit: str, text: str) -> None:
    assert fmt_value(value, unit) == text


def test_parse_wrk() -> None:
    res = parse_wrk(WRK_OUTPUT)
    assert res.requests == 6615 and res.seconds == 5.0 and res.rps == 1323.0
    assert res.p50 == pytest.approx(5.49e-3) and res.p99 == pytest.approx(16.21e-3)
    assert res.non_2xx == 3 and res.socket_errors == 3
    with pytest.raises(ValueError):
        parse_wrk("no report here")


def _section() -> Section:
    ours, base = summarize([1.0, 1.2], "s"), summarize([1.0, 1.0], "s")
    return Section(
        "client",
        "1. Client | overhead",
        rows=[
            Row("retrieve", ours, base, "httpx", Goal("<=", 1.10), paired_ratios([1, 1.2], [1, 1])),
            Row("construction", summarize([2e-4], "s"), goal=Goal("<", 1e-3, on="ours")),
        ],
        notes=["a remark"],
        date="2026-01-01",
    )


def test_row_cells_and_json_round_trip() -> None:
    section = _section()
    cells = section.rows[0].cells()
    assert cells[3] == "1.10× ±9%" and cells[5] == "met"
    assert section.rows[1].cells()[2] == "—" and section.rows[1].cells()[5] == "met"
    again = Section.from_json(json.loads(json.dumps(section.to_json())))
    assert again == section
    table = format_table(section.rows)
    assert table.splitlines()[0].startswith("metric") and "retrieve" in table


def test_results_file_and_markdown(tmp_path) -> None:
    path = tmp_path / "results.json"
    machine = {"CPU": "Test CPU", "cores": "2"}
    merge_results(path, [_section()], machine)
    other = Section("parsing", "2. Parsing", rows=[Row("page", summarize([1.0], "s"))])
    data = merge_results(path, [other], machine)
    assert set(data["sections"]) == {"client", "parsing"}  # a partial run keeps the others
    md = render_markdown(data, list(BENCHMARKS), INTRO, "\nhand-written note\n")
    assert md.index("1. Client") < md.index("2. Parsing")
    assert "\\|" in md  # pipes in cells are escaped for the Markdown table
    assert "- cores: 2" not in md and "CPU: Test CPU, cores: 2" in md
    assert "a remark" in md and md.rstrip().endswith("hand-written note")
    assert kept_tail(md).strip() == "hand-written note"
    assert kept_tail("no marker") == "" and NOTES_MARKER in md
    assert "CPU: Test CPU, cores: 2\n" in md  # one machine: no list of benchmarks


def test_sections_run_on_different_machines_say_which_ran_where(tmp_path) -> None:
    path = tmp_path / "results.json"
    merge_results(path, [_section()], {"CPU": "First CPU"})
    third = Section("startup", "3. Start-up", rows=[Row("import", summarize([1.0], "s"))])
    merge_results(path, [third], {"CPU": "First CPU"})
    other = Section("parsing", "2. Parsing", rows=[Row("page", summarize([1.0], "s"))])
    data = merge_results(path, [other], {"CPU": "Second CPU"})
    md = render_markdown(data, list(BENCHMARKS), INTRO, "")
    assert "- CPU: First CPU (benchmarks 1, 3)\n" in md
    assert "- CPU: Second CPU (benchmark 2)\n" in md


def test_machine_facts_parsers() -> None:
    assert cpu_model("processor\t: 0\nmodel name\t: Some CPU 9000\n") == "Some CPU 9000"
    assert memory_gib("MemTotal:       25165824 kB\n") == pytest.approx(24.0)
    assert memory_gib("nothing") is None


def test_cli_lists_benchmarks_and_rejects_unknown(capsys) -> None:
    assert main(["--list"]) == 0
    assert "scaling" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["no-such-benchmark"])


class _Tracked:
    """An object of a class of its own: never from a free list, always counted by the collector."""


@pytest.mark.parametrize("collector_on", [True, False])
def test_young_count_is_the_live_result_and_leaves_the_collector_as_it_was(
    collector_on: bool,
) -> None:
    import gc

    from bench.parsing import _timed, _young_count

    was = gc.isenabled()
    try:
        (gc.enable if collector_on else gc.disable)()
        grown = _young_count(lambda: [_Tracked() for _ in range(300)])
        assert 300 <= grown < 400  # the 300 objects and their list, alive while counted
        assert _young_count(lambda: None) == 0
        seen: list[bool] = []
        _timed("client, off", lambda: seen.append(gc.isenabled()), 2)
        _timed("client", lambda: seen.append(gc.isenabled()), 1)
        assert seen == [False, False, collector_on]
        assert gc.isenabled() is collector_on
    finally:
        (gc.enable if was else gc.disable)()
