"""`python -m generator [--spec PATH] [--out DIR] [--check] [--only NAME]`.

The entry point composes the generator with `spaces diff`: the release history (the client's
CHANGELOG.md and the docs' Changes) is the diff between the spec's release snapshots, read here and
handed to the emitters as data, so the generator's modules never import the diff (which imports
the generator's IR for the client surface).

Exit status: 0 done (or, with --check, no drift); 1 drift found by --check; 2 the spec has
problems (each printed as `#/json/pointer: message`, and nothing written).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from spaces_toolkit.diff.model import CATEGORY_LIST
from spaces_toolkit.diff.releases import history, releases_dir
from spaces_toolkit.spec import Problem, SpecError
from spaces_toolkit.spec.versions import VERSION_KEY

from .build import load_api
from .changes import ChangeNote, ReleaseNotes
from .emitters import EMITTERS, EmitContext
from .write import check, write

DEFAULT_SPEC = Path("spec/openapi.yaml")
DEFAULT_OUT = Path("generated")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description="Generate the API client(s) from the OpenAPI spec."
    )
    parser.add_argument(
        "--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI 3.1 file (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output root (default: %(default)s)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temp folder and fail if the output root differs",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=[e.name for e in EMITTERS],
        help="run only this emitter (repeatable; default: all)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    try:
        return _run(args, started)
    except SpecError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(
            f"{args.spec}: {count} problem{'s' if count != 1 else ''}; nothing was generated",
            file=sys.stderr,
        )
        return 2
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"generator: {exc}; nothing was changed", file=sys.stderr)
        return 1


def load_history(spec_path: Path, document: dict[str, Any]) -> tuple[ReleaseNotes, ...]:
    """Newest first. () when the spec has neither releases nor a contract version."""
    folder = releases_dir(spec_path)
    if not folder.is_dir() and VERSION_KEY not in (document.get("info") or {}):
        return ()
    try:
        releases = history(document, folder)
    except ValueError as exc:
        raise SpecError([Problem(f"/info/{VERSION_KEY}", str(exc))]) from None
    return tuple(
        ReleaseNotes(
            version=r.version,
            released=r.released,
            first=r.first,
            sections=tuple(
                (
                    category.heading,
                    tuple(
                        ChangeNote(c.pointer, c.message, c.breaks_clients and c.breaks_servers)
                        for c in r.changes
                        if c.category == category.id
                    ),
                )
                for category in CATEGORY_LIST
                if any(c.category == category.id for c in r.changes)
            ),
        )
        for r in releases
    )


def _run(args: argparse.Namespace, started: float) -> int:
    spec, api = load_api(args.spec)
    ctx = EmitContext(api=api, document=spec.content, history=load_history(args.spec, spec.content))
    emitters = [e for e in EMITTERS if not args.only or e.name in args.only]
    if args.check:
        drift = [line for e in emitters for line in check(e, ctx, args.out)]
        if drift:
            print("\n".join(drift), file=sys.stderr)
            print(
                f"{args.out}/ is out of date with {spec.label}: run `make` to regenerate it",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out}/ is up to date with {spec.label}")
        return 0
    for emitter in emitters:
        folder = write(emitter, ctx, args.out)
        print(f"generated {folder} ({emitter.description})")
    print(f"done in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
