//! Fingerprints the code that reads a revision file's variables (this
//! crate and the locked parser version), so that the revision headers kept
//! in the operations cache by another build of the tool are never read:
//! see `src/headers.rs`.

include!("../../build/fingerprint.rs");

fn main() {
    emit_fingerprint("MIGRATION_DOCTOR_SCRIPTS_BUILD", &["src"]);
}
