"""The import graph of the packages: data flows one way (issue 11.6).

Read from the source with ``ast`` (nothing is imported): no module imports, directly or
through others, a module that imports it back; grader/ may import generator/, never the
reverse. Imports at a module's top level make the graph that runs at import time; an import
inside a function counts too, and so does one under ``if TYPE_CHECKING:`` (neither is a
way around a cycle: move the shared concept to the module it belongs in, or type against a
Protocol).

A function-level import exists only to keep a start fast (``cnnquiz --help`` imports no
command, no SymPy; an optional library is imported where it is used): each one is listed in
:data:`LAZY` with its reason, and a new one fails until it is listed or moved to the top.
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

#: why a start stays fast by importing late
_COMMAND = ("a command imports what it runs when it runs: `cnnquiz --help`, a command's --help "
            "and the other commands import none of it (tests/test_fast_start.py)")
_SYMPY = "SymPy is a slow import (about 0.5 s): only where a symbolic formula is printed"
_PANDAS = "pandas is a slow import (about 0.3 s): only where a frame is built or Excel is read"
_DASK = "dask and distributed are imported only when the Dask engine runs (--engine dask)"
_POOL = "the worker processes and their feeder thread are set up only for --workers > 1"

#: (module, what it imports inside a function) -> why the import is there and not at the top
LAZY: dict[tuple[str, str], str] = {
    ("cnnquiz.cmd_exam", "generator.exam"): _COMMAND,
    ("cnnquiz.cmd_exam", "generator.exam_doc"): _COMMAND,
    ("cnnquiz.cmd_grade", "grader.reading"): _COMMAND,
    ("cnnquiz.cmd_serve", "cnnquiz.classmode"): _COMMAND,
    ("cnnquiz.cmd_serve", "cnnquiz.web"): _COMMAND + "; the web app imports Flask",
    ("cnnquiz.cmd_serve", "waitress"): _COMMAND,
    ("cnnquiz.cmd_solve", "generator.importers"): _COMMAND,
    ("cnnquiz.cmd_solve", "generator.lint"): _COMMAND,
    ("cnnquiz.cmd_solve", "generator.render"): _COMMAND + "; the renderer imports jinja2",
    ("cnnquiz.common", "generator.importers"): _COMMAND + " (only a pasted file is imported)",
    ("cnnquiz.common", "generator.problem"): _COMMAND + " (only a problem file is read)",
    ("cnnquiz.draws", "generator.choices"): _COMMAND + " (options only with --choices)",
    ("cnnquiz.setfiles", "generator.present"): _COMMAND + " (documents only when written)",
    ("cnnquiz.store_db", "psycopg"): "psycopg only where a PostgreSQL progress store is opened",
    ("generator.derive", "generator.text_printer"): _SYMPY + " (the printer imports it)",
    ("generator.derive", "sympy"): _SYMPY,
    ("generator.formulas", "sympy"): _SYMPY,
    ("generator.exam_doc", "typst"): "the Typst compiler (a native module) only for a PDF",
    ("generator.export.gradescope_runner", "generator.problem"): (
        "the autograder puts the zip's root on sys.path when it runs, before cnnquiz is found"),
    ("generator.export.validate.qti", "lxml"): "lxml only for the QTI DTD check",
    ("generator.problem", "generator.misconceptions"): (
        "the misconception catalogue (the buggy engine, every misconception) is loaded to "
        "check a problem's distractors, not to read or solve one"),
    ("grader.batch", "click"): "click's progress bar only with --progress",
    ("grader.batch", "grader.batch.dask_engine"): _DASK,
    ("grader.batch.dask_engine", "dask"): _DASK + "; a missing install is said as such",
    ("grader.batch.dask_engine", "distributed"): _DASK + "; a missing install is said as such",
    ("grader.batch.frame", "pandas"): _PANDAS,
    ("grader.batch.read", "pandas"): _PANDAS,
    ("grader.results", "pandas"): _PANDAS,
    ("grader.batch.pool", "ctypes"): "ctypes only on Linux, to die with the parent (prctl)",
    ("grader.batch.pool", "multiprocessing"): _POOL,
    ("grader.batch.pool", "queue"): _POOL,
    ("grader.batch.pool", "threading"): _POOL,
    ("grader.batch.problems", "generator.problem"): (
        "generator.problem is imported when a problem file is read, not for problems passed "
        "in (grade_frame from a notebook)"),
}


def _imports(name: str, path: Path, *, nested: bool) -> set[str]:
    """The project's modules that ``name`` imports (``nested``: inside functions too).

    ``from . import x`` names the submodule x, not the package; a module's own package
    (imported first by Python anyway) is not an edge."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ast.walk(tree) if nested else tree.body
    out: set[str] = set()
    for node in nodes:
        out |= {t for t in _targets(name, path, node) if t in MODULES and t != name}
    return out


def _runtime(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` but those under ``if TYPE_CHECKING:`` (they never run)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack += node.orelse
            continue
        stack += ast.iter_child_nodes(node)
    return out


def _targets(name: str, path: Path, node: ast.AST) -> list[str]:
    """The modules an import statement names (none for other statements).

    ``from . import x`` names the submodule x, not the package; a module's own package
    (imported first by Python anyway) is not named."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[:len(package.split(".")) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
    own_package = f"{name}.".startswith(f"{target}.")
    return subs or ([] if own_package else [target])


def function_imports(name: str, path: Path) -> set[tuple[str, str]]:
    """(module, what it imports) for each import inside a function of ``name``: a project
    module by its full name, any other by its top-level package (``pandas``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[tuple[str, str]] = set()
    for fn in _runtime(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in _runtime(fn):
                for t in _targets(name, path, node):
                    out.add((name, t if t in MODULES else t.split(".")[0]))
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


def test_no_import_cycles_even_inside_functions() -> None:
    assert _cycles(_graph(nested_in=PACKAGES)) == []


@pytest.mark.parametrize("late", ["def g():\n    from a import f\n",
                                  "if TYPE_CHECKING:\n    from a import f\n"])
def test_a_late_import_that_closes_a_cycle_is_found(tmp_path: Path, late: str) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from b import g\n", encoding="utf-8")
    b.write_text(late, encoding="utf-8")
    saved = dict(MODULES)
    MODULES.update({"a": a, "b": b})
    try:
        top = {"a": _imports("a", a, nested=False), "b": _imports("b", b, nested=False)}
        nested = {"a": _imports("a", a, nested=True), "b": _imports("b", b, nested=True)}
        assert _cycles(top) == [] and _cycles(nested) == [["a", "b"]]
        assert function_imports("b", b) == ({("b", "a")} if late.startswith("def") else set())
    finally:
        MODULES.clear()
        MODULES.update(saved)


def test_every_function_level_import_is_listed_with_its_reason() -> None:
    found = set().union(*(function_imports(m, p) for m, p in MODULES.items()))
    unlisted = sorted(found - set(LAZY))
    assert not unlisted, (
        f"function-level imports {unlisted}: import them at the module's top (break a cycle by "
        "moving the shared concept where it belongs), or list them in LAZY with the reason")
    assert not sorted(set(LAZY) - found), "LAZY lists imports that are gone: remove them"
    assert all(len(reason) > 20 for reason in LAZY.values())


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m.startswith("generator")))
def test_the_generator_never_imports_the_grader(name: str) -> None:
    assert not {m for m in _imports(name, MODULES[name], nested=True)
                if m.split(".")[0] in ("grader", "cnnquiz")}
