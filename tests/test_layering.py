"""Import layering of perfeval.framework and perfeval.library (issue 14): no cycles, imports one way only.

The import statements are read from the source with :mod:`ast` (module-level, function-level and
``TYPE_CHECKING`` imports alike), so a cycle cannot hide in a deferred import. Importing a submodule also runs the
``__init__`` of every package above it: ``from perfeval.framework._model import Framework`` imports
``perfeval.framework`` (whose ``__init__`` imports ``.checks``, which imports the library), so such edges count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import perfeval

ROOT = Path(perfeval.__file__).resolve().parent

#: The declared layers: module -> the modules of its own package it may import. ``__init__`` may import all.
LAYERS = {
    "perfeval.framework": {
        "_structure": set(),
        "_table": set(),
        "_model": {"_structure", "_table"},
        "checks": {"_model", "_structure"},
    },
    "perfeval.library": {
        "_schema": set(),
        "check": {"_schema"},
        "search": {"_schema", "check"},
    },
}
#: Old module paths kept as thin re-exports; nothing in perfeval may import them.
COMPAT = ("perfeval.framework_checks", "perfeval._framework_table", "perfeval._library_schema")


# ---------------------------------------------------------------------------------------------------------------
# reading the graph
# ---------------------------------------------------------------------------------------------------------------
def module_files(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``root`` (the folder of ``package``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return name in modules and modules[name].name == "__init__.py"


def imports_of(name: str, modules: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """``(imported module, line, at module level)`` for every import statement of module ``name`` that names a
    module of ``modules``; ``from X import Y`` counts Y when Y is a submodule of X, else X."""
    tree = ast.parse(modules[name].read_text(encoding="utf-8"))
    package = name if _is_package(name, modules) else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
                       for alias in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            while target and target not in modules:  # `import perfeval.x.y` of a name: its module
                target = target.rpartition(".")[0]
            if target:
                found.append((target, node.lineno, id(node) in top_level))
    return found


def import_graph(modules: dict[str, Path], root_package: str) -> dict[str, set[str]]:
    """Edges importer -> imported module, plus -> every package ``__init__`` that importing it runs (the
    packages above the imported module that do not already hold the importer). The root package is left out
    (its ``__init__`` imports nothing eagerly)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name in modules:
        for target, _, _ in imports_of(name, modules):
            parts = target.split(".")
            for i in range(2, len(parts) + 1):
                step = ".".join(parts[:i])
                if step == name or name.startswith(step + "."):
                    continue  # a package that holds the importer is already being imported
                graph[name].add(step)
            graph[name].discard(root_package)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:  # recursion depth is bounded by the number of modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return module_files(ROOT, "perfeval")


@pytest.fixture(scope="module")
def graph(modules) -> dict[str, set[str]]:
    return import_graph(modules, "perfeval")


def _ours(name: str) -> bool:
    return name in COMPAT or any(name == p or name.startswith(p + ".") for p in LAYERS)


# ---------------------------------------------------------------------------------------------------------------
# the rules
# ---------------------------------------------------------------------------------------------------------------
def test_the_declared_modules_exist(modules):
    for package, layers in LAYERS.items():
        assert _is_package(package, modules), package
        found = {name.rpartition(".")[2] for name in modules if name.rpartition(".")[0] == package}
        assert found == set(layers), f"{package}: modules {sorted(found)} but layers declared for {sorted(layers)}"
    for name in COMPAT:
        assert name in modules, name


def test_no_cycle_through_framework_or_library(graph):
    bad = [c for c in cycles(graph) if any(_ours(m) for m in c)]
    assert not bad, f"import cycles: {bad}"


def test_modules_import_only_their_lower_layers(modules):
    wrong = []
    for package, layers in LAYERS.items():
        for module, allowed in layers.items():
            name = f"{package}.{module}"
            for target, line, _ in imports_of(name, modules):
                if target == package or target.startswith(package + "."):
                    own = target[len(package) + 1:].partition(".")[0]
                    if own not in allowed:
                        wrong.append(f"{modules[name].name}:{line} imports {target}")
    assert not wrong, wrong


def test_library_imports_nothing_of_framework(modules, graph):
    """The framework's checks import the library, so the library must not import the framework (not even the
    model: importing ``perfeval.framework._model`` runs ``perfeval/framework/__init__.py``)."""
    wrong = [f"{name} imports {target}" for name in modules if name.startswith("perfeval.library")
             for target in graph[name] if target.startswith("perfeval.framework")]
    assert not wrong, wrong


def test_only_the_framework_checks_import_the_library(modules, graph):
    users = {name for name in modules if name.startswith("perfeval.framework")
             for target in graph[name] if target.startswith("perfeval.library")}
    assert users <= {"perfeval.framework.checks"}, users


def test_no_deferred_imports_inside_the_packages(modules):
    """Every perfeval import of these packages is at module level, where a cycle would show at once."""
    deferred = [f"{modules[name].name}:{line} imports {target}" for name in modules
                if any(name == p or name.startswith(p + ".") for p in LAYERS)
                for target, line, top in imports_of(name, modules) if not top]
    assert not deferred, deferred


def test_nothing_imports_the_compatibility_modules(modules, graph):
    users = {f"{name} -> {target}" for name in modules for target in graph[name] if target in COMPAT}
    assert not users, users


def test_compatibility_modules_reexport_the_new_homes():
    import perfeval._framework_table as old_table
    import perfeval._library_schema as old_schema
    import perfeval.framework as framework
    import perfeval.framework._table as table
    import perfeval.framework_checks as old_checks
    import perfeval.library as library
    import perfeval.library._schema as schema

    for old, new in ((old_table, table), (old_schema, schema), (old_checks, framework)):
        assert "compatibility" in (old.__doc__ or "")
        for name in set(old.__all__) & set(new.__dict__):
            assert getattr(old, name) is getattr(new, name), (old.__name__, name)
    assert old_checks.validate_framework is framework.validate_framework is perfeval.validate_framework
    assert old_checks.structure_problems(framework.load_framework("project_self").to_dict()) == []
    assert old_schema.cost_ge_allowed("城乡居民基础养老金最低标准")
    assert library.IndicatorLibrary is perfeval.IndicatorLibrary


def test_old_public_names_are_still_there():
    import perfeval.framework as framework
    import perfeval.library as library

    assert set(framework.__all__) == {"Band", "GradeBands", "Node", "Constraint", "Veto", "Framework",
                                      "DEFAULT_BANDS", "list_frameworks", "load_framework", "grade",
                                      "validate_framework", "PROBLEM_CODES"}
    assert set(library.__all__) == {"FIELDS", "KINDS", "OPS", "SCORING_RULES", "STATUSES", "APPLIES_TO", "FINDINGS",
                                    "SECTOR_PREFIXES", "LEVEL1_SEGMENTS", "Indicator", "IndicatorLibrary",
                                    "load_library", "validate_library", "validate_library_file"}
    for module in (framework, library):
        assert all(hasattr(module, name) for name in module.__all__)


# ---------------------------------------------------------------------------------------------------------------
# the reader itself catches what it must (a cycle held together by a deferred import, a package __init__)
# ---------------------------------------------------------------------------------------------------------------
def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    root = tmp_path / "pkg"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return module_files(root, "pkg")


def test_reader_sees_a_cycle_held_by_a_deferred_import(tmp_path):
    modules = _package(tmp_path, {
        "a.py": "from .b import f\n",
        "b.py": "def f():\n    from .a import g  # deferred\n    return g\n",
        "c.py": "from . import a\n",
    })
    assert imports_of("pkg.b", modules) == [("pkg.a", 2, False)]
    assert imports_of("pkg.c", modules) == [("pkg.a", 1, True)]
    assert cycles(import_graph(modules, "pkg")) == [["pkg.a", "pkg.b"]]


def test_reader_sees_a_cycle_through_a_package_init(tmp_path):
    """``lib`` imports only ``fw._model``, but that runs ``fw/__init__``, which imports ``fw.checks`` -> ``lib``."""
    modules = _package(tmp_path, {
        "fw/__init__.py": "from ._model import F\nfrom .checks import v\n",
        "fw/_model.py": "class F: ...\n",
        "fw/checks.py": "from ..lib import L\nfrom ._model import F\n",
        "lib/__init__.py": "from .core import L\n",
        "lib/core.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..fw._model import F\n",
    })
    graph = import_graph(modules, "pkg")
    assert graph["pkg.lib.core"] == {"pkg.fw", "pkg.fw._model"}
    assert graph["pkg.fw.checks"] == {"pkg.lib", "pkg.fw._model"}
    assert cycles(graph) == [["pkg.fw", "pkg.fw.checks", "pkg.lib", "pkg.lib.core"]]
    clean = _package(tmp_path / "clean", {"a.py": "import pkg.b\n", "b.py": "import os\n"})
    assert cycles(import_graph(clean, "pkg")) == []
