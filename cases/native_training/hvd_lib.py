"""Parity of monolith/native_training/hvd_lib.py (Rust: ``monolith_training::native_training::hvd_lib``).

* ``enable_bps``: Python's property is ``int(os.getenv("MONOLITH_WITH_BYTEPS", "0"))``, used only
  for its truth (``if self.enable_bps:`` picks byteps or horovod, hvd_lib.py:31); the port returns
  a bool.  Compared: Python's value as a bool, or the error it raises.
* ``rank()`` / ``size()``: Python delegates to ``byteps.tensorflow`` / ``horovod.tensorflow``
  (the MPI/Gloo runtime decides), the port reads the launcher's environment.  Without that
  library installed the reference is unavailable, and says which.

Every variable either side reads is set or removed for the call and restored afterwards.
"""

from __future__ import annotations

from pytest_monolith_parity import Case, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ

COVERS = "monolith/native_training/hvd_lib.py"
VARS = ["MONOLITH_WITH_BYTEPS", "BYTEPS_RANK", "BYTEPS_SIZE", "HOROVOD_RANK", "HOROVOD_SIZE",
        "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "RANK", "WORLD_SIZE"]


def in_env(env):
    return environ({**{k: None for k in VARS}, **env})


def enable_bps_python(env):
    from monolith.native_training import hvd_lib

    return bool(hvd_lib.enable_bps)


def _library_call(env, name):
    """hvd_lib.<name>() through the lib it imports; without that lib the reference cannot run here."""
    import importlib.util

    from pytest_monolith_parity import ReferenceUnavailable

    from monolith.native_training import hvd_lib

    lib = "byteps.tensorflow" if hvd_lib.enable_bps else "horovod.tensorflow"
    if importlib.util.find_spec(lib.split(".")[0]) is None:
        raise ReferenceUnavailable(f"needs package {lib.split('.')[0]} (hvd_lib.{name}() calls {lib}.{name}())")
    hvd_lib.init()
    return getattr(hvd_lib, name)()


def rank_python(env):
    with in_env(env):
        return _library_call(env, "rank")


def size_python(env):
    with in_env(env):
        return _library_call(env, "size")


_WORDS = divergence(
    "Python's int('true') raises ValueError (hvd_lib.py:38); the port also accepts true/yes/on",
    outcome="python raised", message="ValueError: invalid literal for int()")
_UNPARSABLE = divergence(
    "Python's int('') / int('garbage') raises ValueError (hvd_lib.py:38); the port reads an unparsable value as "
    "0, i.e. False (hvd_lib.rs enable_bps: .parse::<i32>().ok() ... .unwrap_or(0))",
    outcome="python raised", message="ValueError: invalid literal for int()")

Case(
    id="enable_bps",
    covers=COVERS,
    python=python_call(enable_bps_python, around=in_env),
    rust=pyo3("hvd_enable_bps", adapt=lambda env: (), around=in_env),
    examples=[
        example({}, id="unset"),
        example({"MONOLITH_WITH_BYTEPS": "0"}, id="zero"),
        example({"MONOLITH_WITH_BYTEPS": "1"}, id="one"),
        example({"MONOLITH_WITH_BYTEPS": "2"}, id="two"),
        example({"MONOLITH_WITH_BYTEPS": "-1"}, id="minus_one"),
        example({"MONOLITH_WITH_BYTEPS": " 1 "}, id="spaces"),
        example({"MONOLITH_WITH_BYTEPS": "true"}, id="true_word", expect=_WORDS),
        example({"MONOLITH_WITH_BYTEPS": "yes"}, id="yes_word", expect=_WORDS),
        example({"MONOLITH_WITH_BYTEPS": ""}, id="empty", expect=_UNPARSABLE),
        example({"MONOLITH_WITH_BYTEPS": "garbage"}, id="garbage", expect=_UNPARSABLE),
    ],
)

RANKED = {"HOROVOD_RANK": "3", "HOROVOD_SIZE": "8", "OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "8"}
BPS = {"MONOLITH_WITH_BYTEPS": "1", "BYTEPS_RANK": "2", "BYTEPS_SIZE": "4"}

for _name, _fn in (("rank", rank_python), ("size", size_python)):
    Case(
        id=_name,
        covers=COVERS,
        python=python_call(_fn, isolated=True),
        rust=pyo3(f"hvd_{_name}", adapt=lambda env: (), around=in_env),
        examples=[example({}, id="single_process"), example(RANKED, id="horovod_launcher"),
                  example(BPS, id="byteps_launcher")],
        golden=False,  # the reference is the distributed runtime of this machine
    )
