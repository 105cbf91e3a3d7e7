//! What a database does on its own, modelled in the expected schema and
//! checked on the real databases built by the real alembic
//! (`fixtures/dialects`): a naming convention given through a registry,
//! ON DELETE compared, PostgreSQL's words for an expression index, MySQL
//! restating `existing_type`, PostgreSQL dropping a composite primary key
//! with one of its columns, and DDL on sequences that waives nothing. At
//! each revision the database alembic left is healthy (or behind) with no
//! warning, and without its version table it is proven at that revision.

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

const CONFIG: &str = "dialects/alembic.ini";

const REVISIONS: [&str; 5] = [
    "d01d01d01d01",
    "d02d02d02d02",
    "d03d03d03d03",
    "d04d04d04d04",
    "d05d05d05d05",
];

fn warnings(diagnosis: &Value) -> Vec<Value> {
    diagnosis["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|finding| finding["severity"] == "warning")
        .cloned()
        .collect()
}

fn expected_schema(revision: &str, dialect: &str) -> Value {
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "schema",
        "--revision",
        revision,
        "--dialect",
        dialect,
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn every_revision(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    for (at, revision) in REVISIONS.iter().enumerate() {
        let out = database.alembic(&fixture(CONFIG), &["upgrade", revision]);
        assert_eq!(out.code, 0, "upgrade {revision}: {}", out.stderr);

        let (_, tracked) = diagnose_fixture(CONFIG, &database, &[]);
        let want = if at + 1 == REVISIONS.len() {
            "healthy"
        } else {
            "behind"
        };
        assert_eq!(
            tracked["state"], want,
            "{dialect} at {revision}: {tracked:#}"
        );
        assert_eq!(
            warnings(&tracked),
            Vec::<Value>::new(),
            "{dialect} at {revision}: a right answer with a warning"
        );

        database.sql(&["DROP TABLE alembic_version"]);
        let (_, untracked) = diagnose_fixture(CONFIG, &database, &[]);
        assert_eq!(
            (
                &untracked["state"],
                &untracked["evidence"],
                &untracked["matched_revisions"]
            ),
            (
                &json!("untracked_schema"),
                &json!("proven"),
                &json!([revision])
            ),
            "{dialect} at {revision} without its version table: {untracked:#}"
        );
        let out = database.alembic(&fixture(CONFIG), &["stamp", revision]);
        assert_eq!(out.code, 0, "stamp {revision}: {}", out.stderr);
    }
    let out = database.alembic(&fixture(CONFIG), &["current"]);
    assert_eq!(out.stdout.trim(), "d05d05d05d05 (head)", "{}", out.stderr);
}

/// The convention comes through `registry(metadata=...).generate_base()`:
/// the unnamed index of `orders.reference` has the project's name.
fn naming_convention_through_a_registry() {
    let schema = expected_schema("d01d01d01d01", "postgresql");
    assert_eq!(
        schema["tables"]["orders"]["indexes"][0]["name"], "idx_orders_reference",
        "{schema:#}"
    );
}

fn sqlite_dialect_facts() {
    every_revision("sqlite");
}

fn postgresql_dialect_facts() {
    every_revision("postgresql");
}

fn mariadb_dialect_facts() {
    every_revision("mysql");
}

fn main() {
    common::harness::main(&[
        test!(naming_convention_through_a_registry),
        test!(sqlite_dialect_facts, Alembic),
        test!(postgresql_dialect_facts, Alembic, Postgresql),
        test!(mariadb_dialect_facts, Alembic, Mysql),
    ]);
}
