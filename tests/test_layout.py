"""The tree reads like the data path, and stays that way: a small package root, no module too
large to read, imports that only run down the layers, no circles, tests that import no tests.

An AST read of the sources (nothing is imported): each ``nba_cluster`` import is an edge
between two modules, and between the two units (a subpackage, or a module of the root) that
hold them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.project import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "src" / "nba_cluster"
MAX_ROOT_MODULES = 8
MAX_MODULE_LINES = 450
# Lower layers never import higher ones: the feature table (what every layer reads a
# player-season by), the source and the model's mathematics, the registry,
# the dataset types, the pipelines, Kedro's framework around them, the processes that serve
# what the pipelines made, and Kedro's wiring on top.
LAYERS = (
    {"features"},
    {"nba_stats", "clustering"},
    {"model_registry", "model_provenance"},
    {"datasets"},
    {"pipelines"},
    {"framework"},
    {"dashboard", "services"},
    {"settings", "pipeline_registry", "__main__", "__init__"},
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit(module: str) -> str:
    """``dashboard`` for ``nba_cluster.dashboard.views.map``; ``__init__`` for the package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path, prefix: str) -> Iterator[str]:
    """Every absolute or relative import of ``path`` naming a module under ``prefix``."""
    module = module_name(path) if path.is_relative_to(PACKAGE) else ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            names = [".".join([*base, *([node.module] if node.module else [])])]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        yield from (name for name in names if name == prefix or name.startswith(prefix + "."))


def known_modules() -> set[str]:
    return {module_name(path) for path in PACKAGE.rglob("*.py")}


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (``from a import b`` names ``a.b`` only when
    ``b`` is a module)."""
    modules = known_modules()
    return {
        module_name(path): {
            name for name in imported_modules(path, "nba_cluster") if name in modules
        }
        - {module_name(path)}
        for path in PACKAGE.rglob("*.py")
    }


def layer(unit_name: str) -> int:
    return next(index for index, units in enumerate(LAYERS) if unit_name in units)


def test_the_package_root_holds_at_most_eight_modules():
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_ROOT_MODULES, modules


def test_every_unit_has_a_layer():
    units = {unit(module) for module in known_modules()}
    assert units <= set().union(*LAYERS), units - set().union(*LAYERS)


def test_no_module_is_over_450_lines():
    long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for root in (PACKAGE, PROJECT_ROOT / "tests", PROJECT_ROOT / "benchmarks")
        for path in root.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_imports_run_down_the_layers_only():
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in targets
        if layer(unit(target)) > layer(unit(module))
    )
    assert not upward, upward


def test_no_circle_between_modules_or_units():
    graph = import_graph()
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        units.setdefault(unit(module), set()).update(
            unit(target) for target in targets if unit(target) != unit(module)
        )
    assert find_cycle(graph) is None
    assert find_cycle(units) is None


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as the list of its nodes, or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target):
                return cycle
        visiting.pop()
        done.add(node)
        return None

    return next((cycle for node in sorted(graph) if (cycle := visit(node))), None)


def test_the_dashboard_imports_no_pipeline():
    dashboard = PACKAGE / "dashboard"
    offending = {
        str(path.relative_to(PACKAGE)): sorted(imported_modules(path, "nba_cluster.pipelines"))
        for path in dashboard.rglob("*.py")
    }
    assert not {path: names for path, names in offending.items() if names}


def test_no_source_imports_tests_and_no_test_imports_a_test_or_conftest():
    def is_test_module(name: str) -> bool:
        last = name.rsplit(".", 1)[-1]
        return last.startswith("test_") or last == "conftest"

    offending = {}
    for root in (PACKAGE, PROJECT_ROOT / "tests", PROJECT_ROOT / "benchmarks"):
        for path in root.rglob("*.py"):
            names = [
                name
                for name in imported_modules(path, "tests")
                if root == PACKAGE or is_test_module(name)
            ]
            if names:
                offending[str(path.relative_to(PROJECT_ROOT))] = names
    assert not offending, offending


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected
