//! Replays the fuzz corpus (`fuzz/corpus/<target>/`: the seeds, what the
//! fuzzer kept, and every input that ever failed) through the same calls as
//! the fuzz targets in `fuzz/fuzz_targets/`, on stable Rust: none panics.

use std::path::{Path, PathBuf};

use migration_doctor::infer::run_upgrade;
use migration_doctor::live::DatabaseUrl;
use migration_doctor::schema::{Dialect, Schema};
use migration_doctor::scripts::{IniDocument, NoImports, read_revision_file};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut inputs: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_default();
            (path, bytes)
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no corpus in {}", folder.display());
    inputs
}

fn upgrade_on_every_dialect(source: &str) {
    for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
        let mut schema = Schema::default();
        let _ = run_upgrade(Path::new("versions/x.py"), source, dialect, &mut schema);
    }
}

#[test]
fn revision_file_corpus() {
    for (path, bytes) in corpus("revision_file") {
        let source = String::from_utf8_lossy(&bytes).into_owned();
        let result = std::panic::catch_unwind(|| {
            read_revision_file(Path::new("versions/x.py"), "x.py", source, &NoImports)
        });
        assert!(result.is_ok(), "{}", path.display());
    }
}

#[test]
fn interpreter_corpus() {
    for (path, bytes) in corpus("interpreter") {
        let source = String::from_utf8_lossy(&bytes);
        let result = std::panic::catch_unwind(|| upgrade_on_every_dialect(&source));
        assert!(result.is_ok(), "{}", path.display());
    }
}

#[test]
fn sql_step_corpus() {
    for (path, bytes) in corpus("sql_step") {
        let sql = String::from_utf8_lossy(&bytes);
        let mut literal = String::from("\"");
        for c in sql.chars() {
            match c {
                '\\' => literal.push_str("\\\\"),
                '"' => literal.push_str("\\\""),
                c if (c as u32) < 0x20 || (c as u32) >= 0x7f => {
                    literal.push_str(&format!("\\U{:08x}", c as u32))
                }
                c => literal.push(c),
            }
        }
        literal.push('"');
        let source = format!(
            "from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n    \
             op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(20)))\n    \
             op.execute({literal})\n"
        );
        let result = std::panic::catch_unwind(|| upgrade_on_every_dialect(&source));
        assert!(result.is_ok(), "{}", path.display());
    }
}

#[test]
fn url_corpus() {
    for (path, bytes) in corpus("url") {
        let text = String::from_utf8_lossy(&bytes);
        let result = std::panic::catch_unwind(|| {
            if let Ok(url) = DatabaseUrl::parse(&text) {
                let _ = (url.to_string(), url.redacted());
            }
        });
        assert!(result.is_ok(), "{}", path.display());
    }
}

#[test]
fn ini_corpus() {
    for (path, bytes) in corpus("ini") {
        let text = String::from_utf8_lossy(&bytes);
        let result = std::panic::catch_unwind(|| {
            if let Ok(document) = IniDocument::parse(&text, &[("here", "/project")]) {
                let _ = document.get("alembic", "script_location");
            }
        });
        assert!(result.is_ok(), "{}", path.display());
    }
}
