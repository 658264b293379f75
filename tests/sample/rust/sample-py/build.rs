//! The API facts of the sample bindings, decided like the real bindings' (rust_bindings/build.rs):
//! sample-core's sources are read for the features this build enables on it.  sample-core is
//! built with `pr` exactly when this crate is (its `pr` feature forwards `sample-core/pr`, and
//! nothing else in this build enables it), so its feature set is this crate's.

use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut features = Vec::new();
    if std::env::var_os("CARGO_FEATURE_PR").is_some() {
        features.push("pr".to_string());
    }
    parity_api_scan::Scan::new(dir.join("src"))
        .with_crate("sample_core", dir.join("../sample-core"), features)
        .run();
}
