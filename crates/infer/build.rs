//! Fingerprints the code that turns revision files into operations (this
//! crate, the schema model it builds, and the locked versions of the
//! parsers), so that a cache of operations written by another build of the
//! tool is never read: see `src/cache.rs`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let schema = here.join("../schema/src");
    let lock = here.join("../../Cargo.lock");
    let mut sources = Vec::new();
    files(&here.join("src"), &mut sources);
    files(&schema, &mut sources);
    sources.sort();
    sources.push(lock.clone());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    for path in &sources {
        if let Ok(bytes) = std::fs::read(path) {
            path.strip_prefix(&here).unwrap_or(path).hash(&mut hasher);
            bytes.hash(&mut hasher);
        }
    }
    println!(
        "cargo:rustc-env=MIGRATION_DOCTOR_INTERPRETER_BUILD={:016x}",
        hasher.finish()
    );
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed={}", schema.display());
    println!("cargo:rerun-if-changed={}", lock.display());
}
