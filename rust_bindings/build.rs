//! Decide the API facts of the checkout this build is for (docs/rust-bindings.md, "Bindings over
//! two revisions"): every `#[cfg(api_has = "...")]` / `#[cfg(api_sig = "...")]` written in `src/`
//! is looked up in the checkout's crates, listed by the harness in `$MONOLITH_PARITY_API_CRATES`
//! (each with the features cargo enables on it).  Nothing in this file names a revision.

use std::path::{Path, PathBuf};

fn main() {
    // The overlay points `build` at this file by absolute path; a plain checkout of this directory
    // has it next to `src/`.
    let here = Path::new(file!());
    let dir = match here.parent() {
        Some(parent) if here.is_absolute() => parent.to_path_buf(),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    };
    if std::env::var_os(parity_api_scan::CRATES_ENV).is_none() {
        eprintln!("{} is not set: build the bindings through `python -m pytest_monolith_parity build-rust \
                   --monolith-root <checkout>`, which lists the checkout's crates for the API facts",
                  parity_api_scan::CRATES_ENV);
        std::process::exit(1);
    }
    match parity_api_scan::Scan::new(dir.join("src")).with_crates_from_env() {
        Ok(scan) => scan.run(),
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(1);
        }
    }
}
