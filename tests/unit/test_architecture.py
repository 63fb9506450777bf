"""The package's layers, read from the source: imports point one way, modules and functions stay
small,
only the command line and notebooks load the data.

Layers, lowest first (a module may import its own subpackage and any lower layer, nothing else):

    errors -> data -> rules -> history | whatif | simulate -> text -> figures -> report -> cli

``history``, ``whatif`` and ``simulate`` are one layer of three independent rooms: none imports
another. The top-level ``wwc_analysis/__init__.py`` re-exports the public API and is not a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "wwc_analysis"
LAYERS = {
    "errors": 0,
    "data": 1,
    "rules": 2,
    "history": 3,
    "whatif": 3,
    "simulate": 3,
    "text": 4,
    "figures": 5,
    "report": 6,
    "cli": 7,
}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60
#: Modules allowed to call the Dataset loader ``load()``: the loader itself and the command line.
LOADERS = ("data", "cli")
# : The loaders of the project's tables (``load_assessments`` reads a named file and is not one of
# them).
TABLE_LOADERS = (
    "load",
    "load_criteria",
    "load_standards",
    "load_rounds",
    "load_certifications",
    "load_unplaced",
)
#: How a table loader is imported: the function from the package, the data room or its module.
LOADER_NAMES = {
    *(
        f"{where}.{name}"
        for where in ("wwc_analysis", "wwc_analysis.data", "wwc_analysis.data.dataset")
        for name in TABLE_LOADERS
    ),
}


def _modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.name != "__init__.py"
    )


def _room(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _name(path: Path) -> str:
    return (
        str(path.relative_to(PACKAGE.parent))
        .removesuffix(".py")
        .replace("/", ".")
        .removesuffix(".__init__")
    )


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every name ``path`` imports from the package: ``from a.b import c``
    gives ``a.b.c`` (a module or a name in ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = _name(path).split(".")[: -node.level]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module == "wwc_analysis" or module.startswith("wwc_analysis."):
                out.update((node.lineno, f"{module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(
                (node.lineno, a.name) for a in node.names if a.name.startswith("wwc_analysis")
            )
    return sorted(out)


MODULES = _modules()
IDS = [str(p.relative_to(PACKAGE)) for p in MODULES]


def test_every_room_is_a_known_layer():
    rooms = {_room(p) for p in MODULES}
    assert rooms <= set(LAYERS), f"modules outside the layers: {sorted(rooms - set(LAYERS))}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_imports_point_down(path: Path):
    room = _room(path)
    wrong = []
    for line, module in _imports(path):
        parts = module.split(".")
        target = parts[1] if len(parts) > 1 else ""
        if target not in LAYERS or target == room:
            continue
        if LAYERS[target] >= LAYERS[room]:
            wrong.append(f"line {line}: {module} ({target} is not below {room})")
    assert not wrong, f"{path.relative_to(PACKAGE)} imports upward or sideways:\n" + "\n".join(
        wrong
    )


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    names = {_name(p) for p in MODULES}
    for p in MODULES:
        deps = set()
        for _, module in _imports(p):
            while module and module not in names:
                module = module.rpartition(".")[0]
            if module and module != _name(p):
                deps.add(module)
        graph[_name(p)] = deps
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        seen[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if seen.get(d) == 1:
                cycle = stack[stack.index(d) :] + [d]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if d not in seen:
                visit(d)
        stack.pop()
        seen[n] = 2

    for n in sorted(graph):
        if n not in seen:
            visit(n)


def test_no_importlib_tricks():
    users = [
        str(p.relative_to(PACKAGE)) for p in MODULES if "importlib" in p.read_text(encoding="utf-8")
    ]
    assert not users, f"modules that import by name instead of by import statement: {users}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_module_size(path: Path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, (
        f"{path.relative_to(PACKAGE)} has {n} lines (at most {MAX_MODULE_LINES})"
    )


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function, its docstring aside."""
    n = node.end_lineno - node.lineno + 1
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        n -= body[0].end_lineno - body[0].lineno + 1
    return n


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_function_size(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} (line {node.lineno}): {_body_lines(node)} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and _body_lines(node) > MAX_FUNCTION_LINES
    ]
    assert not long, (
        f"{path.relative_to(PACKAGE)}: functions over {MAX_FUNCTION_LINES} lines:\n"
        + "\n".join(long)
    )


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_only_the_command_line_loads_the_data(path: Path):
    """Library functions take the Dataset they use; a forgotten argument must not reload."""
    if _room(path) in LOADERS:
        pytest.skip("the loader and the command line may load")
    calls = [f"line {line}: {name}" for line, name in _imports(path) if name in LOADER_NAMES]
    assert not calls, f"{path.relative_to(PACKAGE)} imports the Dataset loader:\n" + "\n".join(
        calls
    )
