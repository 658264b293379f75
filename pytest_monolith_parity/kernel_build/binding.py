"""The built kernels as the reference sees them: op name -> the real function, or why there is none.

A :class:`KernelSet` answers one question for the bootstrap's
``gen_monolith_ops``: given a wrapper name (``gen_seq_mask`` or
``GenSeqMask``), what is it?  Either the function TensorFlow generated when
it loaded the library (``tf.load_op_library``), or the reason it is not
available -- the library failed to compile (with the compiler's first
error line), the op's kernel source did not build, no declared library
registers the op, or the library was built against another TensorFlow
than the one this process runs and is therefore refused.

Libraries are built (or found in the cache) and loaded on first use, so a
process that never touches a custom op never imports TensorFlow for it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import build as _build
from . import ops as _ops
from . import toolchain
from .manifest import KernelManifest


@dataclasses.dataclass(frozen=True)
class OpBinding:
    op: str  # the TensorFlow op name (GenSeqMask), or the attribute when no op is known by that name
    function: Any = None  # the real wrapper when bound
    reason: str = ""  # why not, when unbound
    library: str = ""

    @property
    def bound(self) -> bool:
        return self.function is not None


class KernelSet:
    """The declared libraries of one manifest over one source tree, built and loaded lazily."""

    def __init__(self, manifest: KernelManifest, source_root: Path, cache_root: Path | None = None,
                 results: Iterable[_build.LibraryResult] = (), build_missing: bool = True):
        self.manifest = manifest
        self.source_root = Path(source_root)
        self.cache_root = Path(cache_root) if cache_root is not None else _build.default_cache_root()
        self.build_missing = build_missing
        self.results: dict[str, _build.LibraryResult] = {r.name: r for r in results}
        self._loaded: dict[str, Any] = {}
        self._load_errors: dict[str, str] = {}
        self._lock = threading.RLock()
        self._tree_ops: dict[str, str] | None = None
        self._declared: dict[str, str] | None = None

    # -- what is declared where -------------------------------------------------
    def tree_ops(self) -> dict[str, str]:
        if self._tree_ops is None:
            self._tree_ops = _ops.scan_tree(self.source_root)
        return self._tree_ops

    def declared(self) -> dict[str, str]:
        """Op -> the library whose declared sources register it."""
        if self._declared is None:
            found: dict[str, str] = {}
            for library in self.manifest.libraries:
                for rel in [*library.sources, *library.optional]:
                    path = self.source_root / rel
                    if path.is_file():
                        for op in _ops.registered_ops(path.read_text("utf-8", errors="replace")):
                            found.setdefault(op, library.name)
                for rel in library.own_sources:
                    path = self.manifest.directory / rel
                    if path.is_file():
                        for op in _ops.registered_ops(path.read_text("utf-8", errors="replace")):
                            found.setdefault(op, library.name)
            self._declared = found
        return self._declared

    def op_for(self, attribute: str) -> str | None:
        """The op a wrapper name refers to (``gen_seq_mask`` and ``GenSeqMask`` both mean GenSeqMask)."""
        candidates = {*self.declared(), *self.tree_ops()}
        if attribute in candidates:
            return attribute
        for op in sorted(candidates):
            if _ops.python_name(op) == attribute:
                return op
        return None

    def libraries_for(self, ops: Iterable[str]) -> list[str]:
        """The declared libraries that provide these ops (op names or wrapper names)."""
        declared = self.declared()
        names = []
        for item in ops:
            op = self.op_for(item)
            if op in declared and declared[op] not in names:
                names.append(declared[op])
        return names

    def libraries_called_by(self, paths: Iterable[str]) -> list[str]:
        """The declared libraries whose ``callers`` include one of these Python files."""
        wanted = set(paths)
        return [library.name for library in self.manifest.libraries if wanted & set(library.callers)]

    # -- building and loading ----------------------------------------------------
    def result(self, name: str) -> _build.LibraryResult:
        with self._lock:
            if name not in self.results:
                self.results[name] = _build.ensure_library(self.manifest.library(name), self.manifest,
                                                           self.source_root, self.cache_root,
                                                           build=self.build_missing)
            return self.results[name]

    def module(self, name: str) -> tuple[Any, str]:
        """The loaded library module, or ``(None, reason)``."""
        with self._lock:
            if name in self._loaded:
                return self._loaded[name], ""
            if name in self._load_errors:
                return None, self._load_errors[name]
            result = self.result(name)
            reason = refusal(result)
            module = None
            if not reason:
                try:
                    module = load_library(result)
                except Exception as error:  # noqa: BLE001 - any load failure makes the op unavailable, with why
                    reason = f"loading {result.library} failed: {type(error).__name__}: {str(error).strip()[:300]}"
            if module is None:
                self._load_errors[name] = reason
                return None, reason
            self._loaded[name] = module
            return module, ""

    def lookup(self, attribute: str) -> OpBinding:
        op = self.op_for(attribute)
        if op is None:
            return OpBinding(attribute, reason=f"no source under {self.source_root / 'monolith'} registers an op "
                                               f"whose wrapper is named {attribute}")
        library = self.declared().get(op)
        if library is None:
            where = self.tree_ops().get(op, "?")
            return OpBinding(op, reason=f"{where} registers it, but no library in {self.manifest.path} declares "
                                        "that file (add a [[library]] entry to build it)")
        result = self.result(library)
        reason = result.reason_for(op)
        if reason:
            return OpBinding(op, reason=reason, library=library)
        module, reason = self.module(library)
        if module is None:
            return OpBinding(op, reason=reason, library=library)
        for name in (attribute, _ops.python_name(op)):
            function = getattr(module, name, None)
            if function is not None:
                return OpBinding(op, function=function, library=library)
        return OpBinding(op, library=library, reason=f"library {library} loaded but exposes no wrapper {attribute}")

    def status(self, attribute: str) -> tuple[str, str]:
        """``(op, reason)`` without loading anything: reason is '' when the op has a built kernel."""
        op = self.op_for(attribute)
        if op is None:
            return attribute, "no source registers it"
        library = self.declared().get(op)
        if library is None:
            return op, "no declared library"
        result = self.result(library)
        return op, result.reason_for(op)

    def summary(self) -> dict[str, Any]:
        return {name: {"status": r.status, "reason": r.reason, "kernels": r.kernels, "action": r.action}
                for name, r in sorted(self.results.items())}


def refusal(result: _build.LibraryResult) -> str:
    """Why a built library must not be loaded into this process ('' when it may be)."""
    if not result.built:
        return f"library {result.name} is not built: {result.reason}"
    if result.toolchain.get("tensorflow"):
        built = result.toolchain["tensorflow"]
        try:
            running = toolchain.tensorflow()
        except toolchain.ToolMissing as error:
            return str(error)
        if built.get("version") != running["version"] or built.get("compile_flags") != running["compile_flags"]:
            return (f"library {result.name} was built against TensorFlow {built.get('version', '?')}, this process "
                    f"runs {running['version']}: refused (rebuild: python -m pytest_monolith_parity build-ops)")
    if not Path(result.library).is_file():
        return f"library {result.name}: {result.library} is gone from the cache (rebuild with build-ops)"
    return ""


def load_library(result: _build.LibraryResult) -> Any:
    if result.kind == "tensorflow":
        import tensorflow as tf  # noqa: PLC0415 - only loading a kernel needs it

        return tf.load_op_library(result.library)
    import ctypes  # noqa: PLC0415

    if result.toolchain.get("tensorflow"):
        import tensorflow  # noqa: F401,PLC0415 - its framework library (protobuf, absl) must be loaded first
    return ctypes.CDLL(result.library)
