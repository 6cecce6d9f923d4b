"""The reference server's folder shows its parts, and they import one way (the order of the
server README's "Layout" section): storage at the bottom, then webhook delivery, HTTP, the
sandbox, and the entry points (`run/`) on top. A part imports the parts below it and the shared
top-level modules (settings, problems, signing), which import no part at run time (an import for
annotations only, under `if TYPE_CHECKING:`, does not count); `app.py` composes the parts; nothing
imports `run/` but `run/` itself and the package's public names."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = "spaces_toolkit.server"
FOLDER = Path(__file__).resolve().parents[2] / "spaces_toolkit" / "server"
PARTS = ("storage", "webhook_delivery", "http", "sandbox", "run")
SHARED = ("settings", "problems", "signing")
APP = "app"


def _module(path: Path) -> str:
    parts = [SERVER, *path.relative_to(FOLDER).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(module: str, path: Path) -> set[str]:
    """The server modules `module` imports at run time (anywhere, functions included), with
    `from a import b` counted as a.b too."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)
    return {name for name in found if name in MODULES and name != module}


MODULES = {_module(p): p for p in sorted(FOLDER.rglob("*.py"))}
IMPORTS = {m: _runtime_imports(m, p) for m, p in MODULES.items()}


def part_of(module: str) -> str:
    """storage, webhook_delivery, http, sandbox or run; or the top-level module's own name."""
    return module[len(SERVER) + 1 :].split(".")[0] if module != SERVER else ""


def allowed(here: str, there: str) -> bool:
    if here == there or there in SHARED:
        return True
    if here == "":  # the package's public names (lazy, from any part)
        return True
    if here in SHARED:
        return False
    if here == APP:
        return there in PARTS and there != "run"
    if here == "run":
        return True
    return there in PARTS and PARTS.index(there) < PARTS.index(here)


def test_every_server_module_is_in_a_part() -> None:
    loose = sorted(m for m in MODULES if part_of(m) not in (*PARTS, *SHARED, APP, ""))
    assert loose == [], f"give these a part (spaces_toolkit/server/README.md, Layout): {loose}"
    folders = sorted(p.name for p in FOLDER.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted(PARTS)


def test_parts_import_one_way() -> None:
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in IMPORTS.items()
        for target in targets
        if not allowed(part_of(module), part_of(target))
    )
    assert wrong == []


def test_the_walk_sees_what_each_part_imports() -> None:
    """The walk itself: relative imports at any depth and lazy ones inside functions count, an
    import for annotations only does not; and the rule refuses an import downwards."""
    assert f"{SERVER}.storage.database" in IMPORTS[f"{SERVER}.webhook_delivery.worker"]
    assert f"{SERVER}.app" in IMPORTS[f"{SERVER}.run.serve"]  # inside a function
    assert not any(part_of(t) in PARTS for t in IMPORTS[f"{SERVER}.settings"])
    assert "FaultPlan" in MODULES[f"{SERVER}.settings"].read_text(encoding="utf-8")
    assert not allowed("storage", "http") and not allowed("http", "run")
    assert not allowed("settings", "sandbox") and allowed("http", "storage")
