//! `migration-doctor cache` end to end: what it writes is read by the other
//! commands, gives the same answers, and is interpreted again for a changed
//! revision file (with every revision after it) or another dialect.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::path::Path;

use common::harness::test;
use common::*;
use serde_json::Value;

fn cache(config: &Path, args: &[&str]) -> Value {
    let out = run(doctor()
        .arg("-c")
        .arg(config)
        .args(["cache", "--json"])
        .args(args));
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn counts(written: &Value, dialect: &str) -> (u64, u64) {
    let entry = written["cache"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["dialect"] == dialect)
        .unwrap_or_else(|| panic!("no {dialect} in {written:#}"));
    (
        entry["interpreted"].as_u64().unwrap(),
        entry["reused"].as_u64().unwrap(),
    )
}

fn schema(config: &Path, extra: &[&str]) -> String {
    let out = run(doctor().arg("-c").arg(config).args(extra).args([
        "schema",
        "--dialect",
        "sqlite",
        "--json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

fn a_cache_is_read_and_rebuilt_where_a_file_changed() {
    let (_dir, project) = copy_tree(&fixture("evidence"));
    let config = project.join("alembic.ini");
    let without = schema(&config, &["--no-cache"]);

    let first = cache(&config, &["--dialect", "sqlite"]);
    assert_eq!(counts(&first, "sqlite"), (6, 0), "{first:#}");
    assert!(
        project
            .join(".migration-doctor-cache/operations-sqlite.bin")
            .is_file()
    );
    assert!(project.join(".migration-doctor-cache/.gitignore").is_file());
    assert!(
        project
            .join(".migration-doctor-cache/revisions.bin")
            .is_file()
    );
    let graph = |extra: &[&str]| {
        let out = run(doctor()
            .arg("-c")
            .arg(&config)
            .args(extra)
            .args(["graph", "--format", "json"]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    assert_eq!(graph(&[]), graph(&["--no-cache"]));
    // Read by every command: the same answer.
    assert_eq!(schema(&config, &[]), without);
    // Written again: everything reused.
    assert_eq!(
        counts(&cache(&config, &["--dialect", "sqlite"]), "sqlite"),
        (0, 6)
    );

    // The fourth revision changes: it and the two after it are interpreted.
    let changed = project.join("migrations/versions/e04_loop.py");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(&changed, format!("{text}\n# reviewed\n")).unwrap();
    assert_eq!(
        counts(&cache(&config, &["--dialect", "sqlite"]), "sqlite"),
        (3, 3)
    );

    // A change the schema shows: the cached run follows it.
    let first_file = project.join("migrations/versions/e01_users.py");
    let text = std::fs::read_to_string(&first_file).unwrap();
    assert!(text.contains("\"users\""), "{text}");
    std::fs::write(&first_file, text.replace("\"users\"", "\"members\"")).unwrap();
    let renamed = schema(&config, &["--no-cache"]);
    assert_ne!(renamed, without);
    assert_eq!(schema(&config, &[]), renamed);
    assert_eq!(graph(&[]), graph(&["--no-cache"]));

    // Another dialect has its own file: nothing of SQLite's is reused.
    let other = cache(&config, &["--dialect", "postgresql"]);
    assert_eq!(counts(&other, "postgresql"), (6, 0), "{other:#}");
}

fn a_cache_folder_that_cannot_be_written_is_named() {
    let (_dir, project) = copy_tree(&fixture("evidence"));
    let config = project.join("alembic.ini");
    // A file where the folder should be.
    let blocked = project.join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let out = run(doctor()
        .arg("-c")
        .arg(&config)
        .arg("--cache-dir")
        .arg(blocked.join("cache"))
        .args(["cache", "--dialect", "sqlite"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot write the operations cache")
            && out.stderr.contains("--cache-dir"),
        "{}",
        out.stderr
    );
    // Reading commands never need it.
    let out = run(doctor()
        .arg("-c")
        .arg(&config)
        .arg("--cache-dir")
        .arg(blocked.join("cache"))
        .args(["schema", "--dialect", "sqlite", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn main() {
    common::harness::main(&[
        test!(a_cache_is_read_and_rebuilt_where_a_file_changed),
        test!(a_cache_folder_that_cannot_be_written_is_named),
    ]);
}
