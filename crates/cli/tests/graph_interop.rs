//! `graph --format json` equals what the real alembic's ScriptDirectory
//! reports, for every script directory under fixtures/scripts.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;

fn our_graph(config: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let out = run(doctor()
        .arg("-c")
        .arg(config)
        .args(extra)
        .args(["graph", "--format", "json"]));
    assert_eq!(out.code, 0, "{}: {}", config.display(), out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn config_of(dir: &std::path::Path) -> std::path::PathBuf {
    let ini = dir.join("alembic.ini");
    if ini.exists() {
        ini
    } else {
        dir.join("pyproject.toml")
    }
}

fn every_fixture_matches_alembic() {
    let python = reference_python();
    let mut dirs: Vec<_> = std::fs::read_dir(fixture("scripts"))
        .expect("fixtures")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 10,
        "expected the fixture set, found {}",
        dirs.len()
    );
    for dir in dirs {
        let config = config_of(&dir);
        let ours = our_graph(&config, &[]);
        let theirs = alembic_graph(&python, &config, &[]);
        assert_eq!(
            ours,
            theirs,
            "graph of {} differs from alembic's",
            dir.display()
        );
        assert!(
            !ours["revisions"].as_array().expect("list").is_empty(),
            "{}",
            dir.display()
        );
    }
}

fn example_project_matches_alembic() {
    let python = reference_python();
    let config = workspace_root().join("example/alembic.ini");
    let ours = our_graph(&config, &[]);
    assert_eq!(ours["heads"], serde_json::json!(["e2f3a4b5c6d7"]));
    assert_eq!(ours, alembic_graph(&python, &config, &[]));
}

fn named_section_matches_alembic() {
    let python = reference_python();
    let config = fixture("scripts/legacy_split/alembic.ini");
    let ours = our_graph(&config, &["--name", "tenant"]);
    assert_eq!(ours["revisions"].as_array().map(Vec::len), Some(2));
    assert_eq!(ours, alembic_graph(&python, &config, &["tenant"]));
}

fn main() {
    common::harness::main(&[
        test!(every_fixture_matches_alembic, Alembic),
        test!(example_project_matches_alembic, Alembic),
        test!(named_section_matches_alembic, Alembic),
    ]);
}
