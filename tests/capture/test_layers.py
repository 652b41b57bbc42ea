"""Imports run one way: none hidden inside functions, and no cycle among careobs's modules.

A feature that must react to another's records subscribes to a signal (careobs.capture.events)
instead of importing it inside a function, where the dependency would be invisible. Only the
app factory (careobs/__init__.py), which assembles everything, imports inside its functions.
The graph is built from each module's top-level imports, as Python runs them; imports under
``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import careobs

PACKAGE = Path(careobs.__file__).resolve().parent
# The app factory imports the features it assembles when it is called, not when careobs is
# imported: ``import careobs`` must stay cheap and free of cycles.
MAY_IMPORT_IN_FUNCTIONS = {"careobs"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(node: ast.Import | ast.ImportFrom, module: str) -> set[str]:
    """The careobs modules an import statement names: ``from careobs.quis import service``
    names careobs.quis.service, ``from careobs.quis.models import QuisSession`` careobs.quis.models.
    (A package's __init__ that the import also runs is not counted: a package re-exporting its
    own modules is not a cycle between features.)"""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".rstrip(".")
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
            for alias in node.names
        ]
    return {name for name in names if name in MODULES and name != module}


def walk(module: str):
    """(import node, inside a function?) for every import that can run, TYPE_CHECKING left out."""
    tree = ast.parse(MODULES[module].read_text(), str(MODULES[module]))

    def visit(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and is_type_checking(child):
                yield from (x for n in child.orelse for x in visit_one(n, in_function))
                continue
            yield from visit_one(child, in_function)

    def visit_one(node: ast.AST, in_function: bool):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
            return
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        yield from visit(node, inside)

    yield from visit(tree, False)


def function_level_imports() -> list[str]:
    """``module:line`` of each careobs import inside a function, outside the allowed modules."""
    return [
        f"{module}:{node.lineno}"
        for module in MODULES
        if module not in MAY_IMPORT_IN_FUNCTIONS
        for node, in_function in walk(module)
        if in_function and imported(node, module)
    ]


def import_graph() -> dict[str, set[str]]:
    """Each module's careobs imports at import time (its top level)."""
    return {
        module: {
            target
            for node, in_function in walk(module)
            if not in_function
            for target in imported(node, module)
        }
        for module in MODULES
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_careobs_import_hides_inside_a_function():
    assert function_level_imports() == []


def test_careobs_modules_import_each_other_without_a_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_sync_core_knows_no_kind_of_record():
    """The sync looks kinds up in the capture registry; QUIS, visits and audits register there."""
    graph = import_graph()
    sync = {m for m in MODULES if m.startswith("careobs.sync")}
    features = ("careobs.quis", "careobs.visits", "careobs.audits")
    assert {t for m in sync for t in graph[m] if t.startswith(features)} == set()


def test_the_capture_core_imports_no_feature():
    graph = import_graph()
    core = {"careobs.capture", "careobs.capture.events", "careobs.capture.kinds"}
    assert {t for m in core if m in graph for t in graph[m]} <= core


def test_audits_and_visits_know_nothing_of_each_other():
    """Both are kinds on the capture core: what they share lives there, not in either one."""
    graph = import_graph()
    for kind, other in (("careobs.audits", "careobs.visits"), ("careobs.visits", "careobs.audits")):
        found = {
            (m, t) for m in MODULES if m.startswith(kind) for t in graph[m] if t.startswith(other)
        }
        assert found == set(), found
