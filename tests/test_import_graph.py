"""The import graph of the packages: data flows one way (issue 11.6).

Read from the source with ``ast`` (nothing is imported): no module imports, directly or
through others, a module that imports it back; grader/ may import generator/, never the
reverse. Imports at a module's top level make the graph that runs at import time; in grader/
an import inside a function counts too (a function-level import is no way around a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("generator", "grader", "cnnquiz")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path, *, nested: bool) -> set[str]:
    """The project's modules that ``name`` imports (``nested``: inside functions too).

    ``from . import x`` names the submodule x, not the package; a module's own package
    (imported first by Python anyway) is not an edge."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in (ast.walk(tree) if nested else tree.body):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            own_package = f"{name}.".startswith(f"{target}.")
            targets = subs or ([] if own_package else [target])
        else:
            continue
        out |= {t for t in targets if t in MODULES and t != name}
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _graph(*, nested_in: tuple[str, ...]) -> dict[str, set[str]]:
    return {m: _imports(m, p, nested=m.split(".")[0] in nested_in) for m, p in MODULES.items()}


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_edges_are_read_from_the_source() -> None:
    top = _graph(nested_in=())
    assert "grader.parsed" in top["grader.parse"]
    assert "grader.value_reading" in top["grader.breakdown_reading"]
    assert "generator.render" in top["grader.totals"]  # across packages, absolute


def test_no_import_cycles_at_import_time() -> None:
    assert _cycles(_graph(nested_in=())) == []


def test_no_import_cycles_in_the_grader_even_inside_functions() -> None:
    graph = _graph(nested_in=("grader",))
    assert [c for c in _cycles(graph) if c[0].startswith("grader")] == []


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("generator")))
def test_the_generator_never_imports_the_grader(name: str) -> None:
    assert not {m for m in _imports(name, MODULES[name], nested=True)
                if m.split(".")[0] in ("grader", "cnnquiz")}
