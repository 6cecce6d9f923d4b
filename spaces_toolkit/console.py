"""How the commands print for a person: rich (colour, tables that fit, a live status line) on a
terminal, plain text otherwise -- the same information either way.

Plain when the stream is not a terminal, or when `NO_COLOR` (https://no-color.org) or `CI` is
set, or `TERM=dumb`; `FORCE_COLOR` forces the rich form (CI logs that render colour). Rich is
imported only when the rich form is used, so `spaces --help` and `--version` stay light.

The commands' own modules decide what to show; this module decides how: `wants_rich`, `Column`,
`plain_table`, `print_table`, `console` and `Status` (a live step-by-step progress display).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

__all__ = [
    "DETAIL",
    "Column",
    "Status",
    "Styled",
    "console",
    "plain_table",
    "print_table",
    "rich_table",
    "status",
    "wants_rich",
]


DETAIL = "~"  # a progress line that details the current step (see Status)


def wants_rich(stream: IO[str] | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether output to `stream` (default stdout) gets the rich form."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("CI") or env.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def console(stream: IO[str] | None = None) -> Any:
    """A rich Console writing to `stream` (colour forced when `wants_rich` said so)."""
    from rich.console import Console

    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", lambda: False)
    forced = not isatty()
    width = None
    if forced:  # a forced rich form on a pipe: a width that tables fit in, not rich's 80
        try:
            width = int(os.environ.get("COLUMNS", "")) or None
        except ValueError:
            width = None
        width = width or 120
    return Console(file=stream, force_terminal=True if forced else None, width=width)


@dataclass(frozen=True)
class Styled:
    """A table cell with a rich style of its own (plain text: just the text)."""

    text: str
    style: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    title: str
    justify: str = "left"  # or "right"
    style: str | None = None  # rich only


def plain_table(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> list[str]:
    """The table as aligned text lines: each column as wide as its widest cell."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max([len(col.title)] + [len(row[i]) for row in cells]) for i, col in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if col.justify == "right" else value.ljust(width)
            for col, value, width in zip(columns, values, widths, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return [line([c.title for c in columns]), *(line(row) for row in cells)]


def rich_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
    footer: Sequence[object] | None = None,
) -> Any:
    from rich.table import Table

    table = Table(title=title, show_footer=footer is not None, header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(
            col.title,
            justify=col.justify,  # type: ignore[arg-type]
            style=col.style,
            footer=str(footer[i]) if footer is not None else "",
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(_cell(c) for c in row))
    return table


def _cell(value: object) -> Any:
    """A cell as rich Text: our text is never read as markup (a `[redacted-1]` stays)."""
    from rich.text import Text

    if isinstance(value, Styled):
        return Text(value.text, style=value.style)
    if isinstance(value, Text):
        return value
    return Text(str(value))


def print_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    *,
    stream: IO[str] | None = None,
    title: str | None = None,
) -> None:
    """Print a table: rich on a terminal, `plain_table` otherwise."""
    stream = sys.stdout if stream is None else stream
    if wants_rich(stream):
        console(stream).print(rich_table(columns, rows, title=title))
        return
    if title:
        print(title, file=stream)
    for line in plain_table(columns, rows):
        print(line, file=stream)


class Status:
    """Live progress of a command made of steps: call it with each step's line.

    Plain: each line printed as it comes (`prefix: line`), flushed. Rich: a spinner with the
    current step; each finished step is printed above it with a check mark, its last detail and
    the seconds it took. A line starting with DETAIL (e.g. a running count of cases, or what a
    step found) is a detail of the current step: the spinner shows it, plain output prints it
    indented, without the marker.
    """

    def __init__(self, prefix: str, stream: IO[str] | None = None, rich: bool | None = None):
        self.prefix = prefix
        self.stream = sys.stderr if stream is None else stream
        self.rich = wants_rich(self.stream) if rich is None else rich
        self._live: Any = None
        self._console: Any = None
        self._step: str | None = None
        self._detail = ""
        self._began = time.monotonic()

    def __call__(self, line: str) -> None:
        detail = line.startswith(DETAIL)
        text = line[1:].strip() if detail else line
        if not self.rich:
            indent = "  " if detail else ""
            print(f"{self.prefix}: {indent}{text}", file=self.stream, flush=True)
            return
        if detail:
            self._detail = text
        else:
            self._finish_step()
            self._step, self._detail, self._began = text, "", time.monotonic()
        if self._live is not None:
            self._live.update(self._render())

    def _render(self) -> Any:
        from rich.text import Text

        step = self._step or "starting"
        text = Text.assemble((step, "bold"))
        if self._detail:
            text.append(f"  {self._detail}", style="dim")
        return text

    def _finish_step(self) -> None:
        if self._step is None or self._console is None:
            return
        from rich.markup import escape

        seconds = time.monotonic() - self._began
        detail = f" — {escape(self._detail)}" if self._detail else ""
        self._console.print(
            f"[green]✓[/green] {escape(self._step)}{detail} [dim]({seconds:.1f}s)[/dim]",
            highlight=False,
        )

    def __enter__(self) -> Callable[[str], None]:
        if self.rich:
            self._console = console(self.stream)
            self._live = self._console.status(self._render(), spinner="dots")
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
            self._finish_step()
            self._live = None


@contextmanager
def status(prefix: str, stream: IO[str] | None = None) -> Iterator[Callable[[str], None]]:
    """`with status("contract") as progress: progress("step ...")` (see `Status`)."""
    with Status(prefix, stream) as progress:
        yield progress
