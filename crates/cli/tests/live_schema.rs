//! `schema --live` on a rich schema built by the real alembic equals what
//! SQLAlchemy's inspector reports, on PostgreSQL, MariaDB and SQLite.

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

fn our_live_schema(url: &str, extra: &[&str]) -> Value {
    let out = run(doctor()
        .args([
            "schema",
            "--live",
            "--format",
            "json",
            "--database-url",
            url,
        ])
        .args(extra));
    assert_eq!(out.code, 0, "schema --live failed: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

/// Our table, reduced to what the inspector reports. SQLAlchemy leaves out
/// the referred schema when it is on the search path (`default_schema`);
/// we name it, so it is dropped here for the comparison.
fn comparable(table: &Value, default_schema: Option<&str>) -> Value {
    let columns: Vec<Value> = table["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|column| json!({"name": column["name"], "type": column["type"], "nullable": column["nullable"]}))
        .collect();
    json!({
        "columns": columns,
        "primary_key": table["primary_key"],
        "indexes": table["indexes"],
        "unique_constraints": table["unique_constraints"],
        "foreign_keys": table["foreign_keys"]
            .as_array()
            .expect("foreign keys")
            .iter()
            .map(|key| {
                let mut key = key.clone();
                if default_schema.is_some() && key["referred_schema"].as_str() == default_schema {
                    key["referred_schema"] = Value::Null;
                }
                key
            })
            .collect::<Vec<_>>(),
    })
}

fn assert_same_schema(ours: &Value, theirs: &Value, what: &str, default_schema: Option<&str>) {
    let our_tables = ours["tables"].as_object().expect("tables");
    let their_tables = theirs["tables"].as_object().expect("tables");
    let mut our_names: Vec<&String> = our_tables.keys().collect();
    let mut their_names: Vec<&String> = their_tables.keys().collect();
    our_names.sort();
    their_names.sort();
    assert_eq!(our_names, their_names, "{what}: table names");
    for (name, theirs) in their_tables {
        assert_eq!(
            &comparable(&our_tables[name], default_schema),
            theirs,
            "{what}: table {name}"
        );
    }
    assert_eq!(ours["views"], theirs["views"], "{what}: views");
}

fn rich_schema_matches_inspector(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let config = fixture("live/rich/alembic.ini");
    let upgraded = database.alembic(&config, &["upgrade", "head"]);
    assert_eq!(upgraded.code, 0, "alembic upgrade: {}", upgraded.stderr);

    let ours = our_live_schema(&database.url, &[]);
    assert_same_schema(&ours, &database.inspect(None), dialect, None);
    assert_eq!(ours["version_table"]["rows"], json!(["c3c3c3c3c3c3"]));
    assert!(
        ours["tables"].get("alembic_version").is_none(),
        "the version table is not a user table"
    );
    assert!(ours["tables"]["OrderLog"].is_object() && ours["tables"]["café_ünïcode"].is_object());

    if dialect == "postgresql" {
        let tags = &ours["tables"]["events"]["columns"][3];
        assert_eq!(
            (&tags["name"], &tags["type"]),
            (&json!("tags"), &json!("array(text)"))
        );
        assert_eq!(
            ours["tables"]["orders"]["columns"][2]["type"],
            json!("enum(new,paid,shipped)")
        );
        let ours = our_live_schema(&database.url, &["--schema", "reporting"]);
        assert_same_schema(
            &ours,
            &database.inspect(Some("reporting")),
            "postgresql schema reporting",
            Some("public"),
        );
        assert_eq!(
            ours["tables"]["daily_totals"]["foreign_keys"][0]["referred_schema"],
            json!("public")
        );
    }
}

fn postgresql_rich_schema() {
    rich_schema_matches_inspector("postgresql");
}

fn mariadb_rich_schema() {
    rich_schema_matches_inspector("mysql");
}

fn sqlite_rich_schema() {
    rich_schema_matches_inspector("sqlite");
}

fn main() {
    common::harness::main(&[
        test!(postgresql_rich_schema, Alembic, Postgresql),
        test!(mariadb_rich_schema, Alembic, Mysql),
        test!(sqlite_rich_schema, Alembic),
    ]);
}
