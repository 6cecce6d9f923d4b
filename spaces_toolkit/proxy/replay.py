"""Re-checking a recording offline: the exchanges of a `--record` HAR file through the same
checks, in the same order, with the same outputs (so the verdict is the live run's).
`spaces proxy --replay FILE` runs it; `replay(path)` is the same from Python."""

from __future__ import annotations

from pathlib import Path

from spaces_toolkit.proxy.checking import Checker
from spaces_toolkit.proxy.har import read_har
from spaces_toolkit.proxy.session import Outputs, Session
from spaces_toolkit.spec import SPEC_PATH, Spec

__all__ = ["replay"]


def replay(
    path: Path,
    spec: Spec | None = None,
    outputs: Outputs | None = None,
    *,
    base_path: str | None = None,
    spec_source: str = str(SPEC_PATH),
) -> Session:
    """Check every exchange of the recording at `path`; return the closed session (its
    `exit_code`, `violations`, `verdict()`). The API's base path is the recording's, unless
    given. Raises RecordingError for a file that is not a readable HAR recording."""
    from spaces_toolkit.proxy.run import load_spec_source

    facts, exchanges = read_har(path)
    if spec is None:
        spec = load_spec_source(spec_source)
    recorded = facts.get("base_path")
    base = base_path if base_path is not None else recorded if isinstance(recorded, str) else None
    session = Session(Checker(spec, base), outputs or Outputs(), source=str(path), spec=spec_source)
    for exchange in exchanges:
        session.exchange(exchange)
        session.seconds += exchange.seconds
    session.close()
    return session
