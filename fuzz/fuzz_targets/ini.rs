//! The ini reader (Python's configparser semantics) on any text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(document) =
        migration_doctor_scripts::IniDocument::parse(&text, &[("here", "/project")])
    {
        let _ = document.get("alembic", "script_location");
    }
});
