//! What a new user meets on a first run, each kept consistent: exit codes,
//! messages in the user's words, and suggested commands that work when
//! followed as printed (the `alembic stamp` hint, run by the real alembic).

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;
use serde_json::Value;

const CONFIG: &str = "evidence/alembic.ini";

fn empty_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("app.db");
    std::fs::write(&path, "").expect("an empty SQLite file");
    let url = format!("sqlite:///{}", path.display());
    (dir, url)
}

fn ensure_on_an_empty_database_says_it_is_empty() {
    let (_dir, url) = empty_sqlite();
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["ensure", "--database-url", &url]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("holds no table yet") && !out.stdout.contains("already right"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.starts_with("state: fresh, strategy: "),
        "{}",
        out.stdout
    );
}

fn a_driver_sqlalchemy_does_not_know_is_named() {
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "diagnose",
        "--database-url",
        "mysql+pymsql://root@127.0.0.1:3306/test",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `mysql+pymysql`?"),
        "{}",
        out.stderr
    );
}

fn a_port_answered_by_another_server_is_named() {
    // MariaDB's port, asked in PostgreSQL's protocol.
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "diagnose",
        "--database-url",
        "postgresql://root@127.0.0.1:3306/test",
    ]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("does not speak the PostgreSQL protocol")
            && !out.stderr.contains("sqlx")
            && !out.stderr.contains("Run the command again"),
        "{}",
        out.stderr
    );
}

fn invalid_scripts_under_json_carry_the_error_object() {
    let (_dir, url) = empty_sqlite();
    let out = run(doctor()
        .arg("--script-location")
        .arg(fixture("broken/cycle/migrations"))
        .args(["diagnose", "--json", "--database-url", &url]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        (&report["error"]["code"], &report["error"]["exit_code"]),
        (&Value::from("invalid_scripts"), &Value::from(4)),
        "{report:#}"
    );
    assert_eq!(report["state"], "invalid_scripts");
}

/// Two heads stamped by the command the report prints, as printed.
fn the_printed_stamp_command_works() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "sqlite");
    let config = fixture("branchy/alembic.ini");
    let out = database.alembic(&config, &["upgrade", "heads"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let before = database.alembic(&config, &["current"]).stdout;
    database.sql(&["DROP TABLE alembic_version"]);
    let out =
        run(doctor()
            .arg("-c")
            .arg(&config)
            .args(["diagnose", "--database-url", &database.url]));
    let start = out
        .stdout
        .find("`alembic stamp ")
        .unwrap_or_else(|| panic!("no stamp hint in\n{}", out.stdout));
    let command = &out.stdout[start + 1..];
    let command = &command[..command.find('`').expect("closing backtick")];
    let arguments: Vec<&str> = command.split_whitespace().skip(1).collect();
    let stamped = database.alembic(&config, &arguments);
    assert_eq!(stamped.code, 0, "{command}: {}", stamped.stderr);
    let current = database.alembic(&config, &["current"]).stdout;
    let mut after: Vec<&str> = current.lines().map(str::trim).collect();
    let mut wanted: Vec<&str> = before.lines().map(str::trim).collect();
    after.sort_unstable();
    wanted.sort_unstable();
    assert_eq!(after, wanted, "{command}");
}

fn main() {
    common::harness::main(&[
        test!(ensure_on_an_empty_database_says_it_is_empty),
        test!(a_driver_sqlalchemy_does_not_know_is_named),
        test!(a_port_answered_by_another_server_is_named, Mysql),
        test!(invalid_scripts_under_json_carry_the_error_object),
        test!(the_printed_stamp_command_works, Alembic),
    ]);
}
