//! An expand/contract history (`fixtures/branchy`: labels imported from the
//! project's own module, `depends_on` across the branches, revisions that
//! do nothing, a column widened on one branch, a foreign key recreated with
//! `ON DELETE CASCADE` on the other), run by the real alembic revision by
//! revision on each database. For every state, with the version table kept
//! and dropped: the answer is the same every time, nothing is proven at a
//! state whose schema differs from the real one, and the real state is
//! always among the candidates.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::harness::test;
use common::*;
use serde_json::Value;

const CONFIG: &str = "branchy/alembic.ini";

/// Revisions whose `upgrade()` does nothing: a state may stand for another
/// across them.
const NO_OPS: [&str; 3] = ["e4e4e4e4e4e4", "c2c2c2c2c2c2", "c4c4c4c4c4c4"];

/// How often each diagnosis is repeated to show it is one answer.
const RUNS: usize = 20;

/// Each revision's parents and dependencies, from `graph --format json`.
fn predecessors() -> BTreeMap<String, Vec<String>> {
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["graph", "--format", "json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let graph: Value = serde_json::from_str(&out.stdout).expect("JSON");
    graph["revisions"]
        .as_array()
        .expect("revisions")
        .iter()
        .map(|revision| {
            let mut before = ids(&revision["down_revisions"]);
            before.extend(ids(&revision["depends_on"]));
            (
                revision["revision"].as_str().unwrap_or_default().to_owned(),
                before,
            )
        })
        .collect()
}

/// Every revision a state of these heads applies.
fn applied(graph: &BTreeMap<String, Vec<String>>, heads: &[String]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = heads.to_vec();
    while let Some(id) = stack.pop() {
        if seen.insert(id.clone()) {
            stack.extend(graph.get(&id).cloned().unwrap_or_default());
        }
    }
    seen
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str().map(str::to_owned))
        .collect()
}

/// The diagnosis, `RUNS` times: one answer, byte for byte.
fn diagnose_repeatedly(database: &TestDatabase, runs: usize) -> Value {
    let mut answers: BTreeSet<String> = BTreeSet::new();
    for _ in 0..runs {
        let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
            "diagnose",
            "--json",
            "--database-url",
            &database.url,
        ]));
        answers.insert(out.stdout);
    }
    assert_eq!(
        answers.len(),
        1,
        "{} different answers: {answers:#?}",
        answers.len()
    );
    let answer = answers.into_iter().next().unwrap_or_default();
    serde_json::from_str(&answer).expect("JSON")
}

fn every_state(dialect: &'static str) {
    let python = reference_python();
    let graph = predecessors();
    let listed = run(std::process::Command::new(&python)
        .arg(live_db_script())
        .args(["revisions"])
        .arg(fixture(CONFIG)));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    // Each revision alone, then states of both branches side by side that
    // alembic leaves when the branches are upgraded one after the other.
    let mut targets: Vec<Vec<String>> = listed
        .stdout
        .lines()
        .map(|id| vec![id.to_owned()])
        .collect();
    targets.push(vec!["e2e2e2e2e2e2".to_owned(), "c2c2c2c2c2c2".to_owned()]);
    targets.push(vec!["e3e3e3e3e3e3".to_owned(), "c3c3c3c3c3c3".to_owned()]);
    let runs = if dialect == "sqlite" { RUNS } else { 5 };
    for target in targets {
        let database = TestDatabase::create(&python, dialect);
        for revision in &target {
            let out = database.alembic(&fixture(CONFIG), &["upgrade", revision]);
            assert_eq!(
                out.code, 0,
                "alembic upgrade {revision} on {dialect}: {}",
                out.stderr
            );
        }
        let mut rows: Vec<String> = database
            .query("SELECT version_num FROM alembic_version")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|row| row[0].as_str().map(str::to_owned))
            .collect();
        rows.sort();
        let real = applied(&graph, &rows);
        let at = format!("{target:?} (rows {rows:?}) on {dialect}");

        // Kept: the rows are right, and the schema agrees with them.
        let kept = diagnose_repeatedly(&database, runs);
        assert!(
            matches!(kept["state"].as_str(), Some("healthy" | "behind")),
            "{at}, version table kept: {kept:#}"
        );
        let mut matched = ids(&kept["matched_revisions"]);
        matched.sort();
        assert_eq!(matched, rows, "{at}: {kept:#}");

        // Dropped: proven only where the schema is the real state's.
        database.sql(&["DROP TABLE alembic_version"]);
        let dropped = diagnose_repeatedly(&database, runs);
        let matched = ids(&dropped["matched_revisions"]);
        let candidates: Vec<BTreeSet<String>> = ids(&dropped["candidate_revisions"])
            .iter()
            .map(|candidate| {
                applied(
                    &graph,
                    &candidate.split('+').map(str::to_owned).collect::<Vec<_>>(),
                )
            })
            .collect();
        match dropped["evidence"].as_str() {
            Some("proven") => {
                let proven = applied(&graph, &matched);
                let apart: Vec<&String> = proven.symmetric_difference(&real).collect();
                assert!(
                    apart.iter().all(|id| NO_OPS.contains(&id.as_str())),
                    "{at}: proven at {matched:?}, apart from the real state by {apart:?}: {dropped:#}"
                );
            }
            Some("needs_confirmation") => assert!(
                candidates.contains(&real),
                "{at}: the real state is not among the candidates: {dropped:#}"
            ),
            other => panic!("{at}: evidence {other:?}: {dropped:#}"),
        }
    }
}

fn sqlite_every_state() {
    every_state("sqlite");
}

fn postgresql_every_state() {
    every_state("postgresql");
}

fn mariadb_every_state() {
    every_state("mysql");
}

/// A DBA's index and a hand-added column on tables the migrations manage:
/// warnings that name them, never a block; `--ignore` silences them.
fn objects_no_revision_makes(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let out = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    database.sql(&[
        "CREATE INDEX ix_dba_accounts_name ON accounts (name)",
        "ALTER TABLE users ADD COLUMN dba_note VARCHAR(10)",
    ]);
    let diagnose = |extra: &[&str]| diagnose_fixture(CONFIG, &database, extra);
    let (code, warned) = diagnose(&[]);
    assert_eq!(
        (
            code,
            &warned["state"],
            &warned["evidence"],
            &warned["sound"]
        ),
        (
            0,
            &serde_json::json!("healthy"),
            &serde_json::json!("proven"),
            &serde_json::json!(true)
        ),
        "{warned:#}"
    );
    let findings = warned["findings"].to_string();
    assert!(
        findings.contains("unmanaged_objects")
            && findings.contains("accounts.ix_dba_accounts_name")
            && findings.contains("users.dba_note")
            && findings.contains("--ignore"),
        "{warned:#}"
    );
    let (code, silent) = diagnose(&["--ignore", "accounts.ix_dba_*,users.dba_note"]);
    assert_eq!(code, 0, "{silent:#}");
    assert!(
        !silent["findings"].to_string().contains("unmanaged_objects"),
        "{silent:#}"
    );
}

fn sqlite_objects_no_revision_makes() {
    objects_no_revision_makes("sqlite");
}

fn postgresql_objects_no_revision_makes() {
    objects_no_revision_makes("postgresql");
}

fn mariadb_objects_no_revision_makes() {
    objects_no_revision_makes("mysql");
}

/// `schema --revision a+b`: a state of several heads can be inspected.
fn a_state_of_several_heads_has_a_schema() {
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "schema",
        "--dialect",
        "sqlite",
        "--format",
        "json",
        "--revision",
        "e2e2e2e2e2e2+c2c2c2c2c2c2",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let schema: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let mut heads = ids(&schema["revision"]);
    heads.sort();
    assert_eq!(heads, ["c2c2c2c2c2c2", "e2e2e2e2e2e2"], "{schema:#}");
    let users: Vec<String> = schema["tables"]["users"]["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|column| column["name"].as_str().map(str::to_owned))
        .collect();
    assert!(users.contains(&"nickname".to_owned()), "{schema:#}");
    assert!(!users.contains(&"legacy_code".to_owned()), "{schema:#}");
    assert!(schema["tables"]["orders"].is_object(), "{schema:#}");
}

fn main() {
    common::harness::main(&[
        test!(sqlite_every_state, Alembic),
        test!(postgresql_every_state, Alembic, Postgresql),
        test!(mariadb_every_state, Alembic, Mysql),
        test!(a_state_of_several_heads_has_a_schema),
        test!(sqlite_objects_no_revision_makes, Alembic),
        test!(postgresql_objects_no_revision_makes, Alembic, Postgresql),
        test!(mariadb_objects_no_revision_makes, Alembic, Mysql),
    ]);
}
