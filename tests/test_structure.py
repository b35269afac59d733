"""The code keeps its shape: "who is on duty" has one door (server/rosters/duty.py),
so chat, alerts and the patient's screens get the same answer; no module imports
one that imports it back, however late (inside a function) either import runs;
and no module in server/ grows past 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "server"
SNAPSHOT = "server.rosters.snapshot"
MAX_LINES = 500


def modules() -> list[Path]:
    return sorted(SERVER.rglob("*.py"))


def imports_snapshot(tree: ast.AST) -> list[int]:
    """The lines that import the roster snapshot, however they spell it."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names = {f"{node.module}.{a.name}" for a in node.names} | {node.module or ""}
        else:
            continue
        if SNAPSHOT in names:
            lines.append(node.lineno)
    return lines


def module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, known: set[str]) -> set[str]:
    """The server modules this module imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                for a in node.names
            }
    return found & known


def import_loops() -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop
    (Tarjan's strongly connected components of the import graph)."""
    paths = {module_name(p): p for p in modules()}
    graph = {
        name: imported_modules(ast.parse(path.read_text(encoding="utf-8")), set(paths)) - {name}
        for name, path in paths.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return loops


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert import_loops() == []


def test_only_the_rosters_read_the_roster_snapshot() -> None:
    allowed = {SERVER / "__init__.py"}  # the app factory sets up its cache (init_app)
    readers = [
        f"{path.relative_to(SERVER.parent)}:{line}"
        for path in modules()
        if SERVER / "rosters" not in path.parents and path not in allowed
        for line in imports_snapshot(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert readers == [], "ask server/rosters/duty.py instead"


def test_the_app_factory_only_sets_up_the_snapshot() -> None:
    tree = ast.parse((SERVER / "__init__.py").read_text(encoding="utf-8"))
    uses = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "roster_snapshot"
    }
    assert uses == {"init_app"}


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(SERVER.parent)): n
        for path in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
