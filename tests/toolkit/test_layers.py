"""Layers that point one way, read from the source (the AST of every module, every import in it,
at module level or inside a function).

The layers: the spec model at the bottom; the generator (its IR is a view over the model); the
server, the contract suite, `spaces diff` (which reads the generated client's surface through the
generator's IR) and the webhook tools; on top, the command-line entry points. An entry point
(the `spaces` command, a module of its registry, a `*cli` or `__main__` module, `spaces serve`
and its ASGI factory) may import any library module; a library module imports no entry point, and
the library modules' packages import each other without a cycle. Nothing imports the top-level
`spaces` command (it imports its subcommands from a registry).

Also: the wheel's package list (pyproject.toml) is every package folder of the repository, with
generator/ shipped as `spaces_toolkit._generator`.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

from spaces_toolkit.cli import COMMAND_MODULES

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("spaces_toolkit", "generator")
TOP_CLI = "spaces_toolkit.cli"
# Process entry points that are not `*cli` modules (`spaces serve` and its ASGI factory, the
# `python -m spaces_toolkit.server.run.with_server` wrapper).
ENTRY_POINTS = frozenset(
    {"spaces_toolkit.server.run.serve", "spaces_toolkit.server.run.with_server"}
)
# The name the wheel installs the repository's generator/ folder under.
INSTALLED_GENERATOR = "spaces_toolkit._generator"


def _modules() -> dict[str, Path]:
    found = {}
    for root in ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            if "runtime" in path.relative_to(REPO).parts:
                continue  # generator/runtime: copied into the generated client, not imported
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def is_entry_point(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return (
        module == TOP_CLI
        or module in COMMAND_MODULES
        or module in ENTRY_POINTS
        or last in ("cli", "__main__")
        or last.endswith("_cli")
    )


def _canonical(name: str) -> str:
    if name == INSTALLED_GENERATOR or name.startswith(INSTALLED_GENERATOR + "."):
        return "generator" + name[len(INSTALLED_GENERATOR) :]
    return name


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every module of ours `module` imports (`from a import b` counts a.b when b is a module),
    including `importlib.import_module("...")` with a constant name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target, *(f"{target}.{a.name}" for a in node.names)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in map(_canonical, names):
            if name in MODULES and name != module:
                yield name
    if module == TOP_CLI:
        yield from COMMAND_MODULES  # imported by name from its registry


IMPORTS = {module: sorted(set(_imported(module, path))) for module, path in MODULES.items()}


def package_of(module: str) -> str:
    """The package a module counts in: generator, spaces_toolkit.<sub>, or spaces_toolkit (the
    root modules: errors, environment rules, version)."""
    parts = module.split(".")
    if parts[0] == "generator":
        return "generator"
    if len(parts) > 1 and f"spaces_toolkit.{parts[1]}" in MODULES:
        candidate = f"spaces_toolkit.{parts[1]}"
        if MODULES[candidate].name == "__init__.py":
            return candidate
    return "spaces_toolkit"


def package_graph() -> dict[tuple[str, str], list[str]]:
    """(package, package it imports) -> the library modules' imports that make the edge."""
    edges: dict[tuple[str, str], list[str]] = {}
    for module, targets in IMPORTS.items():
        if is_entry_point(module):
            continue
        for target in targets:
            edge = (package_of(module), package_of(target))
            if edge[0] != edge[1]:
                edges.setdefault(edge, []).append(f"{module} -> {target}")
    return edges


def _cycle(edges: set[tuple[str, str]]) -> list[str] | None:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(node: str, stack: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt]
            if nxt not in state:
                found = visit(nxt, [*stack, nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_walk_sees_the_known_edges() -> None:
    """The walker itself: relative imports, lazy imports, import_module and the registry."""
    # lazy, relative
    assert "spaces_toolkit.server.app" in IMPORTS["spaces_toolkit.server.run.serve"]
    assert "generator.build" in IMPORTS["spaces_toolkit.diff.surface"]  # import_module
    assert set(COMMAND_MODULES) <= set(IMPORTS[TOP_CLI])
    assert ("spaces_toolkit.diff", "generator") in package_graph()


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c", "a"]
    assert _cycle({("a", "b"), ("a", "c"), ("b", "c")}) is None


def test_no_cycle_between_packages() -> None:
    edges = package_graph()
    cycle = _cycle(set(edges))
    assert cycle is None, (
        " -> ".join(cycle)
        + "\n"
        + "\n".join(
            f"{a} -> {b}: {', '.join(edges[(a, b)])}"
            for a, b in zip(cycle, cycle[1:], strict=False)
        )
    )


def test_no_library_module_imports_an_entry_point() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in IMPORTS.items()
        if not is_entry_point(module)
        for target in targets
        if is_entry_point(target)
    ]
    assert upward == []


def test_nothing_imports_the_spaces_command() -> None:
    assert [m for m, targets in IMPORTS.items() if TOP_CLI in targets] == []


def test_the_wheel_lists_every_package() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    assert config["package-dir"] == {INSTALLED_GENERATOR: "generator"}
    folders = {
        m.replace("generator", INSTALLED_GENERATOR, 1) if m.startswith("generator") else m
        for m, path in MODULES.items()
        if path.name == "__init__.py"
    }
    assert set(config["packages"]) == folders
    assert not any(p == "generator" or p.startswith("generator.") for p in config["packages"])
