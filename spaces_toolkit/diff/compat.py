"""Versions follow changes: `make check` and `make check-compat` call this.

    python -m spaces_toolkit.diff.compat [--spec PATH] [--base REV|auto]
    python -m spaces_toolkit.diff.compat --release

Without --base: the spec against its last released snapshot (spec/releases/, no git needed).
With --base: also against the spec at a git revision (`auto`: the last `v*` release tag, else
the merge base with main; skipped with a message when neither exists, e.g. a shallow clone).
--release snapshots the spec as spec/releases/<x-contract-version>.yaml.
Exit status: 0 versions follow the changes, 1 they do not, 2 could not run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from spaces_toolkit.spec import load_document
from spaces_toolkit.spec.versions import (
    VERSION_KEY,
    Version,
    bump_between,
    contract_version,
    covers,
    next_version,
    show,
)

from .compare import compare_documents
from .model import Change
from .releases import load_releases, releases_dir
from .sources import SourceError, load_side
from .versions import required_bump

__all__ = ["main"]

DEFAULT_SPEC = Path("spec/openapi.yaml")


class Refused(Exception):
    """Versions do not follow the changes; the message says what to do."""


def _verdict(
    label: str, changes: tuple[Change, ...], base_release: Version, version: Version
) -> str:
    needed = required_bump(changes)
    actual = bump_between(base_release, version)
    if covers(actual, needed):
        return f"{label}: {len(changes)} change(s); {VERSION_KEY} {show(version)} covers them"
    worst = [c for c in changes if c.breaks_clients] or list(changes)
    sample = "; ".join(f"#{c.pointer}: {c.message}" for c in worst[:3])
    more = f" (and {len(worst) - 3} more)" if len(worst) > 3 else ""
    assert needed is not None
    raise Refused(
        f"{label}: a {needed} change since {show(base_release)} needs info.{VERSION_KEY} "
        f"{next_version(base_release, needed)} or later, found {show(version)}: {sample}{more}"
    )


def check_release(spec: dict[str, Any], folder: Path) -> str:
    version = contract_version(spec)
    snapshots = load_releases(folder)
    if not snapshots:
        return f"no release under {folder}/ yet: run `make release` to seed it"
    last, doc = snapshots[-1]
    changes = compare_documents(doc, spec).changes
    if version == last and not changes:
        return f"spec is release {show(last)}"
    return _verdict(f"since release {show(last)}", changes, last, version)


def check_base(spec: dict[str, Any], folder: Path, base: str, spec_path: Path) -> str:
    auto = base == "auto"
    if auto:
        found = _auto_base()
        if found is None:
            return (
                "check-compat: skipped the git comparison: no `v*` release tag and no merge "
                "base with main in this clone (shallow?); the release check still ran"
            )
        base = found
    try:
        old = load_side(f"{base}:{spec_path.as_posix()}")
    except SourceError as exc:
        if auto:  # e.g. a base from before the spec existed
            return f"check-compat: skipped the git comparison with {base}: {exc}"
        raise SourceError(f"base {base}: {exc}") from None
    try:
        base_version = contract_version(old)
    except ValueError:
        base_version = (0, 0, 0)  # a base from before versioning: everything since counts
    released = [v for v, _ in load_releases(folder) if v <= base_version]
    start = released[-1] if released else base_version
    changes = compare_documents(old, spec).changes
    return _verdict(f"since {base}", changes, start, contract_version(spec))


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _auto_base() -> str | None:
    tag = _git("describe", "--tags", "--abbrev=0", "--match", "v[0-9]*")
    if tag:
        return tag
    for main in ("origin/main", "main"):
        base = _git("merge-base", "HEAD", main)
        if base:
            return base
    return None


def release(spec_path: Path, folder: Path) -> str:
    spec = load_document(spec_path.read_bytes(), str(spec_path))
    version = show(contract_version(spec))
    target = folder / f"{version}.yaml"
    if target.exists():
        if target.read_bytes() == spec_path.read_bytes():
            return f"{target} already holds this spec"
        raise Refused(f"{version} is already released ({target}): bump info.{VERSION_KEY}")
    check_release(spec, folder)  # a release must follow the versioning rules too
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".yaml.tmp")
    shutil.copyfile(spec_path, tmp)
    tmp.replace(target)
    return (
        f"released {version}: {target} (regenerate with `make`, commit, then `git tag v{version}`)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spaces_toolkit.diff.compat")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--base", help="git revision to compare with, or `auto`")
    parser.add_argument("--release", action="store_true", help="snapshot the spec as a release")
    args = parser.parse_args(argv)
    folder = releases_dir(args.spec)
    try:
        if args.release:
            print(release(args.spec, folder))
            return 0
        spec = load_document(args.spec.read_bytes(), str(args.spec))
        print(check_release(spec, folder))
        if args.base:
            print(check_base(spec, folder, args.base, args.spec))
    except Refused as exc:
        print(f"versions: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, SourceError) as exc:
        print(f"versions: could not run: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
