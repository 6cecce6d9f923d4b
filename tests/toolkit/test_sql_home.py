"""SQL has one home: the storage layer. Every SQL statement in the package's sources is in
spaces_toolkit/server/storage/repo/, the database adapters
(spaces_toolkit/server/storage/database.py, spaces_toolkit/server/storage/postgres.py and its
asyncpg side, postgres_reads.py) or the migrations; the rest of the server, the webhook tools and
the contract suite call storage functions.

A statement is a string literal (implicitly concatenated parts and f-strings included; not a
docstring) that starts like one (`SELECT …`, `INSERT INTO`, `UPDATE t SET`, `DELETE FROM`,
`WITH x AS (`, DDL, `PRAGMA`), or that carries a clause with a bind placeholder (`WHERE … ?`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "spaces_toolkit"
HOME = (
    "server/storage/repo/",
    "server/storage/database.py",
    "server/storage/postgres.py",
    "server/storage/postgres_reads.py",
    "server/storage/migrations/",
)

_STARTS = re.compile(
    r"""\s*(?:
        SELECT\s | INSERT\s+INTO\s | UPDATE\s+\w+(?:\s+\w+)?\s+SET\s | DELETE\s+FROM\s
        | WITH\s+(?:RECURSIVE\s+)?\w+(?:\s*\([^)]*\))?\s+AS\s*\(
        | (?:CREATE|ALTER|DROP)\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|SCHEMA|DATABASE|TRIGGER)\s
        | PRAGMA\s
    )""",
    re.VERBOSE,
)
_CLAUSE = re.compile(r"\b(?:WHERE|SET|VALUES|LIMIT|AND|OR)\b[^\n]*?(?:\?|%s)")


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) else "{}"
            for v in node.values
            if isinstance(v, ast.Constant | ast.FormattedValue)
        )
    return None


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and _text(body[0].value) is not None:
                found.add(id(body[0].value))
    return found


def statements(source: str) -> list[tuple[int, str]]:
    """(line, text) of every SQL statement or clause among the source's string literals."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    inner = {  # the constant parts of an f-string are read as the f-string
        id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inner:
            continue
        text = _text(node)
        if text is not None and (_STARTS.match(text) or _CLAUSE.search(text)):
            found.append((getattr(node, "lineno", 0), text))
    return sorted(found)


def _sql_by_module() -> dict[str, list[tuple[int, str]]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found = statements(path.read_text(encoding="utf-8"))
        if found:
            out[path.relative_to(PACKAGE).as_posix()] = found
    return out


SQL = _sql_by_module()


def test_sql_lives_only_in_storage() -> None:
    outside = {
        module: [f"line {line}: {text[:60]!r}" for line, text in found]
        for module, found in SQL.items()
        if not module.startswith(HOME)
    }
    assert outside == {}, "SQL outside server/storage/repo/ (move it into a storage function)"


def test_the_storage_layer_is_seen() -> None:
    """The detector finds the statements where they belong (so an empty report means none)."""
    homes = {module for module in SQL if module.startswith(HOME)}
    assert {
        "server/storage/repo/reads.py",
        "server/storage/repo/writes.py",
        "server/storage/database.py",
    } <= homes
    assert sum(len(found) for found in SQL.values()) > 50


def test_what_counts_as_a_statement() -> None:
    source = '''
"""Module doc: SELECT id FROM nothing WHERE x = ? (prose, not a statement)."""
A = "SELECT seq FROM t" " WHERE id = ?"
B = f"SELECT {cols} FROM {table} WHERE account_id = ?"
C = f"{select} WHERE {' AND '.join(conds)} ORDER BY seq LIMIT ?"
D = "UPDATE webhooks SET pending = 0 WHERE seq = ?"
E = "INSERT INTO events (id) VALUES (?)"
F = "DELETE FROM tokens WHERE id = ?"
G = "WITH chosen AS (SELECT 1) SELECT * FROM chosen"
H = "SELECT 1"
I = ["GET", "DELETE", "UPDATE"]
J = "Select a port; update the settings, then delete them."
K = "CREATE INDEX IF NOT EXISTS i ON t (a)"
def f():
    """Docstring: DELETE FROM x WHERE y = ?"""
    return "no sql here"
'''
    found = [text.split()[0] for _, text in statements(source)]
    assert found == [
        "SELECT",
        "SELECT",
        "{}",
        "UPDATE",
        "INSERT",
        "DELETE",
        "WITH",
        "SELECT",
        "CREATE",
    ]
