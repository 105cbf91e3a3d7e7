//! `schema --revision R` (derived statically from the migrations) equals what
//! SQLAlchemy's inspector reads after the real alembic upgrades a fresh
//! database to R, revision by revision, on PostgreSQL, MariaDB and SQLite:
//! tables, columns, types, nullability and primary keys identical; indexes
//! and unique constraints identical where they have names; foreign keys by
//! their columns and targets.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::harness::test;
use common::*;
use serde_json::Value;

fn expected(config: &std::path::Path, revision: &str, dialect: &str) -> Value {
    let out = run(doctor().arg("-c").arg(config).args([
        "schema",
        "--json",
        "--revision",
        revision,
        "--dialect",
        dialect,
    ]));
    assert_eq!(out.code, 0, "schema --revision {revision}: {}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn named(list: &Value, with_unique: bool) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["name"].is_string())
        .map(|item| {
            if with_unique {
                format!(
                    "{} {} unique={}",
                    item["name"], item["columns"], item["unique"]
                )
            } else {
                format!("{} {}", item["name"], item["columns"])
            }
        })
        .collect()
}

fn foreign_keys(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|key| {
            format!(
                "{} -> {} {}",
                key["columns"], key["referred_table"], key["referred_columns"]
            )
        })
        .collect()
}

/// Compares our expected schema with the inspector's view; returns the differences.
fn differences(ours: &Value, theirs: &Value, strict_names: bool) -> Vec<String> {
    let mut out = Vec::new();
    let our_tables: BTreeSet<&String> = ours["tables"]
        .as_object()
        .expect("tables")
        .keys()
        .filter(|name| !name.contains('.'))
        .collect();
    let their_tables: BTreeSet<&String> = theirs["tables"]
        .as_object()
        .expect("tables")
        .keys()
        .collect();
    if our_tables != their_tables {
        out.push(format!(
            "tables: ours {our_tables:?}, theirs {their_tables:?}"
        ));
        return out;
    }
    for name in their_tables {
        let (our, their) = (&ours["tables"][name], &theirs["tables"][name]);
        let our_columns: Vec<(Value, Value)> = our["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| (c["name"].clone(), c["nullable"].clone()))
            .collect();
        let their_columns: Vec<(Value, Value)> = their["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| (c["name"].clone(), c["nullable"].clone()))
            .collect();
        if our_columns != their_columns {
            out.push(format!(
                "{name}: columns (name, nullable) ours {our_columns:?}, theirs {their_columns:?}"
            ));
        }
        for (our_column, their_column) in our["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .zip(their["columns"].as_array().expect("columns"))
        {
            let our_type = our_column["type"].as_str().unwrap_or_default();
            if !our_type.starts_with("other(") && our_column["type"] != their_column["type"] {
                out.push(format!(
                    "{name}.{}: type ours {our_type}, theirs {}",
                    our_column["name"], their_column["type"]
                ));
            }
        }
        if our["primary_key"] != their["primary_key"] {
            out.push(format!(
                "{name}: primary key ours {}, theirs {}",
                our["primary_key"], their["primary_key"]
            ));
        }
        let (our_indexes, their_indexes) =
            (named(&our["indexes"], true), named(&their["indexes"], true));
        if our_indexes != their_indexes {
            out.push(format!(
                "{name}: indexes ours {our_indexes:?}, theirs {their_indexes:?}"
            ));
        }
        let (our_uniques, their_uniques) = (
            named(&our["unique_constraints"], false),
            named(&their["unique_constraints"], false),
        );
        if strict_names && our_uniques != their_uniques {
            out.push(format!(
                "{name}: unique constraints ours {our_uniques:?}, theirs {their_uniques:?}"
            ));
        }
        let (our_keys, their_keys) = (
            foreign_keys(&our["foreign_keys"]),
            foreign_keys(&their["foreign_keys"]),
        );
        if our_keys != their_keys {
            out.push(format!(
                "{name}: foreign keys ours {our_keys:?}, theirs {their_keys:?}"
            ));
        }
    }
    out
}

fn revision_by_revision(dialect: &'static str, project: &str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let config = fixture(project);
    let listed = run(Command::new(&python)
        .arg(live_db_script())
        .arg("revisions")
        .arg(&config));
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let revisions: Vec<&str> = listed.stdout.lines().collect();
    assert!(revisions.len() >= 2, "{revisions:?}");
    let mut problems = Vec::new();
    for revision in &revisions {
        let upgraded = database.alembic(&config, &["upgrade", revision]);
        assert_eq!(
            upgraded.code, 0,
            "alembic upgrade {revision}: {}",
            upgraded.stderr
        );
        let ours = expected(&config, revision, dialect);
        // `CREATE SCHEMA` has an effect the comparison does not see: an
        // unknown operation, never "nothing". Nothing else is unknown.
        let unknown: Vec<&serde_json::Value> = ours["unknown_operations"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter(|op| !op["text"].to_string().contains("CREATE SCHEMA"))
                    .collect()
            })
            .unwrap_or_default();
        assert!(unknown.is_empty(), "{revision}: {unknown:?}");
        for difference in differences(&ours, &database.inspect(None), true) {
            problems.push(format!("{dialect} {project} at {revision}: {difference}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn sqlite_constructs_revision_by_revision() {
    revision_by_revision("sqlite", "infer/constructs/alembic.ini");
}

fn postgresql_constructs_revision_by_revision() {
    revision_by_revision("postgresql", "infer/constructs/alembic.ini");
}

fn mariadb_constructs_revision_by_revision() {
    revision_by_revision("mysql", "infer/constructs/alembic.ini");
}

/// Batch rebuilds (indexes re-created, unnamed constraints named by the
/// block's naming convention), a unique constraint repeating the primary
/// key, an ordered index part, a model's column as a key's target.
fn sqlite_rebuilds_revision_by_revision() {
    revision_by_revision("sqlite", "infer/rebuilds/alembic.ini");
}

fn postgresql_rebuilds_revision_by_revision() {
    revision_by_revision("postgresql", "infer/rebuilds/alembic.ini");
}

fn mariadb_rebuilds_revision_by_revision() {
    revision_by_revision("mysql", "infer/rebuilds/alembic.ini");
}

/// Reserved words, unicode, quotes, mixed case, and identifiers at and
/// past the length limits (PostgreSQL cuts them to 63 bytes).
fn sqlite_names_revision_by_revision() {
    revision_by_revision("sqlite", "infer/names/alembic.ini");
}

fn postgresql_names_revision_by_revision() {
    revision_by_revision("postgresql", "infer/names/alembic.ini");
}

fn mariadb_names_revision_by_revision() {
    revision_by_revision("mysql", "infer/names/alembic.ini");
}

fn sqlite_rich_revision_by_revision() {
    revision_by_revision("sqlite", "live/rich/alembic.ini");
}

fn postgresql_rich_revision_by_revision() {
    revision_by_revision("postgresql", "live/rich/alembic.ini");
}

fn mariadb_rich_revision_by_revision() {
    revision_by_revision("mysql", "live/rich/alembic.ini");
}

/// A project whose base revision assumes the tables of its models
/// (`[migration_doctor] baseline`), with a naming convention in env.py's
/// `target_metadata`: `schema --models` equals what `create_all()` makes,
/// every revision after it equals the real upgrade, and a database whose
/// version table is lost is proven to be at its revision.
fn baseline_then_revisions(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let project = fixture("infer/baseline");
    let config = project.join("alembic.ini");
    let created = run(Command::new(&python)
        .arg(live_db_script())
        .args(["create-all", &database.url])
        .arg(&project)
        .arg("tracker.models:Base.metadata"));
    assert_eq!(created.code, 0, "create_all: {}", created.stderr);
    let models = run(doctor().arg("-c").arg(&config).args([
        "schema",
        "--json",
        "--models",
        "--dialect",
        dialect,
    ]));
    assert_eq!(models.code, 0, "schema --models: {}", models.stderr);
    let models: Value = serde_json::from_str(&models.stdout).expect("JSON");
    let mut problems: Vec<String> = differences(&models, &database.inspect(None), true)
        .into_iter()
        .map(|difference| format!("{dialect} baseline: {difference}"))
        .collect();
    for revision in ["b1", "b2"] {
        let upgraded = database.alembic(&config, &["upgrade", revision]);
        assert_eq!(upgraded.code, 0, "upgrade {revision}: {}", upgraded.stderr);
        let ours = expected(&config, revision, dialect);
        for difference in differences(&ours, &database.inspect(None), true) {
            problems.push(format!("{dialect} at {revision}: {difference}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    database.sql(&["DROP TABLE alembic_version"]);
    let (_, untracked) = diagnose_fixture("infer/baseline/alembic.ini", &database, &[]);
    assert_eq!(
        (
            &untracked["state"],
            &untracked["evidence"],
            &untracked["matched_revisions"]
        ),
        (
            &Value::from("untracked_schema"),
            &Value::from("proven"),
            &serde_json::json!(["b2"])
        ),
        "{untracked:#}"
    );
}

fn sqlite_baseline_from_models() {
    baseline_then_revisions("sqlite");
}

fn postgresql_baseline_from_models() {
    baseline_then_revisions("postgresql");
}

fn mariadb_baseline_from_models() {
    baseline_then_revisions("mysql");
}

fn main() {
    common::harness::main(&[
        test!(sqlite_constructs_revision_by_revision, Alembic),
        test!(
            postgresql_constructs_revision_by_revision,
            Alembic,
            Postgresql
        ),
        test!(mariadb_constructs_revision_by_revision, Alembic, Mysql),
        test!(sqlite_rebuilds_revision_by_revision, Alembic),
        test!(
            postgresql_rebuilds_revision_by_revision,
            Alembic,
            Postgresql
        ),
        test!(mariadb_rebuilds_revision_by_revision, Alembic, Mysql),
        test!(sqlite_names_revision_by_revision, Alembic),
        test!(postgresql_names_revision_by_revision, Alembic, Postgresql),
        test!(mariadb_names_revision_by_revision, Alembic, Mysql),
        test!(sqlite_rich_revision_by_revision, Alembic),
        test!(postgresql_rich_revision_by_revision, Alembic, Postgresql),
        test!(mariadb_rich_revision_by_revision, Alembic, Mysql),
        test!(sqlite_baseline_from_models, Alembic),
        test!(postgresql_baseline_from_models, Alembic, Postgresql),
        test!(mariadb_baseline_from_models, Alembic, Mysql),
    ]);
}
