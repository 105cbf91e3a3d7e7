//! The revision-file reader on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data).into_owned();
    let _ = migration_doctor_scripts::read_revision_file(
        std::path::Path::new("versions/x.py"),
        "x.py",
        source,
        &migration_doctor_scripts::NoImports,
    );
});
