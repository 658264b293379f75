"""The comparators' own layering: a lower module never imports an upper one (also not lazily, inside a function).

Shared pieces sit at the bottom (base, describe, scalars, walk), the leaf comparators above them (tensor,
proto, then text and tfrecord, which read records and text with proto), the composite ones on top (exact,
structured, checkpoint, saved_model, tree).  A new module must be given its layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_monolith_parity.compare as package

COMPARE = Path(package.__file__).parent
LAYERS = {
    "base": 0,
    "describe": 1,
    "scalars": 2,
    "walk": 3,
    "tensor": 3,
    "proto": 3,
    "text": 4,
    "tfrecord": 4,
    "checkpoint": 4,
    "exact": 5,
    "saved_model": 5,
    "structured": 6,
    "tree": 7,
    "__init__": 8,
}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, compare module) for every import of a sibling module, wherever it is in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.append((node.lineno, node.module.split(".")[0]))
                else:
                    found.extend((node.lineno, alias.name) for alias in node.names)
            elif node.module and node.module.startswith("pytest_monolith_parity.compare."):
                found.append((node.lineno, node.module.split(".")[2]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pytest_monolith_parity.compare."):
                    found.append((node.lineno, alias.name.split(".")[2]))
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in COMPARE.glob("*.py")}
    assert modules == set(LAYERS), f"give these modules a layer: {sorted(modules - set(LAYERS))}; gone: {sorted(set(LAYERS) - modules)}"


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_imports_only_go_down(module):
    upward = [(line, target) for line, target in _imports(COMPARE / f"{module}.py")
              if target in LAYERS and LAYERS[target] >= LAYERS[module]]
    assert not upward, f"compare/{module}.py (layer {LAYERS[module]}) imports " + ", ".join(
        f"{t} (layer {LAYERS[t]}) at line {line}" for line, t in upward)


def test_the_check_sees_lazy_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from .exact import ExactComparator\n    return ExactComparator\n")
    assert _imports(sample) == [(2, "exact")]
