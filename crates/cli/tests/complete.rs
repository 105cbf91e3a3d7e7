//! `recover --complete` on PostgreSQL, MariaDB and SQLite: the real alembic
//! fails in the middle of a revision (its unique index meets duplicate
//! emails; on PostgreSQL the migrations run without a transaction, as they
//! do on MySQL), and the tool finishes it. Afterwards `alembic current`
//! agrees, `alembic upgrade heads` succeeds, and the schema equals that of
//! a clean upgrade (names, types, nullability, server defaults, indexes,
//! keys, foreign-key actions). The process killed after each statement of
//! the completion: the next run finishes it, with the same result.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;
use serde_json::{Value, json};

const CONFIG: &str = "partial/alembic.ini";
const BEFORE: &str = "p1a2b3c4d5e6";
const HALF: &str = "p2b3c4d5e6f7";

/// A database where `HALF` stopped at its unique index: the column before
/// it is there, the tables after it are not.
fn half_applied(dialect: &'static str) -> TestDatabase {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["-x", "autocommit=1", "upgrade", BEFORE]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&[
        "INSERT INTO users (id, email) VALUES (1, 'ann@example.com')",
        "INSERT INTO users (id, email) VALUES (2, 'ann@example.com')",
    ]);
    let failed = database.alembic(
        &fixture(CONFIG),
        &["-x", "autocommit=1", "upgrade", "heads"],
    );
    assert_ne!(
        failed.code, 0,
        "the unique index must fail: {}",
        failed.stdout
    );
    assert!(
        alembic_current_on(CONFIG, &database).contains(BEFORE),
        "alembic keeps the rows at the revision before"
    );
    database
}

/// The schema of a clean `alembic upgrade heads` on `dialect`.
fn clean_schema(dialect: &'static str) -> Value {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.inspect_details()
}

fn doctor_json(database: &TestDatabase, args: &[&str]) -> (i32, Value, String) {
    doctor_json_on(CONFIG, database, args)
}

fn version_rows(database: &TestDatabase) -> Value {
    database.query("SELECT version_num FROM alembic_version")
}

/// After the completion: alembic agrees, upgrades to the head, and the
/// schema is a clean upgrade's.
fn assert_finished(database: &TestDatabase, clean: &Value, context: &str) {
    assert!(
        alembic_current_on(CONFIG, database).contains(HALF),
        "{context}: alembic current"
    );
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(upgraded.code, 0, "{context}: {}", upgraded.stderr);
    assert_eq!(&database.inspect_details(), clean, "{context}: schema");
    assert_eq!(
        database.query("SELECT count(*) FROM users"),
        json!([["2"]]),
        "{context}: no user row lost"
    );
}

fn completes(dialect: &'static str) {
    let clean = clean_schema(dialect);
    let database = half_applied(dialect);

    // The duplicates block it, named, and nothing is written.
    let (code, report, stderr) = doctor_json(&database, &["diagnose"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report["state"], "partial_migration", "{report:#}");
    assert_eq!(report["evidence"], "refused", "{report:#}");
    let blockers = report["completion"]["blockers"].to_string();
    assert!(blockers.contains("same email"), "{report:#}");
    let (code, _, _) = doctor_json(&database, &["recover", "--complete", "--yes"]);
    assert_eq!(code, 1);
    assert_eq!(version_rows(&database), json!([[BEFORE]]));

    // Once the cause is fixed: proven, and only finished when asked.
    database.sql(&["UPDATE users SET email = 'bob@example.com' WHERE id = 2"]);
    let (code, report, stderr) = doctor_json(&database, &["diagnose"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        (&report["strategy"], &report["evidence"]),
        (&json!("complete_partial_migration"), &json!("proven")),
        "{report:#}"
    );
    let partial = &report["partial"][0];
    assert_eq!(
        partial["present"],
        json!(["add column users.nickname"]),
        "{report:#}"
    );
    let statements = report["completion"]["statements"]
        .as_array()
        .expect("statements")
        .clone();
    assert_eq!(statements.len(), 5, "{report:#}");
    assert_eq!(report["matched_revisions"], json!([HALF]));
    for plain in [&["recover", "--yes"][..], &["ensure"][..]] {
        let (code, refused, _) = doctor_json(&database, plain);
        assert_eq!(code, 1, "{plain:?}: {refused:#}");
        assert_eq!(version_rows(&database), json!([[BEFORE]]), "{plain:?}");
    }

    // The dry run shows the DDL and the stamp, and writes nothing.
    let before = database.inspect_details();
    let (code, dry, _) = doctor_json(&database, &["recover", "--complete", "--dry-run"]);
    assert_eq!(code, 0, "{dry:#}");
    let planned = dry["plan"].as_array().expect("plan").clone();
    assert_eq!(planned.len(), 7, "{dry:#}");
    assert!(
        planned[0]
            .as_str()
            .is_some_and(|sql| sql.contains("ix_users_email"))
    );
    assert_eq!(
        database.inspect_details(),
        before,
        "the dry run wrote nothing"
    );

    let audit = tempfile::NamedTempFile::new().expect("tempfile");
    let audit_path = audit.path().display().to_string();
    let (code, done, stderr) = doctor_json(
        &database,
        &["recover", "--complete", "--yes", "--audit-log", &audit_path],
    );
    assert_eq!(code, 0, "{stderr}\n{done:#}");
    assert_eq!(done["applied"], true, "{done:#}");
    assert_eq!(done["plan"], json!(planned), "the dry run showed what ran");
    // The record written before the write holds the statements and their
    // undo already; the one after says what was done.
    let text = std::fs::read_to_string(audit.path()).expect("audit log");
    let records: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(records.len(), 2, "intent and outcome: {text}");
    assert_eq!(records[1]["applied"], true, "{text}");
    let record = &records[0];
    assert_eq!(record["phase"], "intent", "{text}");
    for statement in &statements {
        for (key, list) in [("sql", "statements"), ("undo", "undo")] {
            let text = &statement[key];
            assert!(
                record[list]
                    .as_array()
                    .is_some_and(|all| all.contains(text)),
                "the audit record's {list} lack {text}: {record:#}"
            );
        }
    }
    assert_finished(&database, &clean, dialect);
}

fn ensure_completes_only_when_told(dialect: &'static str) {
    let clean = clean_schema(dialect);
    let database = half_applied(dialect);
    database.sql(&["UPDATE users SET email = 'bob@example.com' WHERE id = 2"]);
    let (code, _, stderr) = doctor_json(&database, &["ensure", "--then", "true"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(version_rows(&database), json!([[BEFORE]]));
    let (code, done, stderr) = doctor_json(&database, &["ensure", "--complete-partial"]);
    assert_eq!(code, 0, "{stderr}\n{done:#}");
    assert_finished(&database, &clean, dialect);
}

/// The recovering process killed after each statement of the completion in
/// turn: the next run finishes it (on MySQL the DDL before the kill stays,
/// and the next run creates only the rest).
fn killed_at_every_step(dialect: &'static str) {
    let clean = clean_schema(dialect);
    for step in 0..7 {
        let database = half_applied(dialect);
        database.sql(&["UPDATE users SET email = 'bob@example.com' WHERE id = 2"]);
        let killed = run(doctor()
            .arg("-c")
            .arg(fixture(CONFIG))
            .args([
                "recover",
                "--complete",
                "--yes",
                "--database-url",
                &database.url,
            ])
            .env("MIGRATION_DOCTOR_CRASH_AFTER_STATEMENT", step.to_string()));
        assert_ne!(killed.code, 0, "step {step}: the process should have died");
        let (code, done, stderr) = doctor_json(&database, &["recover", "--complete", "--yes"]);
        assert_eq!(code, 0, "step {step}: {stderr}\n{done:#}");
        assert_finished(
            &database,
            &clean,
            &format!("{dialect}, killed after statement {step}"),
        );
    }
}

fn sqlite_completes() {
    completes("sqlite");
}

fn postgresql_completes() {
    completes("postgresql");
}

fn mariadb_completes() {
    completes("mysql");
}

fn sqlite_ensure_completes_only_when_told() {
    ensure_completes_only_when_told("sqlite");
}

fn mariadb_ensure_completes_only_when_told() {
    ensure_completes_only_when_told("mysql");
}

fn sqlite_killed_at_every_step() {
    killed_at_every_step("sqlite");
}

fn postgresql_killed_at_every_step() {
    killed_at_every_step("postgresql");
}

fn mariadb_killed_at_every_step() {
    killed_at_every_step("mysql");
}

fn main() {
    common::harness::main(&[
        test!(sqlite_completes, Alembic),
        test!(postgresql_completes, Alembic, Postgresql),
        test!(mariadb_completes, Alembic, Mysql),
        test!(sqlite_ensure_completes_only_when_told, Alembic),
        test!(mariadb_ensure_completes_only_when_told, Alembic, Mysql),
        test!(sqlite_killed_at_every_step, Alembic, FaultInjection),
        test!(
            postgresql_killed_at_every_step,
            Alembic,
            Postgresql,
            FaultInjection
        ),
        test!(mariadb_killed_at_every_step, Alembic, Mysql, FaultInjection),
    ]);
}
