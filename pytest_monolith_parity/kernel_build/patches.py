"""TensorFlow API compatibility patches, applied to COPIES of the sources in the build directory.

Monolith's kernels were written against the TensorFlow its Bazel workspace
pins; the pip wheel's headers are newer.  Each patch rewrites one spelling
that the newer API removed into the spelling that means the same thing
there -- never a change of behaviour -- and is listed, with why, in
docs/reference-environment.md (a test keeps that table complete).  The
checkout itself is never written to.  Which patches touched which file is
recorded in each library's build stamp.
"""

from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Patch:
    name: str
    pattern: str
    replacement: str
    why: str

    def apply(self, text: str) -> tuple[str, int]:
        return re.subn(self.pattern, self.replacement, text)


PATCHES: tuple[Patch, ...] = (
    Patch("status-ok", r"(?<![\w:])(?:::)?(?:tensorflow::|tsl::)?Status::OK\(\)", "::tensorflow::OkStatus()",
          "TF 2.10 made tensorflow::Status an alias of absl::Status, which has no static OK(); "
          "::tensorflow::OkStatus() is the same value"),
    Patch("persistent-tensor", r"PersistentTensor\s+unused;(\s*)Tensor\*\s*tmp;",
          r"Tensor tmp_storage;\1Tensor* tmp = &tmp_storage;",
          "TF 2.8 removed PersistentTensor; the copy-on-write helpers only used it as a throw-away handle of "
          "a buffer that is then assigned into the variable, so a plain Tensor holds the same refcounted buffer "
          "(TensorFlow's own training_op_helpers.h made the same change)"),
    Patch("allocate-persistent", r"allocate_persistent\(([^;]*?),\s*&unused,\s*&tmp,",
          r"allocate_temp(\1, tmp,",
          "TF 2.8 removed OpKernelContext::allocate_persistent; allocate_temp with the same dtype, shape and "
          "allocator attributes allocates the same buffer, which the caller then assigns into the variable"),
    Patch("include-resource-mgr", r'(#include "tensorflow/core/framework/resource_var.h"\n)',
          r'\1#include "tensorflow/core/framework/resource_mgr.h"\n',
          "newer resource_var.h no longer includes resource_mgr.h, which declares HandleFromInput and "
          "LookupResource (an include only; nothing changes meaning)"),
)

def apply_all(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with every patch applied, and how many times each one matched (only those that did)."""
    applied: dict[str, int] = {}
    for patch in PATCHES:
        text, count = patch.apply(text)
        if count:
            applied[patch.name] = count
    return text, applied
