//! The version table is read defensively: odd shapes and odd rows are
//! reported as data, never a failure; custom names and schemas are honoured.

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

fn live_json(url: &str, extra: &[&str]) -> Value {
    let out = run(doctor()
        .args(["schema", "--live", "--json", "--database-url", url])
        .args(extra));
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn odd_rows(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    if dialect == "sqlite" {
        database.sql(&["CREATE TABLE keep (id INTEGER PRIMARY KEY)"]);
    }
    let long = "x".repeat(40);
    database.sql(&[
        "CREATE TABLE alembic_version (version_num VARCHAR(64))",
        "INSERT INTO alembic_version VALUES ('abc')",
        "INSERT INTO alembic_version VALUES ('abc')",
        "INSERT INTO alembic_version VALUES (' abc ')",
        "INSERT INTO alembic_version VALUES ('')",
        "INSERT INTO alembic_version VALUES (NULL)",
        &format!("INSERT INTO alembic_version VALUES ('{long}')"),
    ]);
    let live = live_json(&database.url, &[]);
    let version = &live["version_table"];
    assert_eq!(version["status"], json!("present"));
    let mut rows: Vec<Value> = version["rows"].as_array().expect("rows").clone();
    rows.sort_by_key(|row| row.to_string());
    let mut expected = vec![
        json!("abc"),
        json!("abc"),
        json!(" abc "),
        json!(""),
        Value::Null,
        json!(long),
    ];
    expected.sort_by_key(|row| row.to_string());
    assert_eq!(rows, expected, "{dialect}");
    assert_eq!(version["primary_key"], json!([]));
    assert_eq!(
        version["columns"][0]["type"],
        json!("string(64)"),
        "{dialect}"
    );

    // No version_num column at all, and an integer one: shapes, not failures.
    database.sql(&[
        "DROP TABLE alembic_version",
        "CREATE TABLE alembic_version (id INTEGER)",
        "INSERT INTO alembic_version VALUES (1)",
    ]);
    let live = live_json(&database.url, &[]);
    assert_eq!(live["version_table"]["rows"], json!([]));
    assert_eq!(live["version_table"]["columns"][0]["name"], json!("id"));
    database.sql(&[
        "DROP TABLE alembic_version",
        "CREATE TABLE alembic_version (version_num INTEGER NOT NULL)",
        "INSERT INTO alembic_version VALUES (42)",
    ]);
    let live = live_json(&database.url, &[]);
    assert_eq!(live["version_table"]["rows"], json!(["42"]));
    assert_eq!(
        live["version_table"]["columns"][0]["type"],
        json!("integer")
    );

    // A custom table name; the default one then reads as absent.
    database.sql(&[
        "CREATE TABLE my_versions (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO my_versions VALUES ('feed')",
    ]);
    let live = live_json(&database.url, &["--version-table", "my_versions"]);
    assert_eq!(live["version_table"]["rows"], json!(["feed"]));
    assert_eq!(live["version_table"]["primary_key"], json!(["version_num"]));
    assert!(live["tables"].get("my_versions").is_none());
    assert!(
        live["tables"].get("alembic_version").is_some(),
        "another table named alembic_version is a user table now"
    );
    database.sql(&["DROP TABLE alembic_version"]);
    let live = live_json(&database.url, &[]);
    assert_eq!(live["version_table"]["status"], json!("absent"));
}

fn postgresql_odd_version_rows() {
    odd_rows("postgresql");
}

fn mariadb_odd_version_rows() {
    odd_rows("mysql");
}

fn sqlite_odd_version_rows() {
    odd_rows("sqlite");
}

fn postgresql_version_table_in_another_schema() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    database.sql(&[
        "CREATE SCHEMA meta",
        "CREATE TABLE meta.alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
        "INSERT INTO meta.alembic_version VALUES ('beef')",
        "CREATE TABLE users (id INTEGER PRIMARY KEY)",
    ]);
    let live = live_json(&database.url, &["--version-table-schema", "meta"]);
    assert_eq!(live["version_table"]["rows"], json!(["beef"]));
    assert_eq!(live["version_table"]["schema"], json!("meta"));
    assert!(live["tables"]["users"].is_object());
    let live = live_json(&database.url, &[]);
    assert_eq!(live["version_table"]["status"], json!("absent"));
}

fn main() {
    common::harness::main(&[
        test!(postgresql_odd_version_rows, Alembic, Postgresql),
        test!(mariadb_odd_version_rows, Alembic, Mysql),
        test!(sqlite_odd_version_rows, Alembic),
        test!(
            postgresql_version_table_in_another_schema,
            Alembic,
            Postgresql
        ),
    ]);
}
