"""One script of ``Params`` operations, run on monolith's ``hyperparams.Params`` or on the port's.

A script is a list of steps; each step records what it returned or which error it raised, and the
run ends with ``str()`` of the params, so a case compares every intermediate answer and the final
text layout.  Steps (``path`` "" is the top level, else a dotted name of nested Params):

* ``("define", path, name, value, description)`` -- ``p.get(path).define(...)`` / ``p.define(...)``
* ``("define_params", path, name, description)`` -- define a fresh empty Params as the value
* ``("set", name, value)`` -- ``p.set(**{name: value})``
* ``("get", name)``, ``("delete", name)``, ``("contains", name)``, ``("len",)``, ``("keys",)``
* ``("freeze",)``, ``("is_immutable",)``, ``("iter_params",)``, ``("str",)``
* ``("copy",)`` -- continue on ``p.copy()`` (answers its ``str()``)
* ``("equals_copy",)`` -- ``p == p.copy()``

A Params value is recorded as ``["Params", str(value)]``.  An error is ``["error", type, message]``:
Python's exception type; on the Rust side the port's ``MonolithError::Py<Type>`` variants (raised by
the bindings as ``CorePy<Type>``) are recorded as ``<Type>`` -- the variant's declared meaning --
and any other error as its own class name (``CoreError:<variant>``, ``UnsupportedByPort``), which
never equals a Python type.
"""

from __future__ import annotations

from typing import Any

from pytest_monolith_parity.helpers import reference_module


def _value(value: Any, params_type: type) -> Any:
    if isinstance(value, params_type):
        return ["Params", str(value)]
    if isinstance(value, list):
        return [_value(v, params_type) for v in value]
    if isinstance(value, tuple):
        return tuple(_value(v, params_type) for v in value)
    if isinstance(value, dict):
        return {k: _value(v, params_type) for k, v in value.items()}
    return value


def _python_error(error: BaseException) -> list:
    return ["error", type(error).__name__, str(error)]


def _rust_error(error: BaseException) -> list:
    name = type(error).__name__
    if name.startswith("CorePy"):
        return ["error", name[len("CorePy"):], str(error)]
    kind = getattr(error, "kind", None)
    return ["error", f"{name}:{kind}" if kind else name, str(error)]


def _run(script, new, params_type, define_in, set_one, keys, equals, error_of) -> list:
    p = new()
    trace: list = []
    for step in script:
        op, args = step[0], step[1:]
        try:
            if op == "define":
                path, name, value, description = args
                define_in(p, path, name, value, description)
                answer = None
            elif op == "define_params":
                path, name, description = args
                define_in(p, path, name, new(), description)
                answer = None
            elif op == "set":
                name, value = args
                set_one(p, name, value)
                answer = None
            elif op == "get":
                answer = _value(p.get(args[0]), params_type)
            elif op == "delete":
                p.delete(args[0])
                answer = None
            elif op == "contains":
                answer = args[0] in p if hasattr(p, "__contains__") else p.contains(args[0])
            elif op == "len":
                answer = len(p) if hasattr(p, "__len__") else p.len()
            elif op == "keys":
                answer = keys(p)
            elif op == "freeze":
                p.freeze()
                answer = None
            elif op == "is_immutable":
                answer = p.is_immutable()
            elif op == "iter_params":
                answer = [[name, _value(value, params_type)] for name, value in p.iter_params()]
            elif op == "str":
                answer = str(p)
            elif op == "copy":
                p = p.copy()
                answer = str(p)
            elif op == "equals_copy":
                answer = equals(p, p.copy())
            else:
                raise ValueError(f"unknown step {op!r} in a Params script")
            trace.append([op, answer])
        except (KeyError, AttributeError, TypeError, ValueError, AssertionError, LookupError) as error:
            trace.append([op, error_of(error)])
        except Exception as error:  # the port's own error classes (CoreError, UnsupportedByPort)
            if error_of is _python_error:
                raise
            trace.append([op, error_of(error)])
    trace.append(["final_str", str(p)])
    return trace


def run_python(script) -> list:
    """The script on ``monolith.core.hyperparams.Params``."""
    hyperparams = reference_module("monolith.core.hyperparams")

    def define_in(p, path, name, value, description):
        (p.get(path) if path else p).define(name, value, description)

    def set_one(p, name, value):
        p.set(**{name: value})

    return _run(script, hyperparams.Params, hyperparams.Params, define_in, set_one,
                lambda p: sorted(dir(p)), lambda a, b: a == b, _python_error)


def run_rust(script) -> list:
    """The script on the port's ``monolith_core::hyperparams::Params`` (``monolith_parity_rs.HyperParams``)."""
    import monolith_parity_rs as rs

    def define_in(p, path, name, value, description):
        if path:
            p.define_in(path, name, value, description)
        else:
            p.define(name, value, description)

    return _run(script, rs.hyperparams_new, rs.HyperParams, define_in, lambda p, n, v: p.set(n, v),
                lambda p: p.keys(), lambda a, b: a.equals(b), _rust_error)
