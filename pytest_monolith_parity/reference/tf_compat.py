"""TensorFlow version skew: names monolith imports that moved, or went away, after it was written.

Monolith was written against TensorFlow 2.4-2.6; the reference runs on 2.15
(the last release with ``tf.estimator``).  Two kinds of shim, both listed
in docs/reference-environment.md and in the probe's output:

* **alias** -- TensorFlow 2.15 still has the very same object under a new
  name; the old name is made to point at it (``ops.Tensor is
  tensor.Tensor``).  Never a copy, never a reimplementation: the object
  monolith gets is TensorFlow's own.
* **stand-in** -- the semantics changed, so there is nothing honest to
  point at; the old name exists for import's sake and raises
  :class:`~pytest_monolith_parity.outcomes.ReferenceUnavailable` when
  used, so only functions that never execute it can run.

Nothing here imports TensorFlow: attribute shims are applied when
TensorFlow's module is imported (or at once if it already is), module
shims are served by the bootstrap's finder.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

from ..outcomes import ReferenceUnavailable


@dataclasses.dataclass(frozen=True)
class TfShim:
    module: str  # the TensorFlow module monolith imports from
    name: str  # the attribute it imports ("" when the shim is the module itself)
    kind: str  # alias | stand-in
    target: str  # "module:attribute" the alias points at; for a module alias "module"
    why: str
    names: tuple[str, ...] = ()  # for a module alias: the names it exposes

    @property
    def symbol(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


SHIMS: tuple[TfShim, ...] = (
    TfShim("tensorflow.python.framework.ops", "Tensor", "alias", "tensorflow.python.framework.tensor:Tensor",
           "TF 2.13 moved the Tensor class to framework/tensor.py and 2.15 dropped the ops.Tensor re-export"),
    TfShim("tensorflow.python.framework.ops", "register_tensor_conversion_function", "alias",
           "tensorflow.python.framework.tensor_conversion_registry:register_tensor_conversion_function",
           "TF 2.13 moved it to framework/tensor_conversion_registry.py (same function, same signature)"),
    TfShim("tensorflow.python.data.experimental.ops.distribute_options", "", "alias",
           "tensorflow.python.data.ops.options",
           "TF 2.6 folded data/experimental/ops/distribute_options.py into data/ops/options.py "
           "(the same AutoShardPolicy / ExternalStatePolicy enums)",
           names=("AutoShardPolicy", "ExternalStatePolicy", "DistributeOptions")),
    TfShim("tensorflow.python.data.experimental.ops.data_service_ops", "ProcessingMode", "stand-in", "",
           "TF 2.7 replaced ProcessingMode (PARALLEL_EPOCHS / DISTRIBUTED_EPOCH, validate()) by ShardingPolicy; "
           "nothing in 2.15 behaves like it, so the tf.data service path of datasets.py is unavailable"),
    TfShim("tensorflow.python.keras.layers.ops", "", "stand-in", "",
           "the legacy tensorflow.python.keras copy in TF 2.15 no longer has layers/ops/core.py (core_ops.dense); "
           "keras 2.15 inlines the computation in Dense.call, so there is no same function to point at"),
)

#: Submodules served as stand-in packages/modules below a stand-in module shim.
_STANDIN_SUBMODULES = {"tensorflow.python.keras.layers.ops": ("core",)}


def standin_message(symbol: str, why: str) -> str:
    return f"TensorFlow {symbol} is not available on this TensorFlow: {why}"


class TfStandIn:
    """A removed TensorFlow name: can be imported and stored; calling or reaching through it raises."""

    __slots__ = ("_symbol", "_why")

    def __init__(self, symbol: str, why: str):
        object.__setattr__(self, "_symbol", symbol)
        object.__setattr__(self, "_why", why)

    def _unavailable(self) -> ReferenceUnavailable:
        return ReferenceUnavailable(standin_message(self._symbol, self._why))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._unavailable()

    def __mro_entries__(self, bases: tuple) -> tuple:
        raise self._unavailable()

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return TfStandIn(f"{self._symbol}.{attr}", self._why)

    def __repr__(self) -> str:
        return f"<unavailable {self._symbol}: {self._why}>"


class TfStandInModule(types.ModuleType):
    def __init__(self, name: str, why: str, package: bool):
        super().__init__(name, f"reference-environment stand-in: {why}")
        self.__dict__["__tf_standin__"] = why
        self.__dict__["__all__"] = []
        if package:
            self.__dict__["__path__"] = []

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return TfStandIn(f"{self.__name__}.{attr}", self.__dict__["__tf_standin__"])


class _StandInModuleLoader(importlib.abc.Loader):
    def __init__(self, why: str, package: bool):
        self.why, self.package = why, package

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return TfStandInModule(spec.name, self.why, self.package)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


class _ModuleAliasLoader(importlib.abc.Loader):
    """A module whose names ARE another module's objects (the same enums), not copies."""

    def __init__(self, shim: TfShim):
        self.shim = shim

    def exec_module(self, module: types.ModuleType) -> None:
        target = importlib.import_module(self.shim.target)
        for name in self.shim.names:
            if hasattr(target, name):
                setattr(module, name, getattr(target, name))
        module.__dict__["__alias_of__"] = self.shim.target


class _PatchAfterLoad(importlib.abc.Loader):
    """Runs TensorFlow's own loader, then adds the shim attributes to the fresh module."""

    def __init__(self, loader: importlib.abc.Loader, compat: "TfCompat"):
        self.loader, self.compat = loader, compat

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        self.compat.patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class TfCompat:
    """The shims in force in one reference environment."""

    def __init__(self, shims: tuple[TfShim, ...] = SHIMS):
        self.shims = shims
        self.added: list[tuple[types.ModuleType, str, Any]] = []  # what patch() set, for undo()
        self._attribute_modules = {s.module for s in shims if s.name}
        self._module_shims = {s.module: s for s in shims if not s.name}

    # -- the finder's half --------------------------------------------------
    def find_spec(self, fullname: str, path: Any, finder: Any) -> importlib.machinery.ModuleSpec | None:
        shim = self._module_shims.get(fullname)
        if shim is not None:
            loader = _ModuleAliasLoader(shim) if shim.kind == "alias" else \
                _StandInModuleLoader(shim.why, package=fullname in _STANDIN_SUBMODULES)
            return importlib.machinery.ModuleSpec(fullname, loader, is_package=fullname in _STANDIN_SUBMODULES)
        parent, _, child = fullname.rpartition(".")
        if parent in _STANDIN_SUBMODULES and child in _STANDIN_SUBMODULES[parent]:
            return importlib.machinery.ModuleSpec(fullname, _StandInModuleLoader(self._module_shims[parent].why, False))
        if fullname in self._attribute_modules and fullname not in sys.modules:
            for other in sys.meta_path:
                if other is finder or not hasattr(other, "find_spec"):
                    continue
                spec = other.find_spec(fullname, path)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                        spec.loader = _PatchAfterLoad(spec.loader, self)
                    return spec
        return None

    # -- attributes on TensorFlow's own modules --------------------------------
    def patch(self, module: types.ModuleType) -> None:
        for shim in self.shims:
            if shim.module != module.__name__ or not shim.name or shim.name in vars(module):
                continue  # a TensorFlow that still has the name keeps its own
            if shim.kind == "alias":
                target_module, _, attribute = shim.target.partition(":")
                value = getattr(importlib.import_module(target_module), attribute)
            else:
                value = TfStandIn(shim.symbol, shim.why)
            setattr(module, shim.name, value)
            self.added.append((module, shim.name, value))

    def patch_loaded(self) -> None:
        for name in self._attribute_modules:
            if name in sys.modules:
                self.patch(sys.modules[name])

    def undo(self) -> None:
        for module, name, value in reversed(self.added):
            if vars(module).get(name) is value:
                delattr(module, name)
        self.added.clear()
        for name in list(sys.modules):
            if isinstance(sys.modules[name], TfStandInModule) or name in self._module_shims:
                del sys.modules[name]
