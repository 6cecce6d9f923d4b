"""What every benchmark is handed: run size, a scratch directory and a way to report progress."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["Options", "Skip"]


class Skip(Exception):
    """A benchmark cannot run here (a tool or a part of the toolkit is missing); says why."""


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclasses.dataclass(frozen=True)
class Options:
    quick: bool
    workdir: Path
    log: Callable[[str], None] = _log

    def reps(self, full: int) -> int:
        """Measured repetitions: `full` normally, fewer (but at least 2 for a spread) in --quick."""
        return min(full, 2) if self.quick else full

    def seconds(self, full: float) -> float:
        return 1.0 if self.quick else full

    def count(self, full: int) -> int:
        return max(1, full // 10) if self.quick else full
