"""Parity of monolith/core/base_task.py ``BaseTask.params()`` (Rust: ``monolith_core::base_task::base_task_params``).

The default task params tree is compared as text (``str()``: every key, nesting and default value) and as
the nested ``(name, value)`` pairs, each side's Params walked the same way.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, compare, divergence, driver, example, python_call
from pytest_monolith_parity.helpers import reference_module

COVERS = "monolith/core/base_task.py"
MISSING = "root['cls']: missing in actual"


PLAIN = (type(None), bool, int, float, str, list, dict)


def _leaf(value):
    """A plain value as is; anything else (Python's ``cls`` holds a class) as ``repr`` text."""
    return value if isinstance(value, PLAIN) else repr(value)


def _tree(params, params_type, iterate):
    return {name: _tree(value, params_type, iterate) if isinstance(value, params_type) else _leaf(value)
            for name, value in iterate(params)}


def python_params(view):
    base_task = reference_module("monolith.core.base_task")
    hyperparams = reference_module("monolith.core.hyperparams")

    p = base_task.BaseTask.params()
    return str(p) if view == "str" else _tree(p, hyperparams.Params, lambda q: q.iter_params())


def rust_params(view):
    import monolith_parity_rs as rs

    p = rs.base_task_params()
    return str(p) if view == "str" else _tree(p, rs.HyperParams, lambda q: q.iter_params())


Case(
    id="params",
    covers=COVERS,
    python=python_call(python_params),
    rust=driver(rust_params, needs="base_task_params"),
    # BaseTask.params() starts from BaseLayer.params(): InstantiableParams(cls) with `cls` and `name`
    # (base_layer.py); the port's base_task_params() starts from an empty Params (base_task.rs).
    expect=divergence(
        "BaseTask.params(): Python's tree also holds cls=<class 'monolith.core.base_task.BaseTask'> and "
        "name='BaseTask' (from BaseLayer.params() / InstantiableParams); the port's base_task_params() lacks both",
        message=MISSING),
    examples=[example("str", id="str", expect=divergence(
                  "BaseTask.params() str(): Python's text has the 'cls: <class ...BaseTask'>' and 'name: \"BaseTask\"' "
                  "lines (BaseLayer.params()); the port's base_task_params() has neither",
                  message="root: index 24 (line 3, column 3): expected …\"accelerator: None\\n  cls: <class 'monolith")),
              example("tree", id="tree")],
    compare=compare.structured(),
)
