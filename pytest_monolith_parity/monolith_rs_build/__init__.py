"""Build a real checkout's Rust side: our PyO3 bindings and monolith-rs's CLI.

The bindings crate (``rust_bindings/``) is committed without any path into
a checkout; :mod:`.overlay` writes a Cargo workspace for one checkout into
the build cache, :mod:`.pipeline` builds it once per change of its sources
and returns where the artifacts are.  docs/rust-bindings.md explains the
layout and the commands.

    artifacts = monolith_rs_build.ensure("/path/to/checkout", what=["bindings", "cli"])
    monolith_rs_build.activate(artifacts)          # `import monolith_parity_rs` now loads it
    monolith_rs_build.verify_import(artifacts, "monolith_parity_rs")   # and refuses a copy from elsewhere
    artifacts.cli                           # .../bin/monolith

Pytest-free.
"""

from .pipeline import (ARTIFACTS, MODES, RustArtifacts, activate, bindings_features, build_key, cache_root, ensure,
                       feature_key, prepare, verify_import)
from .workspace import RustSetupError

__all__ = ["ARTIFACTS", "MODES", "RustArtifacts", "RustSetupError", "activate", "bindings_features", "build_key",
           "cache_root", "ensure", "feature_key", "prepare", "verify_import"]
