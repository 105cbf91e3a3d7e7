//! The interpreter of `upgrade()` on any file, on the three dialects.
#![no_main]
use libfuzzer_sys::fuzz_target;
use migration_doctor_schema::{Dialect, Schema};

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
        let mut schema = Schema::default();
        let _ = migration_doctor_infer::run_upgrade(
            std::path::Path::new("versions/x.py"),
            &source,
            dialect,
            &mut schema,
        );
    }
});
