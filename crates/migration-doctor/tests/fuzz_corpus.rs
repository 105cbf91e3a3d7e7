//! Replays the fuzz corpus (`fuzz/corpus/<target>/`: the seeds, what the
//! fuzzer kept, and every input that ever failed) through the same calls as
//! the fuzz targets in `fuzz/fuzz_targets/`, on stable Rust: none panics.
//! Then a short mutation run per target (a few hundred inputs derived from
//! the corpus with a random seed, printed on failure and taken from
//! `MIGRATION_DOCTOR_FUZZ_SEED` when set), so that every test run fuzzes a
//! little; the long runs are cargo-fuzz's (`fuzz/`, RELIABILITY.md).

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use std::path::{Path, PathBuf};

use migration_doctor::infer::run_upgrade;
use migration_doctor::live::DatabaseUrl;
use migration_doctor::schema::{Dialect, Schema};
use migration_doctor::scripts::{IniDocument, NoImports, read_revision_file};

/// Mutants per target and run: enough to reach new paths now and then,
/// few enough for a debug build to take seconds.
const MUTANTS: usize = 400;
/// Inputs larger than this are replayed but not mutated (time).
const MUTATE_AT_MOST: usize = 16 * 1024;
/// Fragments of the formats (Python, SQL, URLs, ini) that random bytes
/// rarely make on their own.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "\"\"\"",
    ":",
    "\n",
    "\n    ",
    "=",
    ",",
    "*",
    "**",
    "%",
    "\\",
    "def upgrade():\n    ",
    "op.",
    "sa.",
    "for i in range(9):\n        ",
    "while True:\n        ",
    "if ",
    "else:",
    "lambda x: ",
    "import ",
    "from ",
    "op.create_table(",
    "op.add_column(",
    "sa.Column(",
    "op.execute(",
    "CREATE TABLE ",
    "ALTER TABLE ",
    "DROP ",
    ";",
    "--",
    "/*",
    "://",
    "@",
    "?",
    "&",
    "#",
    "[alembic]\n",
    "%(here)s",
    "${",
    "0",
    "-1",
    "1e308",
    "\u{0}",
    "é",
    "\u{10ffff}",
];

fn mutate(rng: &mut fastrand::Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..rng.usize(1..=4) {
        let at = rng.usize(0..=bytes.len());
        match rng.u8(0..6) {
            0 if !bytes.is_empty() => {
                let index = at.min(bytes.len() - 1);
                bytes[index] ^= 1 << rng.u8(0..8);
            }
            1 | 2 => {
                let token = TOKENS[rng.usize(0..TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            3 => {
                let end = (at + rng.usize(0..64)).min(bytes.len());
                bytes.drain(at..end);
            }
            4 => {
                let end = (at + rng.usize(0..128)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ if !other.is_empty() => {
                let from = rng.usize(0..other.len());
                let end = (from + rng.usize(0..256)).min(other.len());
                bytes.splice(at..at, other[from..end].iter().copied());
            }
            _ => bytes.push(rng.u8(..)),
        }
    }
    bytes
}

/// Replays the corpus of `target`, then runs mutants of it, through `exercise`.
fn fuzz(target: &str, exercise: fn(&[u8])) {
    let inputs = corpus(target);
    for (path, bytes) in &inputs {
        let result = std::panic::catch_unwind(|| exercise(bytes));
        assert!(result.is_ok(), "{}", path.display());
    }
    let seed = std::env::var("MIGRATION_DOCTOR_FUZZ_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    let mut rng = fastrand::Rng::with_seed(seed);
    let small: Vec<&[u8]> = inputs
        .iter()
        .map(|(_, bytes)| bytes.as_slice())
        .filter(|bytes| bytes.len() <= MUTATE_AT_MOST)
        .collect();
    assert!(!small.is_empty(), "no small input in the {target} corpus");
    for _ in 0..MUTANTS {
        let input = small[rng.usize(0..small.len())];
        let other = small[rng.usize(0..small.len())];
        let mutant = mutate(&mut rng, input, other);
        if std::panic::catch_unwind(|| exercise(&mutant)).is_err() {
            let saved =
                Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{target}-{seed}"));
            let _ = std::fs::write(&saved, &mutant);
            panic!(
                "a mutant of the {target} corpus panics (seed {seed}; MIGRATION_DOCTOR_FUZZ_SEED={seed} repeats the run); \
                 the input is in {}: add it to fuzz/corpus/{target}/",
                saved.display()
            );
        }
    }
}

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

fn exercise_revision_file(bytes: &[u8]) {
    let source = String::from_utf8_lossy(bytes).into_owned();
    let _ = read_revision_file(Path::new("versions/x.py"), "x.py", source, &NoImports);
}

fn exercise_interpreter(bytes: &[u8]) {
    upgrade_on_every_dialect(&String::from_utf8_lossy(bytes));
}

/// The SQL of one `op.execute` after a table is created.
fn exercise_sql_step(bytes: &[u8]) {
    let sql = String::from_utf8_lossy(bytes);
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
    upgrade_on_every_dialect(&source);
}

fn exercise_url(bytes: &[u8]) {
    if let Ok(url) = DatabaseUrl::parse(&String::from_utf8_lossy(bytes)) {
        let _ = (url.to_string(), url.redacted());
    }
}

fn exercise_ini(bytes: &[u8]) {
    if let Ok(document) =
        IniDocument::parse(&String::from_utf8_lossy(bytes), &[("here", "/project")])
    {
        let _ = document.get("alembic", "script_location");
    }
}

#[test]
fn revision_file() {
    fuzz("revision_file", exercise_revision_file);
}

#[test]
fn interpreter() {
    fuzz("interpreter", exercise_interpreter);
}

#[test]
fn sql_step() {
    fuzz("sql_step", exercise_sql_step);
}

#[test]
fn url() {
    fuzz("url", exercise_url);
}

#[test]
fn ini() {
    fuzz("ini", exercise_ini);
}
