"""Parity of the hash-table optimizers and float compressors that monolith/native_training/entry.py configures.

Python: ``entry.SgdOptimizer(...).as_proto()`` (and the other optimizer / compressor classes)
gives the ``OptimizerConfig`` / ``FloatCompressorConfig`` a hash table is built with; with
``dim_size`` set as the table sets it, monolith's C++ (``NewOptimizerFromConfig``,
``NewFloatCompressor``; library ``hash_table_kernels``, through ``_support/hash_table_kernels``)
runs it.  Rust: ``monolith_optimizer``'s optimizer of the same name with the same parameters,
and ``monolith_hash_table::compressor``.

* Optimizers: one embedding, N steps with the learning rate of the config; after each step the
  embedding and the slot state (``OptimizerDump`` fields: adagrad ``norm``, momentum ``n``, adam
  ``m`` / ``v``, ftrl ``zero`` / ``norm``), as ``{"var": [...], "state": {...}}`` per step, every
  array float32, compared with float32's default tolerance (the report lists the worst ULP).
* Compressors: the encoded bytes (exact), and the decoded floats (float32 exact: decoding is a
  deterministic map of the bytes).
"""

from __future__ import annotations

import numpy as np

from pytest_monolith_parity import Case, compare, driver, example, pyo3, python_call

from ._support import hash_table_kernels

COVERS = "monolith/native_training/entry.py"
_DUMP_FIELDS = {"sgd": (), "adagrad": ("norm",), "momentum": ("n",), "adam": ("m", "v"), "ftrl": ("zero", "norm")}


def _entry_config(kind, params, dim):
    from monolith.native_training import entry

    classes = {"sgd": entry.SgdOptimizer, "adagrad": entry.AdagradOptimizer, "momentum": entry.MomentumOptimizer,
               "adam": entry.AdamOptimizer, "ftrl": entry.FtrlOptimizer}
    config = classes[kind](**params).as_proto()
    getattr(config, config.WhichOneof("type")).dim_size = dim
    return config


def reference_optimizer_steps(kind, params, rust_params, var, grads):
    config = _entry_config(kind, params, len(var))
    learning_rate = getattr(config, config.WhichOneof("type")).learning_rate
    embeddings, dumps = hash_table_kernels.optimizer_steps(config, var, grads, learning_rate)
    steps = []
    for embedding, dump in zip(embeddings, dumps):
        single = getattr(dump.dump[0], dump.dump[0].WhichOneof("type"))
        steps.append({"var": embedding, "state": {f: np.asarray(getattr(single, f), np.float32)
                                                   for f in _DUMP_FIELDS[kind]}})
    return steps


def _rust_optimizer_args(kind, params, rust_params, var, grads):
    return kind, {k: float(v) for k, v in rust_params.items()}, [float(x) for x in var], \
        [[float(x) for x in g] for g in grads]


def _rust_steps(steps):
    return [{"var": np.asarray(s["var"], np.float32),
             "state": {k: np.asarray(v, np.float32) for k, v in s["state"].items()}} for s in steps]


def _flatten(steps):
    """One float32 array per step list: [var, state fields in dump order] -- one tensor, so ULPs are reported."""
    return np.asarray([np.concatenate([s["var"], *[s["state"][k] for k in sorted(s["state"])]]) for s in steps],
                      np.float32)


_RNG = np.random.default_rng(3)
_VAR = _RNG.normal(size=4).astype(np.float32)
_GRADS = _RNG.normal(size=(4, 4)).astype(np.float32)


def _optimizer_case(kind, params, rust_params, expect=None):
    Case(id=f"hash_table_{kind}", covers=COVERS,
         python=python_call(reference_optimizer_steps, isolated=True, post=_flatten),
         rust=pyo3("hash_table_optimizer_steps", adapt=_rust_optimizer_args,
                   post=lambda steps: _flatten(_rust_steps(steps))),
         examples=[example(kind, params, rust_params, _VAR, _GRADS, id="four_steps", expect=expect)],
         compare=compare.tensor())


_optimizer_case("sgd", {"learning_rate": 0.1}, {"learning_rate": 0.1})
_optimizer_case("adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.1},
                {"learning_rate": 0.1, "initial_accumulator_value": 0.1, "weight_decay_factor": 0.0})
_optimizer_case("momentum", {"learning_rate": 0.1, "momentum": 0.9},
                {"learning_rate": 0.1, "momentum": 0.9, "weight_decay_factor": 0.0, "use_nesterov": 0.0})
_optimizer_case("adam", {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8})
_optimizer_case("ftrl", {"learning_rate": 0.1, "initial_accumulator_value": 0.1, "beta": 0.0, "l1_regularization": 0.01,
                         "l2_regularization": 0.01},
                {"learning_rate": 0.1, "learning_rate_power": -0.5, "l1_reg": 0.01, "l2_reg": 0.01})


# -- compressors ----------------------------------------------------------------------------------------
def _compressor_config(kind, dim):
    from monolith.native_training import entry

    classes = {"fp32": entry.Fp32Compressor, "fp16": entry.Fp16Compressor, "fixed_r8": entry.FixedR8Compressor}
    config = classes[kind]().as_proto()
    getattr(config, config.WhichOneof("type")).dim_size = dim
    return config


def reference_encode(kind, values):
    return hash_table_kernels.compress(_compressor_config(kind, len(values)), values)


def reference_decode(kind, values):
    config = _compressor_config(kind, len(values))
    return hash_table_kernels.decompress(config, hash_table_kernels.compress(config, values), len(values))


def _rust_encode_args(kind, values):
    return kind, [float(v) for v in values]


def _rust_decode(kind, values):
    """Decode what the Rust side encoded (the port's own round trip)."""
    import monolith_parity_rs

    data = monolith_parity_rs.compressor_encode(kind, [float(v) for v in values])
    return np.asarray(monolith_parity_rs.compressor_decode(kind, list(data), len(values)), np.float32)


_VALUES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 0.333333, 3.5, -2.75, 1e-5, 65504.0], np.float32)
_UNIT = np.array([0.0, 0.25, -0.5, 0.9, -1.0, 1.0, 0.01, -0.75], np.float32)

for _kind, _values in (("fp32", _VALUES), ("fp16", _VALUES), ("fixed_r8", _UNIT)):
    Case(id=f"{_kind}_encode", covers=COVERS,
         python=python_call(reference_encode, isolated=True),
         rust=pyo3("compressor_encode", adapt=_rust_encode_args, post=bytes),
         examples=[example(_kind, _values, id="values")])
    Case(id=f"{_kind}_decode", covers=COVERS,
         python=python_call(reference_decode, isolated=True),
         rust=driver(_rust_decode, needs="compressor_decode"),
         examples=[example(_kind, _values, id="values")],
         compare=compare.tensor(mode="exact"))
