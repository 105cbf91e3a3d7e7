//! Hostile names and version rows on the three databases: version rows
//! holding SQL text, a version table with extra columns, reserved-word,
//! unicode and quoted identifiers. Nothing is executed that a row or a name
//! smuggles in, and after recovery the real alembic agrees.

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

const CONFIG: &str = "infer/constructs/alembic.ini";
const HEAD: &str = "r08r08r08r08";

fn doctor_json(database: &TestDatabase, args: &[&str]) -> (i32, Value, String) {
    doctor_json_on(CONFIG, database, args)
}

fn alembic_current(database: &TestDatabase) -> String {
    alembic_current_on(CONFIG, database)
}

fn version_rows_holding_sql(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", HEAD]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["INSERT INTO users (id, email, login, karma) VALUES (1, 'a@b.c', 'ada', 3)"]);
    // A version table with an extra column (with a default) and rows that
    // are SQL text, quotes and a comment.
    database.sql(&[
        "DROP TABLE alembic_version",
        "CREATE TABLE alembic_version (version_num VARCHAR(200) NOT NULL, note VARCHAR(20) DEFAULT 'x')",
        "INSERT INTO alembic_version (version_num) VALUES ('x''); DROP TABLE users; --')",
        "INSERT INTO alembic_version (version_num) VALUES ('\"users\"; /* */')",
    ]);
    let (code, diagnosis, stderr) = doctor_json(&database, &["diagnose"]);
    assert_eq!(code, 1, "{stderr}\n{diagnosis:#}");
    assert_eq!(
        diagnosis["state"],
        json!("corrupted_version_table"),
        "{diagnosis:#}"
    );
    // Unknown ids are never rewritten without a person naming the state.
    assert_eq!(
        diagnosis["evidence"],
        json!("needs_confirmation"),
        "{diagnosis:#}"
    );
    let (code, refused, _) = doctor_json(&database, &["recover", "--yes"]);
    assert_eq!(
        (code, &refused["applied"]),
        (1, &json!(false)),
        "{refused:#}"
    );
    let rows = database.query("SELECT version_num FROM alembic_version ORDER BY version_num");
    assert_eq!(
        rows,
        json!([["\"users\"; /* */"], ["x'); DROP TABLE users; --"]]),
        "untouched"
    );

    let (code, recovered, stderr) =
        doctor_json(&database, &["recover", "--yes", "--to-revision", HEAD]);
    assert_eq!(code, 0, "{stderr}\n{recovered:#}");
    assert_eq!(recovered["after"], json!([HEAD]), "{recovered:#}");
    assert!(alembic_current(&database).contains(HEAD));
    let users = database.query("SELECT count(*) AS n FROM users");
    assert_eq!(
        users,
        json!([["1"]]),
        "the users table and its row are intact"
    );
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
}

fn postgresql_version_rows_holding_sql() {
    version_rows_holding_sql("postgresql");
}

fn mariadb_version_rows_holding_sql() {
    version_rows_holding_sql("mysql");
}

fn sqlite_version_rows_holding_sql() {
    version_rows_holding_sql("sqlite");
}

/// The password of the database URL appears in no output: text and JSON
/// reports, errors, `-vv` logs, the audit log (PostgreSQL's trust
/// authentication here accepts any password, so the runs reach the server).
fn the_password_appears_nowhere() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let password = "S3cr3t-p%40ss";
    let Some(url) = database
        .url
        .split_once("://")
        .and_then(|(scheme, rest)| {
            rest.split_once('@')
                .map(|(user, host)| (scheme, user, host))
        })
        .map(|(scheme, user, host)| format!("{scheme}://{user}:{password}@{host}"))
    else {
        panic!("unexpected test URL {}", database.url);
    };
    let decoded = "S3cr3t-p@ss";
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "r07r07r07r07"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["DROP TABLE alembic_version"]);
    let scratch = tempfile::tempdir().expect("tempdir");
    let audit = scratch.path().join("audit.log");
    let audit_arg = audit.to_string_lossy().into_owned();
    let runs: Vec<Vec<&str>> = vec![
        vec!["diagnose"],
        vec!["diagnose", "--json", "--detailed"],
        vec!["status", "-vv"],
        vec!["status", "--json"],
        vec!["schema", "--live", "--json"],
        vec!["recover", "--dry-run", "-vv"],
        vec!["recover", "--yes", "--audit-log", &audit_arg, "-vv"],
        vec!["ensure", "--json", "--audit-log", &audit_arg],
        vec!["recover", "--yes", "--to-revision", "nope", "--json"],
        vec!["diagnose", "--schema", "no_such_schema", "--json"],
    ];
    for args in &runs {
        let out = run(doctor()
            .arg("-c")
            .arg(fixture(CONFIG))
            .args(["--database-url", &url])
            .args(args));
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains(password) && !text.contains(decoded),
                "{args:?} leaked the password on {stream}:\n{text}"
            );
        }
    }
    // The same through DATABASE_URL, on a server that refuses the database.
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .env(
            "DATABASE_URL",
            url.replace("5432/", "5432/no_such_database_"),
        )
        .args(["diagnose", "-vv"]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        !out.stderr.contains(decoded) && !out.stderr.contains(password),
        "{}",
        out.stderr
    );
    let record = std::fs::read_to_string(&audit).expect("audit log written");
    assert!(record.contains("r07r07r07r07"), "{record}");
    assert!(
        !record.contains(password) && !record.contains(decoded),
        "audit log leaked the password:\n{record}"
    );
}

fn main() {
    common::harness::main(&[
        test!(postgresql_version_rows_holding_sql, Alembic, Postgresql),
        test!(mariadb_version_rows_holding_sql, Alembic, Mysql),
        test!(sqlite_version_rows_holding_sql, Alembic),
        test!(the_password_appears_nowhere, Alembic, Postgresql),
    ]);
}
