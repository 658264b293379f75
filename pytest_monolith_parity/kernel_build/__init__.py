"""Monolith's own C++ kernels, built from the checkout without Bazel, cached, and bound to the reference.

* :mod:`.manifest` -- the declared list of kernel libraries (``kernels/monolith.toml``: data, not code);
* :mod:`.patches` -- TensorFlow API compatibility patches, applied to copies in the build directory;
* :mod:`.sources` -- a library's sources and the checkout headers they include, hashed and staged;
* :mod:`.toolchain` -- g++ and TensorFlow's compile and link flags;
* :mod:`.ops` -- op names a source registers, and their Python wrapper names;
* :mod:`.build` -- one library compiled into the cache (file lock, atomic install, nothing rebuilt
  when unchanged; a failed compile is a recorded result, never an exception);
* :mod:`.binding` -- the built libraries loaded (``tf.load_op_library``) and looked up by op;
* :mod:`.cli` -- ``python -m pytest_monolith_parity build-ops``.

Nothing here imports TensorFlow at import time, nor pytest.
"""

from .binding import KernelSet, OpBinding
from .build import BuildReport, LibraryResult, build_libraries, default_cache_root
from .manifest import KernelManifest, Library, ManifestError, load_manifest

__all__ = ["BuildReport", "KernelManifest", "KernelSet", "Library", "LibraryResult", "ManifestError", "OpBinding",
           "build_libraries", "default_cache_root", "load_manifest"]
