"""The Python side of the layer cases: monolith's own layers, built with the case's weights, called eagerly.

Nothing here computes a layer: each function constructs monolith's class (weights injected through
``tf.constant_initializer``, the way a checkpoint would set them) and returns what its ``call``
returns, as numpy.  TensorFlow is imported on first use, inside the reference environment.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _numpy(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_numpy(item) for item in value]
    return np.asarray(value.numpy())


def merge_tensor_list(tensor_list, merge_type="concat", num_feature=None, axis=1, keep_list=False):
    """``layers.utils.merge_tensor_list`` over ``tf.constant`` tensors of the arrays."""
    import tensorflow as tf
    from monolith.native_training.layers import utils

    tensors = [tf.constant(t) for t in tensor_list]
    return _numpy(utils.merge_tensor_list(tensors, merge_type=merge_type, num_feature=num_feature, axis=axis,
                                          keep_list=keep_list))


def dense_forward(x, kernel, bias=None, allow_kernel_norm=False, kernel_norm_trainable=False):
    """``layers.dense.Dense(units, ...)`` holding ``kernel`` (and ``bias``), called on ``x``."""
    import tensorflow as tf
    from monolith.native_training.layers.dense import Dense

    layer = Dense(units=kernel.shape[1], use_bias=bias is not None,
                  kernel_initializer=tf.constant_initializer(kernel),
                  bias_initializer=tf.constant_initializer(bias) if bias is not None else "zeros",
                  allow_kernel_norm=allow_kernel_norm, kernel_norm_trainable=kernel_norm_trainable)
    return _numpy(layer(tf.constant(x)))


def dense_default_flags(in_features, units):
    """The configuration a ``Dense(units)`` gets when no flag is given."""
    from monolith.native_training.layers.dense import Dense

    layer = Dense(units=units)
    return {"use_bias": layer.use_bias, "allow_kernel_norm": layer.allow_kernel_norm,
            "kernel_norm_trainable": layer.kernel_norm_trainable}


def activation_forward(name, x, **params):
    """``advanced_activations.get(name)`` (its class with ``params`` when given) called on ``x``."""
    import tensorflow as tf
    from monolith.native_training.layers import advanced_activations

    layer = advanced_activations.get(name)
    if params:
        layer = type(layer)(**params)
    return _numpy(layer(tf.constant(x)))


def mlp_forward(x, weights, activations, use_weight_norm=True, use_learnable_weight_norm=True, use_bias=True):
    """``layers.mlp.MLP(output_dims, activations, initializers=<the kernels>, ...)`` called on ``x``.

    ``weights`` is one ``(kernel, bias)`` per layer.  monolith's MLP creates its biases with
    ``zeros``; a non-zero bias is assigned to the built layer's ``bias`` variable before the call.
    """
    import tensorflow as tf
    from monolith.native_training.layers.mlp import MLP

    layer = MLP(output_dims=[k.shape[1] for k, _ in weights], activations=list(activations),
                initializers=[tf.constant_initializer(k) for k, _ in weights], use_weight_norm=use_weight_norm,
                use_learnable_weight_norm=use_learnable_weight_norm, use_bias=use_bias)
    inputs = tf.constant(x)
    layer(inputs)  # builds the layer (its dense layers build on their first call)
    if use_bias:
        for dense, (_, bias) in zip([l for l in layer._stacked_layers if type(l).__name__ == "Dense"], weights):
            dense.bias.assign(bias)
    return _numpy(layer(inputs))
