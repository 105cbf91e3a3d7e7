//! The database URL parser on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(url) = migration_doctor_live::DatabaseUrl::parse(&text) {
        let _ = (url.to_string(), url.redacted());
    }
});
