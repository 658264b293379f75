"""Absl flags and environment variables for one call, reset afterwards.

monolith reads its configuration from absl flags (``FLAGS.restore_ckpt``, ``FLAGS.mode``, every
``RunnerConfig`` field through ``gflags_utils``) and from the environment (``MLP_*``,
``TF_CONFIG``, ``CONSUL_HTTP_*``...).  A call runs inside :func:`flags_and_env`: flags start
parsed from an empty command line (every flag at its default, as a job started without
arguments), then the given values are set; afterwards the flags are unparsed again, so whatever
the call or an earlier one wrote (``RunnerConfig.__post_init__`` assigns ``FLAGS.restore_ckpt``)
never reaches the next call.  Environment variables given as None are removed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from pytest_monolith_parity.helpers import environ


@contextlib.contextmanager
def parsed_flags(values: Mapping[str, Any] | None = None,
                 defined_by: tuple[str, ...] = ("monolith.native_training.runner_utils",)) -> Iterator[None]:
    """``defined_by``: the monolith modules whose import defines the flags (imported first, so the
    first call in a fresh worker sees the same flags as every later one)."""
    import importlib

    from absl import flags

    for module in defined_by:
        importlib.import_module(module)
    FLAGS = flags.FLAGS
    FLAGS.unparse_flags()
    FLAGS(["parity"])
    try:
        for name, value in (values or {}).items():
            if name not in FLAGS:
                raise KeyError(f"no absl flag {name!r} is defined (is the module that defines it imported?)")
            FLAGS[name].value = value
            FLAGS[name].present = 1
        yield
    finally:
        FLAGS.unparse_flags()


@contextlib.contextmanager
def flags_and_env(flag_values: Mapping[str, Any] | None = None,
                  env: Mapping[str, str | None] | None = None) -> Iterator[None]:
    with environ(env or {}), parsed_flags(flag_values):
        yield
