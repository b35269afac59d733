"""The code keeps its shape: "who is on duty" has one door (nattlys/rosters/duty.py),
so chat, alerts and the patient's screens get the same answer; no module imports
one that imports it back, however late (inside a function) either import runs;
no module imports one from a higher layer (LAYERS); and no module in nattlys/
grows past 500 lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SERVER = Path(__file__).resolve().parent.parent / "nattlys"
SNAPSHOT = "nattlys.rosters.snapshot"
MAX_LINES = 500

# The layers of nattlys/, lowest first (README, "How the code is organised"). A module
# may import modules of its own part and of parts on earlier lines, at the top or in a
# function; parts on one line do not import each other. A part is an area
# (nattlys/<area>/ or nattlys/<module>.py), or one module of an area placed on its own,
# below the rest of its area, because lower areas ask it; a module belongs to the most
# specific part naming it. TABLES: every area's models (one schema: foreign keys run
# between areas). FRONT: each area's routes, socket events and init_app, which may
# ask any area but not another area's front.
LAYERS = [
    # Foundation: no domain knowledge.
    "clock",
    "crypto",
    "config",
    "catalogues db",
    "api.json_limits",
    "api.errors",
    # The tables, and what every area keeps beside its own rows.
    "TABLES",
    "schema",
    "rosters.generation",  # the snapshot's generation, bumped by whoever changes what it reads
    "audit.chain",
    "audit.writer",
    # The areas.
    "accounts",
    "push web",
    "realtime.presence",  # who has the app open, asked by alerts, chat and the connections
    "realtime",
    "observability",
    "care_circles",
    "rosters",
    "break_glass.openings",  # which break-glass access is open, asked by access
    "access",
    "break_glass plans",
    "checkins.levels checkins.timing checkins.plan_link",
    "checkins.reasons",  # which reasons a viewer sees, shown with a conversation by chat
    "checkins.demo",  # the demo's evenings, which the demo's chat history follows
    "alerts",
    "chat",
    "checkins",
    "next_of_kin",
    "outcomes privacy",
    "audit",  # who has seen my data (the views); the writer is lower
    "api",  # the endpoint decorator and the OpenAPI document
    "FRONT",
    # The app and its commands.
    "scheduler demo",
    "crypto.cli",
    "cli",
    "__init__",
    "__main__ wsgi scheduler_process",
]
TABLES = re.compile(r"^nattlys\.\w+\.(\w+_)?models$")
FRONT = re.compile(r"^nattlys\.\w+\.(routes|\w+_routes|events)$")


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


def imported_by(node: ast.AST, known: set[str]) -> set[str]:
    """The server modules one import statement imports."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names} & known
    if isinstance(node, ast.ImportFrom) and node.module:
        return {
            f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
            for a in node.names
        } & known
    return set()


def imported_modules(tree: ast.AST, known: set[str]) -> set[str]:
    """The server modules this module imports, at the top or inside functions."""
    return {name for node in ast.walk(tree) for name in imported_by(node, known)}


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


def part_of(name: str) -> tuple[int, str]:
    """The layer (index in LAYERS) and the part a module belongs to: the most
    specific part that names it."""
    area_package = (SERVER / name.removeprefix("nattlys.").replace(".", "/") / "__init__.py").exists()
    found: tuple[int, str] | None = None
    for level, parts in enumerate(LAYERS):
        for part in parts.split():
            if part == "TABLES" and TABLES.match(name):
                return level, part
            if part == "FRONT" and (FRONT.match(name) or area_package):
                return level, f"FRONT {name.split('.')[1]}"
            dotted = "nattlys" if part == "__init__" else f"nattlys.{part}"
            named = name == dotted or (part != "__init__" and name.startswith(dotted + "."))
            if named and (found is None or len(part) > len(found[1])):
                found = level, part
    assert found is not None, f"give {name} a place in LAYERS"
    return found


def upward_imports() -> list[str]:
    """Each import of a module of the same layer or a higher one, from another part."""
    paths = {module_name(p): p for p in modules()}
    upward = []
    for name, path in paths.items():
        level, part = part_of(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for other in sorted(imported_by(node, set(paths) - {name})):
                other_level, other_part = part_of(other)
                if other_part != part and other_level >= level:
                    upward.append(f"{name} → {other} ({getattr(node, 'lineno', 0)})")
    return sorted(upward)


def test_no_module_imports_one_from_a_higher_layer() -> None:
    upward = upward_imports()
    advice = "move the code down, pass the value in, or send a signal (README)"
    assert upward == [], "\n".join([advice, *upward])


def test_only_the_rosters_read_the_roster_snapshot() -> None:
    readers = [
        f"{path.relative_to(SERVER.parent)}:{line}"
        for path in modules()
        if SERVER / "rosters" not in path.parents
        for line in imports_snapshot(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert readers == [], "ask nattlys/rosters/duty.py instead"


def test_the_app_factory_only_calls_each_areas_init_app() -> None:
    """create_app reaches into no area: it imports the areas (and the top-level
    modules) and each wires itself in its own init_app."""
    tree = ast.parse((SERVER / "__init__.py").read_text(encoding="utf-8"))
    inside = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nattlys.")
        for alias in node.names
        if node.module.count(".") > 1 or (SERVER / node.module.removeprefix("nattlys.")).is_dir()
    ]
    assert inside == [], "give the area an init_app"


def test_modules_import_nattlys_at_the_top_and_only_init_app_inside_a_function() -> None:
    """What a module depends on stands at its top. Only a package's __init__.py
    imports inside a function (init_app, create_app): Python runs it whenever any
    module of the package is imported, so importing the area's routes at its top
    would pull the front into every lower import, round a loop."""
    late = [
        f"{path.relative_to(SERVER.parent)}:{node.lineno}"
        for path in modules()
        if path.name != "__init__.py"
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "nattlys")
        or (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "nattlys" for a in node.names))
    ]
    assert late == [], "import at the top of the module"


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(SERVER.parent)): n
        for path in modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
