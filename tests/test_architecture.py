"""The shape of the code: no import circles, every import inside a function says why
it is there, and big modules and long functions say why they are big.  (The layers
contract itself is checked by ``lint-imports``, configured in pyproject.toml.)  And the
tests read the public API, never the private state of the engine or its parts."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "counterpoint"
TESTS = Path(__file__).resolve().parent
MODULE_LINES = 400
FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_import_circles() -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("grimp")
    import grimp  # comes with import-linter (the lint extra)

    graph = grimp.build_graph("counterpoint", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert circles == []


def _import_runs(function: ast.AST) -> list[list[ast.stmt]]:
    """The imports of a function body, in runs of consecutive import statements."""
    runs: list[list[ast.stmt]] = []
    for node in ast.walk(function):
        run: list[ast.stmt] = []
        for statement in getattr(node, "body", []) if isinstance(getattr(node, "body", None), list) else []:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                run.append(statement)
                continue
            if run:
                runs.append(run)
            run = []
        if run:
            runs.append(run)
    return runs


def test_every_import_inside_a_function_says_why() -> None:
    """A comment on a run of imports inside a function, or on the line above it."""
    uncommented = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for run in _import_runs(function):
                block = lines[max(0, run[0].lineno - 2) : run[-1].end_lineno]
                if not any("#" in line for line in block):
                    uncommented.append(f"{path.relative_to(SRC)}:{run[0].lineno}: {lines[run[0].lineno - 1].strip()}")
    assert sorted(set(uncommented)) == []


def test_big_modules_and_long_functions_say_why() -> None:
    """Over MODULE_LINES lines, a module's docstring says why it is one module ("One module:");
    over FUNCTION_LINES lines, a function says why it is long ("# Long: …" before its body)."""
    unexplained = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        if len(text.splitlines()) > MODULE_LINES and "One module:" not in (ast.get_docstring(tree) or ""):
            unexplained.append(f"{path.relative_to(SRC)}: {len(text.splitlines())} lines")
        lines = text.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                head = "\n".join(
                    lines[node.lineno - 1 : node.body[0].lineno + 3]
                )  # the signature, the docstring's start
                if length > FUNCTION_LINES and "Long:" not in head:
                    unexplained.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.name}, {length} lines")
    assert unexplained == []


# What a test may read although it starts with "_": (file, the expression as written).
# Only what cannot be observed otherwise; each says why.
PRIVATE_READS_ALLOWED = {
    ("test_cli_options.py", "parser._actions"),  # argparse (not ours) has no public list of a parser's options
}
_SETTERS = {"setattr", "getattr", "delattr", "hasattr"}  # setattr(x, "_name"), monkeypatch.setattr(x, "_name")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reads(source: str) -> list[tuple[int, str]]:
    """(line, expression) of each private name a test module reaches into: ``x._name``
    (but its own ``self._name``), ``from counterpoint… import _name``, and a private
    name given as a string to setattr/getattr/monkeypatch.setattr."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("counterpoint"):
            found += [(node.lineno, f"from {node.module} import {a.name}") for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name not in _SETTERS or not node.args:
                continue
            owner = node.args[0]
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            strings = [a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if any(_private(part) for text in strings for part in text.split(".")):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_private_reads_check_finds_them() -> None:
    sample = (
        "from counterpoint.build.steps import _nav\n"
        "engine._inventory\n"
        "e.record._last_manifest\n"
        "monkeypatch.setattr(Engine, '_build', broken)\n"
        "monkeypatch.setattr('counterpoint.build.steps._nav', f)\n"
        "self._cond\n"
        "getattr(self, '_settles', 0)\n"
        "engine.last_stats.__class__\n"
    )
    assert [line for line, _ in private_reads(sample)] == [1, 2, 3, 4, 5]


def test_tests_read_the_public_api_not_private_state() -> None:
    """A test observes behaviour through what the code offers (BuildReport, last_stats,
    built_pages, the files written, the command's output) or through a public function
    it wraps as a seam; a test that reads ``engine._inventory`` breaks on every refactoring
    and passes while the behaviour it meant to guard is gone."""
    reads = []
    for path in sorted(TESTS.glob("*.py")):
        for line, expression in private_reads(path.read_text(encoding="utf-8")):
            if (path.name, expression) not in PRIVATE_READS_ALLOWED:
                reads.append(f"tests/{path.name}:{line}: {expression}")
    assert reads == []
