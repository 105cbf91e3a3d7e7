// Shared by the build scripts of the crates whose output the operations
// cache keeps (`include!`d, so that each build script stays one file): a
// fingerprint of the code that produced a cached value, so that a cache
// written by another build of the tool is never read (docs/contract.md,
// "The operations cache").

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn rust_files(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// Sets the compile-time variable `name` to a fingerprint of the crate's
/// version, the `.rs` files under `folders` (relative to the crate) and the
/// workspace's `Cargo.lock` (the versions of the parsers), and reruns the
/// build script when one of them changes.
fn emit_fingerprint(name: &str, folders: &[&str]) {
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let lock = here.join("../../Cargo.lock");
    let mut sources = Vec::new();
    for folder in folders {
        rust_files(&here.join(folder), &mut sources);
        println!("cargo:rerun-if-changed={folder}");
    }
    sources.sort();
    sources.push(lock.clone());
    println!("cargo:rerun-if-changed={}", lock.display());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::env::var("CARGO_PKG_VERSION")
        .unwrap_or_default()
        .hash(&mut hasher);
    for path in &sources {
        if let Ok(bytes) = std::fs::read(path) {
            path.strip_prefix(&here).unwrap_or(path).hash(&mut hasher);
            bytes.hash(&mut hasher);
        }
    }
    println!("cargo:rustc-env={name}={:016x}", hasher.finish());
}
