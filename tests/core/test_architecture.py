"""The layering of docs/architecture.md, enforced: a lower layer never imports an upper one, no import cycles.

Every module of the plugin package has a layer (``LAYERS``: the first prefix
that matches); a module may import modules of its own layer or below, and
the modules of one layer must not import each other in a cycle.  Every
import counts -- top-level, inside a function, under ``TYPE_CHECKING`` --
because each is a dependency a reader has to follow.  The page must name
every module, so it cannot go stale either.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_monolith_parity"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

#: Module (or package prefix ending in ".") -> layer, bottom (0) to top.  Keep in step with docs/architecture.md.
LAYERS: list[tuple[str, int]] = [
    # 0 -- values and facts every layer uses
    ("version", 0), ("files", 0), ("values", 0), ("outcomes", 0), ("arguments", 0), ("config", 0),
    ("case_modules", 0), ("figures", 0), ("progress", 0), ("termination", 0),
    # 1 -- comparators; builds that run only when sources changed
    ("compare.", 1), ("build_stamps", 1), ("command_build", 1),
    # 2 -- the monolith-facing side: the reference environment, the checkout's Rust build, the inventory, services
    ("reference.", 2), ("kernel_build.", 2), ("monolith_rs_build.", 2), ("inventory.", 2), ("services.", 2),
    # 3 -- runners: calling one side once
    ("runners.", 3), ("pyworker", 3),
    # 4 -- the case model and what case files share
    ("cases", 4), ("helpers", 4),
    # 5 -- one case on one input: classify, expectations, goldens, the record
    ("classify", 5), ("expectations", 5), ("golden", 5), ("execution", 5), ("records", 5),
    ("hypothesis_support", 5), ("perf", 5),
    # 6 -- collection: case files -> pytest items
    ("loader", 6), ("collect", 6), ("sharding", 6),
    # 7 -- what a run produces: reports, the gate, fixes
    ("report", 7), ("html_report", 7), ("history", 7), ("github", 7), ("gate", 7), ("fixer", 7),
    ("completeness", 7),
    ("html_parts", 7), ("catalogue", 7), ("changes", 7), ("case_history", 7), ("environment", 7),
    # 8 -- the run
    ("session", 8), ("xdist_support", 8), ("merge", 8), ("mutants.", 8),
    # 9 -- pytest hooks, the terminal, the command line, the public facade
    ("terminal", 9), ("plugin", 9), ("__main__", 9), ("__init__", 9),
]

#: Cycles that exist today and must be removed; the test fails when one disappears, so this list cannot go stale.
KNOWN_CYCLES: list[frozenset[str]] = []


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1] + ["__init__"]
        names.append(".".join(parts))
    return names


def layer_of(name: str) -> int:
    for prefix, layer in LAYERS:
        if name == prefix or (prefix.endswith(".") and name.startswith(prefix)):
            return layer
    raise AssertionError(f"module {name} has no layer: add it to LAYERS here and to docs/architecture.md")


def _resolve(current: str, node: ast.ImportFrom) -> list[str]:
    """The package-relative module names an ``import from`` refers to (the module, or its imported submodules)."""
    if node.level:
        package = current.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
        target = ".".join(base + ([node.module] if node.module else []))
    elif node.module and (node.module == "pytest_monolith_parity" or node.module.startswith("pytest_monolith_parity.")):
        target = node.module[len("pytest_monolith_parity"):].lstrip(".")
    else:
        return []
    return [f"{target}.{alias.name}" if target else alias.name for alias in node.names] + [target]


def imports_of(name: str) -> set[str]:
    path = PACKAGE / (name.replace(".__init__", "/__init__").replace(".", "/") + ".py")
    if name == "__init__":
        path = PACKAGE / "__init__.py"
    known = set(module_names())
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        candidates: list[str] = []
        if isinstance(node, ast.ImportFrom):
            candidates = _resolve(name, node)
        elif isinstance(node, ast.Import):
            candidates = [a.name[len("pytest_monolith_parity."):] for a in node.names
                          if a.name.startswith("pytest_monolith_parity.")]
        for candidate in candidates:
            for option in (candidate, f"{candidate}.__init__"):
                if option in known and option != name:
                    found.add(option)
                    break
    return found


GRAPH = {name: imports_of(name) for name in module_names()}


def test_every_module_has_a_layer():
    for name in GRAPH:
        layer_of(name)


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_no_module_imports_a_higher_layer(name):
    upward = sorted(f"{dep} (layer {layer_of(dep)})" for dep in GRAPH[name]
                    if layer_of(dep) > layer_of(name) and not dep.endswith("__init__"))
    assert not upward, f"{name} (layer {layer_of(name)}) imports a higher layer: {', '.join(upward)}"


def _cycles() -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan), ignoring package facades."""
    graph = {n: {d for d in deps if not d.endswith("__init__")} for n, deps in GRAPH.items() if not n.endswith("__init__")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for dep in graph.get(node, ()):
            if dep not in index:
                visit(dep)
                low[node] = min(low[node], low[dep])
            elif dep in on_stack:
                low[node] = min(low[node], index[dep])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_beyond_the_known_ones():
    cycles = _cycles()
    unknown = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert not unknown, f"import cycles: {unknown}; move the shared piece down a layer"
    gone = [sorted(c) for c in KNOWN_CYCLES if c not in cycles]
    assert not gone, f"these cycles are gone: remove them from KNOWN_CYCLES: {gone}"


def test_the_architecture_page_names_every_module():
    text = ARCHITECTURE.read_text("utf-8")
    named = set(re.findall(r"`([A-Za-z_./]+\.py)`", text))
    missing = []
    for name in GRAPH:
        path = name.replace(".__init__", "/__init__").replace(".", "/") + ".py"
        if name == "__init__":
            path = "__init__.py"
        if path not in named and not (path.endswith("/__init__.py") and path.rsplit("/", 2)[0] + "/" in text):
            missing.append(path)
    assert not missing, f"docs/architecture.md does not name: {', '.join(sorted(missing))}"


def test_the_tests_see_a_real_graph():
    """Guard against an import walker that finds nothing (every layer test would then pass vacuously)."""
    assert "runners.base" in GRAPH["cases"] and "outcomes" in GRAPH["classify"]
    assert "compare.base" in GRAPH["compare.exact"]
