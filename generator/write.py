"""Write emitters' output: render into a temp folder, stamp, format, then swap it into place.

`check` renders the same way into a throwaway folder and compares it with what is on disk.
"""

from __future__ import annotations

import difflib
import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .emitters import EmitContext, Emitter

__all__ = ["IGNORED", "check", "copy_stamp", "generated_files", "render_into", "stamp", "write"]

# Left by running or installing the output, never generated: not drift, and not kept on a swap.
IGNORED = ("__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist")
_IGNORED_SUFFIXES = (".pyc", ".egg-info")


def stamp(path: str, ctx: EmitContext) -> str:
    """The do-not-edit header for a generated file, in the comment syntax of its type."""
    api = ctx.api
    return _comment(
        path,
        (
            f"Generated from {api.spec_label} (sha256 {api.spec_sha256}) by the generator.",
            "Do not edit: change the spec and run `make`.",
        ),
    )


def copy_stamp(path: str, source: str) -> str:
    """The header of a file copied verbatim from hand-written code: where to edit it."""
    return _comment(
        path,
        (
            f"Copied verbatim from {source} by the generator.",
            f"Do not edit this copy: edit {source} and run `make`.",
        ),
    )


# Text files whose content is Markdown (llmstxt.org): a `# ` line would be their title.
_MARKDOWN_TEXT = ("llms.txt", "llms-full.txt")


def _comment(path: str, text: tuple[str, ...]) -> str:
    suffix = ".md" if Path(path).name in _MARKDOWN_TEXT else Path(path).suffix
    if suffix in (".py", ".toml", ".typed", ".cfg", ".ini", ".yaml", ".yml", ".txt"):
        return "".join(f"# {line}\n" for line in text)
    if suffix in (".md", ".html", ".xml", ".svg"):
        return "<!-- " + " ".join(text) + " -->\n"
    if suffix in (".css", ".js"):
        return "/* " + " ".join(text) + " */\n"
    return ""


def render_into(emitter: Emitter, ctx: EmitContext, folder: Path) -> None:
    """Render `emitter` into `folder` (which must not exist), stamped and post-processed."""
    files = emitter.render(ctx)
    copies = emitter.copies(ctx) if emitter.copies else {}
    folder.mkdir(parents=True)
    for rel in sorted(files):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        body = files[rel]
        header = copy_stamp(rel, copies[rel]) if rel in copies else stamp(rel, ctx)
        if body.startswith("#!") and header:  # keep a shebang first
            first, _, rest = body.partition("\n")
            body = f"{first}\n{header}{rest}"
        else:
            body = header + body
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(body)
    if emitter.postprocess is not None:
        emitter.postprocess(folder)


def write(emitter: Emitter, ctx: EmitContext, out_root: Path) -> Path:
    """Regenerate `out_root/<directory>`: nothing there changes unless rendering succeeds."""
    out_root.mkdir(parents=True, exist_ok=True)
    final = out_root / emitter.directory
    staging = Path(tempfile.mkdtemp(prefix=f".{emitter.directory}.new-", dir=out_root))
    old = out_root / f".{emitter.directory}.old-{os.getpid()}"
    try:
        render_into(emitter, ctx, staging / "out")
        if final.exists():
            final.rename(old)
        try:
            (staging / "out").rename(final)
        except OSError:
            if old.exists():
                old.rename(final)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return final


def generated_files(root: Path) -> Iterator[str]:
    """The files under `root` the generator owns (what it leaves out: IGNORED), as posix paths."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in IGNORED and not d.endswith(_IGNORED_SUFFIXES)
        )
        for name in sorted(filenames):
            if not name.endswith(_IGNORED_SUFFIXES):
                yield Path(dirpath, name).relative_to(root).as_posix()


def check(
    emitter: Emitter, ctx: EmitContext, out_root: Path, *, max_diff_lines: int = 60
) -> list[str]:
    """Lines describing how `out_root/<directory>` differs from a fresh rendering ([] if not)."""
    current = out_root / emitter.directory
    with tempfile.TemporaryDirectory(prefix="generator-check-") as tmp:
        fresh = Path(tmp) / emitter.directory
        render_into(emitter, ctx, fresh)
        want = set(generated_files(fresh))
        have = set(generated_files(current)) if current.is_dir() else set()
        report = [f"missing: {emitter.directory}/{p}" for p in sorted(want - have)]
        report += [f"not generated: {emitter.directory}/{p}" for p in sorted(have - want)]
        diff: list[str] = []
        for rel in sorted(want & have):
            if filecmp.cmp(fresh / rel, current / rel, shallow=False):
                continue
            report.append(f"differs: {emitter.directory}/{rel}")
            old = (current / rel).read_text(encoding="utf-8", errors="replace").splitlines()
            new = (fresh / rel).read_text(encoding="utf-8").splitlines()
            diff += difflib.unified_diff(
                old, new, f"on disk/{rel}", f"from spec/{rel}", lineterm="", n=1
            )
    if len(diff) > max_diff_lines:
        diff = [*diff[:max_diff_lines], f"... ({len(diff) - max_diff_lines} more diff lines)"]
    return report + diff
