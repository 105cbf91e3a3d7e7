//! Fingerprints the code that turns revision files into operations (this
//! crate, the schema model it builds, and the locked versions of the
//! parsers), so that a cache of operations written by another build of the
//! tool is never read: see `src/cache.rs`.

include!("../../build/fingerprint.rs");

fn main() {
    emit_fingerprint(
        "MIGRATION_DOCTOR_INTERPRETER_BUILD",
        &["src", "../schema/src"],
    );
}
