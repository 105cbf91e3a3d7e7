//! The evidence policy on real databases built by the real alembic, one
//! case per way a stamp used to go wrong (`fixtures/evidence`): a half-applied
//! revision, a backfill that never ran, DDL in a loop over query results,
//! ancestor and descendant rows, an unknown id, and the other side: harmless
//! differences that must not block a deploy, and collisions that must.

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

const CONFIG: &str = "evidence/alembic.ini";

fn diagnose(database: &TestDatabase, extra: &[&str]) -> (i32, Value) {
    diagnose_fixture(CONFIG, database, extra)
}

fn ensure(database: &TestDatabase, python: &std::path::Path, extra: &[&str]) -> Run {
    let then = format!(
        "{} -m alembic -c {} upgrade heads",
        python.display(),
        fixture(CONFIG).display()
    );
    run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["ensure", "--database-url", &database.url, "--then", &then])
        .args(extra)
        .env("MIGRATION_DOCTOR_TEST_URL", &database.url))
}

fn upgrade(database: &TestDatabase, revision: &str) {
    let out = database.alembic(&fixture(CONFIG), &["upgrade", revision]);
    assert_eq!(out.code, 0, "alembic upgrade {revision}: {}", out.stderr);
}

fn current(database: &TestDatabase) -> String {
    let out = database.alembic(&fixture(CONFIG), &["current"]);
    assert_eq!(out.code, 0, "alembic current: {}", out.stderr);
    out.stdout.trim().to_owned()
}

fn version_rows(database: &TestDatabase) -> Value {
    database.query("SELECT version_num FROM alembic_version ORDER BY version_num")
}

const HEAD: &str = "e06e06e06e06";

fn every_case(dialect: &'static str) {
    let python = reference_python();
    let fresh = || TestDatabase::create(&python, dialect);

    // A half-applied revision: its column is there, its index is not. It is
    // never stamped as applied; finishing it (creating the index) is proven
    // but runs only when asked for, so `ensure` alone writes nothing.
    let database = fresh();
    upgrade(&database, "e01e01e01e01");
    database.sql(&["ALTER TABLE users ADD COLUMN status VARCHAR(20)"]);
    let (code, half) = diagnose(&database, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        (&half["state"], &half["strategy"], &half["evidence"]),
        (
            &json!("partial_migration"),
            &json!("complete_partial_migration"),
            &json!("proven")
        ),
        "{half:#}"
    );
    assert_eq!(
        half["partial"],
        json!([{
            "revision": "e02e02e02e02",
            "present": ["add column users.status"],
            "missing": ["create index ix_users_status on users"],
        }]),
        "{half:#}"
    );
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(version_rows(&database), json!([["e01e01e01e01"]]));

    // A backfill that never ran: the rows are still NULL, so the probe
    // proves the state before it; `ensure` stamps that and the upgrade runs
    // the backfill.
    let database = fresh();
    upgrade(&database, "e02e02e02e02");
    database.sql(&[
        "INSERT INTO users (id, name) VALUES (1, 'ann')",
        "DROP TABLE alembic_version",
    ]);
    let (_, untracked) = diagnose(&database, &[]);
    assert_eq!(
        (&untracked["evidence"], &untracked["matched_revisions"]),
        (&json!("proven"), &json!(["e02e02e02e02"])),
        "{untracked:#}"
    );
    assert_eq!(untracked["probes"][0]["revision"], "e03e03e03e03");
    assert_eq!(untracked["probes"][0]["applied"], false);
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        database.query("SELECT status FROM users"),
        json!([["active"]]),
        "the backfill ran"
    );
    assert_eq!(current(&database), format!("{HEAD} (head)"));

    // The backfill ran, and the next revision's DDL sits in a loop over
    // query results: nothing proves which of the three states it is. A
    // person must name it; `ensure` refuses and prints the command.
    let database = fresh();
    upgrade(&database, "e04e04e04e04");
    database.sql(&["DROP TABLE alembic_version"]);
    let (_, tie) = diagnose(&database, &[]);
    assert_eq!(tie["evidence"], "needs_confirmation", "{tie:#}");
    assert_eq!(
        tie["candidate_revisions"],
        json!(["e02e02e02e02", "e03e03e03e03", "e04e04e04e04"]),
        "{tie:#}"
    );
    assert_eq!(tie["matched_revisions"], json!([]));
    assert!(
        tie["uncertain_revisions"].as_array().is_some()
            && tie["findings"]
                .to_string()
                .contains("could not be followed"),
        "{tie:#}"
    );
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("--to-revision") || out.stderr.contains("--to-revision"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["recover", "--yes", "--database-url", &database.url])
        .args(["--to-revision", "e04e04e04e04"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("next: alembic upgrade heads (2 pending)"),
        "{}",
        out.stdout
    );
    assert_eq!(current(&database), "e04e04e04e04");

    // The rows lag behind a schema that went past DDL in a loop over query
    // results: stamping the schema's state would skip that revision for
    // good, so a person confirms.
    let database = fresh();
    upgrade(&database, "e05e05e05e05");
    database.sql(&["UPDATE alembic_version SET version_num = 'e03e03e03e03'"]);
    let (_, lagging) = diagnose(&database, &[]);
    assert_eq!(
        (&lagging["state"], &lagging["evidence"]),
        (&json!("partial_migration"), &json!("needs_confirmation")),
        "{lagging:#}"
    );
    assert_eq!(lagging["matched_revisions"], json!(["e05e05e05e05"]));
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(version_rows(&database), json!([["e03e03e03e03"]]));

    // Ancestor and descendant rows are repaired to the descendant.
    let database = fresh();
    upgrade(&database, "head");
    database.sql(&["INSERT INTO alembic_version (version_num) VALUES ('e02e02e02e02')"]);
    let (_, overlapping) = diagnose(&database, &[]);
    assert_eq!(
        (&overlapping["evidence"], &overlapping["matched_revisions"]),
        (&json!("proven"), &json!([HEAD])),
        "{overlapping:#}"
    );
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(version_rows(&database), json!([[HEAD]]));

    // An unknown id beside a schema that matches a known revision (whose
    // table is renamed later): a rollback, not "ahead"; never rewritten
    // unattended.
    let database = fresh();
    upgrade(&database, "e05e05e05e05");
    database.sql(&["UPDATE alembic_version SET version_num = 'ffff0000aaaa'"]);
    let (_, unknown) = diagnose(&database, &[]);
    assert_eq!(
        (&unknown["state"], &unknown["evidence"]),
        (
            &json!("corrupted_version_table"),
            &json!("needs_confirmation")
        ),
        "{unknown:#}"
    );
    assert_eq!(unknown["matched_revisions"], json!(["e05e05e05e05"]));
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(version_rows(&database), json!([["ffff0000aaaa"]]));

    // At head with a backup table and a column added where code that could
    // not be followed works: warnings, and the deploy goes on.
    let database = fresh();
    upgrade(&database, "head");
    database.sql(&[
        "CREATE TABLE users_backup (id INTEGER)",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(10)",
    ]);
    let (code, harmless) = diagnose(&database, &[]);
    assert_eq!(
        (code, &harmless["state"], &harmless["evidence"]),
        (0, &json!("healthy"), &json!("proven")),
        "{harmless:#}"
    );
    let findings = harmless["findings"].to_string();
    assert!(
        findings.contains("unmanaged_objects")
            && findings.contains("users_backup")
            && findings.contains("unverified")
            && findings.contains("nickname")
            && findings.contains("--ignore-tables"),
        "{harmless:#}"
    );
    let out = ensure(&database, &python, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    // A pending revision would create a table that exists: refused before
    // `--then` runs, naming the revision, the operation and the object.
    let database = fresh();
    upgrade(&database, "e04e04e04e04");
    database.sql(&["CREATE TABLE audit (id INTEGER)"]);
    let (_, collision) = diagnose(&database, &["--ignore-tables", "audit"]);
    assert_eq!(collision["evidence"], "refused", "{collision:#}");
    assert_eq!(
        collision["collisions"][0]["revision"], "e05e05e05e05",
        "{collision:#}"
    );
    assert!(
        collision["collisions"][0]["operation"]
            .as_str()
            .is_some_and(|op| op.contains("create table audit")),
        "{collision:#}"
    );
    let out = ensure(&database, &python, &["--ignore-tables", "audit"]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(current(&database), "e04e04e04e04", "--then did not run");
}

fn sqlite_evidence() {
    every_case("sqlite");
}

fn postgresql_evidence() {
    every_case("postgresql");
}

fn mariadb_evidence() {
    every_case("mysql");
}

/// A real project's migrations (optuna's, from the real-world corpus) with
/// an env.py of ours, so that the real alembic runs them on a test database.
fn optuna_project(python: &std::path::Path, scratch: &std::path::Path) -> std::path::PathBuf {
    let corpus = corpus(python);
    let importable = run(std::process::Command::new(python).args(["-c", "import optuna"]));
    assert_eq!(
        importable.code, 0,
        "optuna is not installed beside the reference alembic (requirements-test.txt)"
    );
    let versions = corpus.join("optuna-5.0.0/optuna/storages/_rdb/alembic/versions");
    std::fs::create_dir_all(scratch.join("migrations")).expect("scratch");
    std::fs::copy(
        fixture("evidence/migrations/env.py"),
        scratch.join("migrations/env.py"),
    )
    .expect("env.py");
    let config = scratch.join("alembic.ini");
    std::fs::write(
        &config,
        format!(
            "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = {}\npath_separator = os\n",
            versions.display()
        ),
    )
    .expect("alembic.ini");
    config
}

/// Every revision R of every fixture and of one real project, upgraded by
/// the real alembic with the version table dropped: `proven` at R (or at a
/// revision that differs from R only by revisions with no operations at
/// all), or `needs_confirmation` with R among the candidates; never
/// `proven` anywhere else.
fn never_proven_wrong(dialect: &'static str) {
    let python = reference_python();
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut configs: Vec<std::path::PathBuf> = [
        "evidence/alembic.ini",
        "infer/constructs/alembic.ini",
        "live/rich/alembic.ini",
    ]
    .iter()
    .map(|config| fixture(config))
    .collect();
    configs.push(optuna_project(&python, scratch.path()));
    for config in configs {
        let listed = run(std::process::Command::new(&python)
            .arg(live_db_script())
            .args(["revisions"])
            .arg(&config));
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        let revisions: Vec<String> = listed.stdout.lines().map(str::to_owned).collect();
        for revision in &revisions {
            let database = TestDatabase::create(&python, dialect);
            let out = database.alembic(&config, &["upgrade", revision]);
            if out.code != 0 {
                // Some fixtures support some dialects only.
                eprintln!("skipped {revision} on {dialect}: {}", out.stderr);
                break;
            }
            database.sql(&["DROP TABLE alembic_version"]);
            let out = run(doctor().arg("-c").arg(&config).args([
                "diagnose",
                "--json",
                "--database-url",
                &database.url,
            ]));
            let diagnosis: Value = serde_json::from_str(&out.stdout)
                .unwrap_or_else(|_| panic!("JSON, got {}\n{}", out.stdout, out.stderr));
            let evidence = diagnosis["evidence"].as_str().unwrap_or_default();
            let matched = diagnosis["matched_revisions"].to_string();
            let candidates = diagnosis["candidate_revisions"].to_string();
            match evidence {
                "proven" => {
                    let at_r = diagnosis["matched_revisions"] == json!([revision]);
                    // Only revisions without operations may lie between.
                    let equivalent = diagnosis["candidate_revisions"]
                        .as_array()
                        .is_some_and(|all| all.iter().any(|c| c == revision));
                    assert!(
                        at_r || equivalent,
                        "{} at {revision} on {dialect}: proven at {matched}: {diagnosis:#}",
                        config.display()
                    );
                }
                "needs_confirmation" => assert!(
                    candidates.contains(revision.as_str()) || matched.contains(revision.as_str()),
                    "{} at {revision} on {dialect}: {revision} not among {candidates}: {diagnosis:#}",
                    config.display()
                ),
                other => panic!(
                    "{} at {revision} on {dialect}: evidence {other}: {diagnosis:#}",
                    config.display()
                ),
            }
        }
    }
}

fn sqlite_never_proven_wrong() {
    never_proven_wrong("sqlite");
}

fn postgresql_never_proven_wrong() {
    never_proven_wrong("postgresql");
}

fn mariadb_never_proven_wrong() {
    never_proven_wrong("mysql");
}

/// A table shaped like the version table under another name (env.py sets
/// `version_table`): named, with the flag that selects it, and never a
/// second version table created unattended.
fn a_look_alike_version_table_is_named() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "sqlite");
    upgrade(&database, "head");
    database.sql(&["ALTER TABLE alembic_version RENAME TO myapp_version"]);
    let (_, diagnosis) = diagnose(&database, &[]);
    assert_eq!(diagnosis["state"], "untracked_schema", "{diagnosis:#}");
    assert_eq!(diagnosis["evidence"], "needs_confirmation", "{diagnosis:#}");
    let findings = diagnosis["findings"].to_string();
    assert!(
        findings.contains("look_alike_version_table")
            && findings.contains("--version-table myapp_version"),
        "{diagnosis:#}"
    );
    let (code, selected) = diagnose(&database, &["--version-table", "myapp_version"]);
    assert_eq!(
        (code, &selected["state"]),
        (0, &json!("healthy")),
        "{selected:#}"
    );
}

/// Unmerged branches leave mixes the list of candidate states does not
/// hold (`ba1` applied on one branch, `bb1` on the other). A state that
/// agrees alone (`bb1`, since `ba1` only changes a server default) must
/// not be proven while such a mix agrees as well.
fn branch_mixes(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let config = fixture("branches/alembic.ini");
    for target in ["ba1ba1ba1ba1", "bb1bb1bb1bb1"] {
        let out = database.alembic(&config, &["upgrade", target]);
        assert_eq!(out.code, 0, "upgrade {target}: {}", out.stderr);
    }
    database.sql(&["DROP TABLE alembic_version"]);
    let (_, mixed) = diagnose_fixture("branches/alembic.ini", &database, &[]);
    assert_eq!(
        (&mixed["state"], &mixed["evidence"]),
        (&json!("untracked_schema"), &json!("needs_confirmation")),
        "{mixed:#}"
    );
    let candidates = mixed["candidate_revisions"].to_string();
    assert!(
        candidates.contains("ba1ba1ba1ba1+bb1bb1bb1bb1") && candidates.contains("\"bb1bb1bb1bb1\""),
        "{mixed:#}"
    );
}

/// A tenant's data step is probed in the tenant's schema, as it ran there:
/// with `--schema`, the backfill's unqualified `users` is the tenant's.
fn postgresql_probes_run_in_the_target_schema() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    database.sql(&["CREATE SCHEMA tenant_probe"]);
    let in_tenant = format!("{}?options=-csearch_path%3Dtenant_probe", database.url);
    let out = run(std::process::Command::new(&python)
        .args(["-m", "alembic", "-c"])
        .arg(fixture(CONFIG))
        .args(["upgrade", "e02e02e02e02"])
        .env("MIGRATION_DOCTOR_TEST_URL", &in_tenant));
    assert_eq!(out.code, 0, "{}", out.stderr);
    database.sql(&[
        "INSERT INTO tenant_probe.users (id, name) VALUES (1, 'ann')",
        "DROP TABLE tenant_probe.alembic_version",
    ]);
    let (_, untracked) = diagnose(&database, &["--schema", "tenant_probe"]);
    assert_eq!(
        untracked["probes"][0]["revision"], "e03e03e03e03",
        "{untracked:#}"
    );
    assert_eq!(
        untracked["probes"][0]["result"], "rows found",
        "{untracked:#}"
    );
    assert_eq!(
        (&untracked["evidence"], &untracked["matched_revisions"]),
        (&json!("proven"), &json!(["e02e02e02e02"])),
        "{untracked:#}"
    );
}

fn sqlite_branch_mixes() {
    branch_mixes("sqlite");
}

fn postgresql_branch_mixes() {
    branch_mixes("postgresql");
}

fn mariadb_branch_mixes() {
    branch_mixes("mysql");
}

fn main() {
    common::harness::main(&[
        test!(sqlite_evidence, Alembic),
        test!(postgresql_evidence, Alembic, Postgresql),
        test!(mariadb_evidence, Alembic, Mysql),
        test!(sqlite_never_proven_wrong, Alembic, Corpus),
        test!(postgresql_never_proven_wrong, Alembic, Postgresql, Corpus),
        test!(mariadb_never_proven_wrong, Alembic, Mysql, Corpus),
        test!(a_look_alike_version_table_is_named, Alembic),
        test!(
            postgresql_probes_run_in_the_target_schema,
            Alembic,
            Postgresql
        ),
        test!(sqlite_branch_mixes, Alembic),
        test!(postgresql_branch_mixes, Alembic, Postgresql),
        test!(mariadb_branch_mixes, Alembic, Mysql),
    ]);
}
