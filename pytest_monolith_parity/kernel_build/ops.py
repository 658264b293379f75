"""Which ops a source registers, which CPU kernels it defines, and the Python names TensorFlow gives them.

Read statically from the sources (``REGISTER_OP("Name")``,
``REGISTER_KERNEL_BUILDER(Name("Name").Device(DEVICE_CPU)...)``), so that
an op that is *not* built can still be named with the reason, and so that
only ops with a compiled CPU kernel are bound (an op registered without a
kernel would only fail later inside TensorFlow).
"""

from __future__ import annotations

import re
from pathlib import Path

_REGISTER_OP = re.compile(r'REGISTER_OP\(\s*"([A-Za-z0-9_]+)"\s*\)')
_KERNEL = re.compile(r'REGISTER_KERNEL_BUILDER\(\s*Name\(\s*"([A-Za-z0-9_]+)"\s*\)(.{0,300}?)\)\s*[,;]', re.DOTALL)
_MACRO_KERNEL = re.compile(r'Name\(\s*"([A-Za-z0-9_]+)"\s*\)\s*\.Device\(\s*DEVICE_CPU\s*\)')


def registered_ops(text: str) -> list[str]:
    return sorted(set(_REGISTER_OP.findall(text)))


def cpu_kernels(text: str) -> list[str]:
    """Ops with a CPU kernel in ``text`` (also inside registration macros, which name the device)."""
    names = {name for name, rest in _KERNEL.findall(text) if "DEVICE_GPU" not in rest}
    names.update(_MACRO_KERNEL.findall(text))
    return sorted(names)


def python_name(op: str) -> str:
    """TensorFlow's Python wrapper name for an op (python_op_gen's GenerateLowerCaseOpName)."""
    out: list[str] = []
    last = len(op) - 1
    for index, char in enumerate(op):
        if char.isupper() and index > 0:
            if op[index - 1].islower() or (index < last and op[index + 1].islower()):
                out.append("_")
        out.append(char.lower())
    return "".join(out)


def scan_tree(root: Path, subdir: str = "monolith") -> dict[str, str]:
    """Every op registered anywhere under ``root/subdir``: op name -> the file that registers it."""
    found: dict[str, str] = {}
    base = root / subdir
    if not base.is_dir():
        return found
    for path in sorted(base.rglob("*.cc")):
        if path.name.endswith(("_test.cc", ".cu.cc")):
            continue
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError:
            continue
        for op in registered_ops(text):
            found.setdefault(op, path.relative_to(root).as_posix())
    return found
