"""The tools a kernel build uses, and the facts about them that belong in the cache key.

* the C++ compiler: ``$CXX`` or ``g++`` (its ``--version`` line is part of the key);
* TensorFlow: ``tf.sysconfig.get_compile_flags()`` / ``get_link_flags()`` and
  ``tf.__version__`` of the TensorFlow this process imports (its headers
  and ``libtensorflow_framework`` are what a custom op is built against);
* ``protoc`` for kernels that include a generated ``.pb.h`` (Debian's
  protobuf-compiler: same 3.21 series as the headers the TF wheel ships).

A missing tool is not an exception: :func:`missing` says what is missing
and how to install it, and the build records that as the reason.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from typing import Any

COMPILE_FLAGS = ("-O2", "-fPIC")
TIMEOUT = 900


class ToolMissing(RuntimeError):
    """A tool the build needs is not installed; the message says how to install it."""


def cxx() -> str:
    return os.environ.get("CXX") or "g++"


@functools.lru_cache(maxsize=None)
def _version_line(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise ToolMissing(f"{tool} is not installed (make setup installs g++ and protobuf-compiler; "
                          f"or apt-get install g++ protobuf-compiler)")
    result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else tool


def compiler_version() -> str:
    return _version_line(cxx())


def protoc_version() -> str:
    return _version_line("protoc")


@functools.lru_cache(maxsize=None)
def tensorflow() -> dict[str, Any]:
    """The TensorFlow custom ops are built against (and loaded into): version and flags."""
    try:
        import tensorflow as tf  # noqa: PLC0415 - only a build or a load needs it
    except ImportError as error:
        raise ToolMissing(f"TensorFlow is not importable ({error}); install the reference extra: "
                          "pip install -e '.[reference]'") from None
    return {"version": tf.__version__, "compile_flags": list(tf.sysconfig.get_compile_flags()),
            "link_flags": list(tf.sysconfig.get_link_flags())}


def first_error(output: str) -> str:
    """The compiler's first error line (``file:line:col: error: ...``), else its first line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if " error: " in line or "fatal error:" in line or line.startswith("error:") or ": error:" in line:
            return line[:400]
    for line in lines:
        if "undefined reference" in line or "cannot find -l" in line:
            return line[:400]
    return lines[0][:400] if lines else "(no output)"


def run(command: list[str], cwd: str | None = None) -> tuple[int, str]:
    """Run one tool; (exit status, combined output)."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 124, f"error: {command[0]} did not finish within {TIMEOUT}s"
    except OSError as error:
        return 127, f"error: cannot run {command[0]}: {error}"
    return result.returncode, (result.stderr + result.stdout)
