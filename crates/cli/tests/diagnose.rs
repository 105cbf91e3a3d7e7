//! Every state of docs/contract.md, built with the real alembic on PostgreSQL,
//! MariaDB and SQLite, diagnosed: state, strategy, matched and candidate
//! revisions; and `diagnose` changes nothing.

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

fn diagnose(database: &TestDatabase, extra: &[&str]) -> (i32, Value) {
    diagnose_fixture(CONFIG, database, extra)
}

/// What the database holds, to prove `diagnose` wrote nothing.
fn snapshot(database: &TestDatabase) -> Value {
    let rows = run(doctor().args([
        "schema",
        "--live",
        "--json",
        "--database-url",
        &database.url,
    ]));
    assert_eq!(rows.code, 0, "{}", rows.stderr);
    serde_json::from_str(&rows.stdout).expect("JSON")
}

fn expect(
    database: &TestDatabase,
    what: &str,
    code: i32,
    state: &str,
    strategy: &str,
    matched: &[&str],
) -> Value {
    let before = snapshot(database);
    let (exit, diagnosis) = diagnose(database, &[]);
    assert_eq!(
        snapshot(database),
        before,
        "{what}: diagnose changed the database"
    );
    assert_eq!(
        (diagnosis["state"].as_str(), diagnosis["strategy"].as_str()),
        (Some(state), Some(strategy)),
        "{what} on {}: {diagnosis:#}",
        database.dialect
    );
    assert_eq!(
        diagnosis["matched_revisions"],
        json!(matched),
        "{what} on {}: {diagnosis:#}",
        database.dialect
    );
    assert_eq!(exit, code, "{what}: exit code");
    diagnosis
}

fn upgrade(database: &TestDatabase, revision: &str) {
    let out = database.alembic(&fixture(CONFIG), &["upgrade", revision]);
    assert_eq!(out.code, 0, "alembic upgrade {revision}: {}", out.stderr);
}

fn every_state(dialect: &'static str) {
    let python = reference_python();
    let fresh_database = || TestDatabase::create(&python, dialect);
    let database = fresh_database();
    let head = "r08r08r08r08";

    expect(&database, "fresh", 0, "fresh", "normal_migration", &[]);
    upgrade(&database, "r05r05r05r05");
    let behind = expect(
        &database,
        "behind",
        0,
        "behind",
        "normal_migration",
        &["r05r05r05r05"],
    );
    assert_eq!(
        behind["pending_revisions"],
        json!(["r06r06r06r06", "r07r07r07r07", head])
    );
    upgrade(&database, "head");
    expect(
        &database,
        "healthy",
        0,
        "healthy",
        "no_action_needed",
        &[head],
    );

    // A table no revision manages (a backup, say) is a warning, not a block.
    database.sql(&["CREATE TABLE rogue (id INTEGER PRIMARY KEY)"]);
    let unmanaged = expect(
        &database,
        "unmanaged table",
        0,
        "healthy",
        "no_action_needed",
        &[head],
    );
    assert!(
        unmanaged["findings"]
            .to_string()
            .contains("unmanaged_objects")
            && unmanaged["findings"].to_string().contains("rogue"),
        "{unmanaged:#}"
    );
    let (code, ignored) = diagnose(&database, &["--ignore-tables", "rog*"]);
    assert_eq!(
        (code, ignored["state"].as_str()),
        (0, Some("healthy")),
        "{ignored:#}"
    );
    assert!(
        !ignored["findings"]
            .to_string()
            .contains("unmanaged_objects")
    );

    database.sql(&["UPDATE alembic_version SET version_num = 'ffff00001111'"]);
    expect(
        &database,
        "ahead of scripts",
        1,
        "ahead_of_scripts",
        "manual_intervention",
        &[],
    );
    database.sql(&["DROP TABLE rogue"]);
    let corrupted = expect(
        &database,
        "unknown id",
        1,
        "corrupted_version_table",
        "repair_corrupted_alembic",
        &[head],
    );
    assert!(
        corrupted["findings"]
            .to_string()
            .contains("unknown_revision"),
        "{corrupted:#}"
    );
    assert_eq!(
        corrupted["evidence"], "needs_confirmation",
        "an unknown id is never rewritten unattended: {corrupted:#}"
    );
    assert_eq!(
        corrupted["plan"].as_array().map(Vec::len),
        Some(2),
        "{corrupted:#}"
    );

    database.sql(&["DELETE FROM alembic_version"]);
    expect(
        &database,
        "empty version table",
        1,
        "corrupted_version_table",
        "repair_corrupted_alembic",
        &[head],
    );
    database.sql(&["INSERT INTO alembic_version VALUES ('r06r06r06r06')"]);
    expect(
        &database,
        "stamped too low",
        1,
        "partial_migration",
        "complete_partial_migration",
        &[head],
    );
    database.sql(&[
        "DELETE FROM alembic_version",
        &format!("INSERT INTO alembic_version VALUES ('{head}')"),
        "INSERT INTO alembic_version VALUES ('r07r07r07r07')",
    ]);
    let overlapping = expect(
        &database,
        "overlapping rows",
        1,
        "corrupted_version_table",
        "repair_corrupted_alembic",
        &[head],
    );
    assert!(
        overlapping["findings"]
            .to_string()
            .contains("overlapping_heads")
    );

    database.sql(&["DROP TABLE alembic_version"]);
    let untracked = expect(
        &database,
        "untracked",
        1,
        "untracked_schema",
        "initialize_alembic_version",
        &[head],
    );
    let plan = untracked["plan"].to_string();
    assert!(
        plan.contains("CREATE TABLE")
            && plan.contains("alembic_version_pkc")
            && plan.contains(head),
        "{plan}"
    );

    // Objects of the current revision missing: the schema matches an earlier one.
    let database = fresh_database();
    upgrade(&database, "r06r06r06r06");
    database.sql(&["DROP TABLE notes"]);
    let partial = expect(
        &database,
        "missing objects",
        1,
        "partial_migration",
        "complete_partial_migration",
        &["r05r05r05r05"],
    );
    assert!(
        partial["findings"].to_string().contains("missing_objects"),
        "{partial:#}"
    );

    // Half a revision applied by hand (as MySQL leaves it after a failure).
    let database = fresh_database();
    upgrade(&database, "r07r07r07r07");
    database.sql(&["ALTER TABLE users ADD COLUMN public_id CHAR(32)"]);
    // Its missing operations all create: `recover --complete` finishes it.
    let half = expect(
        &database,
        "half applied",
        1,
        "partial_migration",
        "complete_partial_migration",
        &["r08r08r08r08"],
    );
    assert!(
        half["findings"].to_string().contains("partly_applied"),
        "{half:#}"
    );
    let partial = half["partial"][0].to_string();
    assert!(
        partial.contains("users.public_id") && partial.contains("table tokens"),
        "{half:#}"
    );
    assert!(
        half["completion"]["statements"][0]["sql"]
            .as_str()
            .is_some_and(|sql| sql.contains("tokens")),
        "{half:#}"
    );
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

fn two_branches_applied_side_by_side() {
    let python = reference_python();
    let (_dir, copy) = copy_tree(&workspace_root().join("example"));
    let _ = std::fs::remove_file(copy.join("shop.db"));
    let alembic = |args: &[&str]| {
        let out = run(std::process::Command::new(&python)
            .args(["-m", "alembic", "-c"])
            .arg(copy.join("alembic.ini"))
            .args(args));
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    alembic(&["upgrade", "1b2c3d4e5f60"]);
    alembic(&["upgrade", "5e6f7a8b9c01"]);
    let out = run(doctor()
        .arg("-c")
        .arg(copy.join("alembic.ini"))
        .args(["diagnose", "--json"]));
    let diagnosis: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(diagnosis["state"], json!("behind"), "{diagnosis:#}");
    assert_eq!(
        diagnosis["matched_revisions"],
        json!(["1b2c3d4e5f60", "5e6f7a8b9c01"])
    );
    assert_eq!(
        diagnosis["pending_revisions"],
        json!(["9d0e1f2a3b4c", "e2f3a4b5c6d7"])
    );
    // Without the version table, the side-by-side state is found by matching.
    let out = run(std::process::Command::new(&python)
        .arg(live_db_script())
        .args([
            "sql",
            &format!("sqlite:///{}", copy.join("shop.db").display()),
            "DROP TABLE alembic_version",
        ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The heads side by side, their empty merge and the backfill after it
    // agree alike; the backfill finds nothing left to change, so the tie
    // settles before it, at the merge, which stands for the heads (it
    // changes nothing): proven, and alembic reruns the backfill from there.
    let out = run(doctor()
        .arg("-c")
        .arg(copy.join("alembic.ini"))
        .args(["diagnose", "--json"]));
    let diagnosis: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        (&diagnosis["state"], &diagnosis["evidence"]),
        (&json!("untracked_schema"), &json!("proven")),
        "{diagnosis:#}"
    );
    assert_eq!(
        diagnosis["matched_revisions"],
        json!(["9d0e1f2a3b4c"]),
        "{diagnosis:#}"
    );
    assert!(
        diagnosis["candidate_revisions"]
            .as_array()
            .is_some_and(|all| all.contains(&json!("1b2c3d4e5f60+5e6f7a8b9c01"))),
        "{diagnosis:#}"
    );
    assert_eq!(
        diagnosis["pending_revisions"],
        json!(["e2f3a4b5c6d7"]),
        "{diagnosis:#}"
    );
    assert_eq!(out.code, 1);
}

fn status_and_seed_aliases() {
    let config = workspace_root().join("example/alembic.ini");
    let out = run(doctor().arg("-c").arg(&config).args(["status", "--json"]));
    let status: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", out.stdout, out.stderr));
    assert_eq!(status["graph"]["merge_points"], json!(["9d0e1f2a3b4c"]));
    assert!(status["diagnosis"]["state"].is_string());
    assert!(
        status["connection"]["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("sqlite:"))
    );
    let via_flag = run(doctor()
        .arg("-c")
        .arg(&config)
        .args(["--diagnose", "--json"]));
    let via_command = run(doctor().arg("-c").arg(&config).args(["diagnose", "--json"]));
    assert_eq!(via_flag.stdout, via_command.stdout);
    let text = run(doctor()
        .arg("-c")
        .arg(&config)
        .args(["--status", "--detailed"]));
    assert!(
        text.stdout.contains("version table")
            && text.stdout.contains("verdict")
            && text.stdout.contains("URL from ini"),
        "{}",
        text.stdout
    );
}

fn broken_scripts_are_invalid_scripts_and_nothing_is_written() {
    let (_dir, project) = copy_tree(&fixture("broken/cycle"));
    std::fs::write(project.join("app.db"), "").expect("empty database");
    let url = format!("sqlite:///{}", project.join("app.db").display());
    let out =
        run(doctor()
            .current_dir(&project)
            .args(["diagnose", "--json", "--database-url", &url]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    let diagnosis: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(diagnosis["state"], json!("invalid_scripts"));
    assert!(diagnosis["findings"].to_string().contains("cycle"));
    let out =
        run(doctor()
            .current_dir(&project)
            .args(["recover", "--yes", "--database-url", &url]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert_eq!(
        std::fs::metadata(project.join("app.db"))
            .expect("file")
            .len(),
        0,
        "nothing written"
    );
}

fn main() {
    common::harness::main(&[
        test!(sqlite_every_state, Alembic),
        test!(postgresql_every_state, Alembic, Postgresql),
        test!(mariadb_every_state, Alembic, Mysql),
        test!(two_branches_applied_side_by_side, Alembic),
        test!(status_and_seed_aliases),
        test!(broken_scripts_are_invalid_scripts_and_nothing_is_written),
    ]);
}
