"""What the checkout holds: every file the inventory accounts for, with facts read from its text.

Facts are mechanical (line counts, top-level symbols from the AST, the test
sibling), so they are recomputed on every ``inventory generate`` and never
edited by hand.  Pytest-free.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from ..reference.checkout import Checkout

_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
PATCH_DIRS = ("third_party/org_tensorflow", "third_party/org_tensorflow_serving")


@dataclasses.dataclass
class SourceFacts:
    """Mechanical facts about one file of the checkout."""

    path: str
    kind: str  # python | bzl | patch
    lines: int
    classes: list[str] = dataclasses.field(default_factory=list)
    functions: list[str] = dataclasses.field(default_factory=list)
    constants: list[str] = dataclasses.field(default_factory=list)
    patched: list[str] = dataclasses.field(default_factory=list)  # for patches: the files they change
    test: str | None = None  # for a module: its *_test.py sibling
    subject: str | None = None  # for a test: the module it tests
    parse_error: str = ""
    code_statements: int = 0  # top-level statements other than docstring / imports / __all__ / del

    @property
    def symbols(self) -> list[str]:
        return [*self.classes, *self.functions, *self.constants]


def symbols_of(text: str) -> tuple[list[str], list[str], list[str], int, str]:
    """Top-level classes, functions, UPPER_CASE constants, count of 'behaviour' statements, parse error."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        return [], [], [], 0, f"SyntaxError: {error.msg} (line {error.lineno})"
    classes: list[str] = []
    functions: list[str] = []
    constants: list[str] = []
    behaviour = 0
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.ClassDef):
            classes.append(node.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and _CONSTANT.match(name.id) and name.id not in constants:
                        constants.append(name.id)
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Delete)):
            continue
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            continue
        behaviour += 1
    return classes, functions, constants, behaviour, ""


def _count_lines(text: str) -> int:
    return len(text.splitlines())


def python_facts(checkout: Checkout) -> list[SourceFacts]:
    files = checkout.python_files()
    present = set(files)
    facts = []
    for rel in files:
        text = (checkout.root / rel).read_text("utf-8", errors="replace")
        classes, functions, constants, behaviour, error = symbols_of(text)
        item = SourceFacts(rel, "python", _count_lines(text), classes, functions, constants,
                           parse_error=error, code_statements=behaviour)
        if rel.endswith("_test.py"):
            subject = rel[: -len("_test.py")] + ".py"
            item.subject = subject if subject in present else None
        else:
            sibling = rel[: -len(".py")] + "_test.py"
            item.test = sibling if sibling in present else None
        facts.append(item)
    return facts


def bzl_facts(checkout: Checkout) -> list[SourceFacts]:
    """Bazel workspace files under monolith/ (Starlark parses as Python for our purpose)."""
    facts = []
    for path in sorted(checkout.monolith_dir.rglob("*.bzl")):
        rel = path.relative_to(checkout.root).as_posix()
        text = path.read_text("utf-8", errors="replace")
        classes, functions, constants, behaviour, error = symbols_of(text)
        facts.append(SourceFacts(rel, "bzl", _count_lines(text), classes, functions, constants,
                                 parse_error=error, code_statements=behaviour))
    return facts


def patch_facts(checkout: Checkout) -> list[SourceFacts]:
    """The TensorFlow / TF Serving patches under third_party/, with the files each one changes."""
    facts = []
    for directory in PATCH_DIRS:
        base = checkout.root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.patch")):
            text = path.read_text("utf-8", errors="replace")
            patched = [line[len("+++ b/"):].strip() for line in text.splitlines() if line.startswith("+++ b/")]
            facts.append(SourceFacts(path.relative_to(checkout.root).as_posix(), "patch", _count_lines(text),
                                     patched=patched))
    return facts


def all_facts(checkout: Checkout) -> list[SourceFacts]:
    return [*python_facts(checkout), *bzl_facts(checkout), *patch_facts(checkout)]


def read_text(checkout: Checkout, rel: str) -> str:
    return (Path(checkout.root) / rel).read_text("utf-8", errors="replace")
