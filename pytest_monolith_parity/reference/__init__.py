"""The Python reference environment: a monolith checkout made importable on a stock TensorFlow.

* :mod:`.checkout` -- locate and validate the checkout (``settings.monolith_root``);
* :mod:`.protos` -- compile its ``.proto`` files once per content into a cache;
* :mod:`.bootstrap` -- ``activate()``: import ``monolith.x.y`` without the
  heavyweight package ``__init__`` files, with stand-ins for the Bazel-built
  custom ops and the TF Serving protos the wheel lacks (see its shim table);
* :mod:`.probe` -- classify every Python file of the checkout by whether it
  imports, and why not.

Nothing here imports TensorFlow or pytest at import time.
"""

from .checkout import Checkout, CheckoutError

__all__ = ["Checkout", "CheckoutError"]
