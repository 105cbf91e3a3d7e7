//! Fleets: fifty tenant schemas on PostgreSQL and twenty tenant databases
//! on MariaDB in mixed states (healthy, behind, untracked, corrupted,
//! drifted), each migrated by the real alembic; `diagnose`, `recover` and
//! `ensure` over them in one pass, with shards, `--format jsonl`, the
//! summary, waves stopped by `--max-failures`, and `--databases -` where one
//! database cannot be reached (the others still run; the worst exit code).

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use common::harness::test;
use common::*;
use serde_json::Value;

const CONFIG: &str = "fleet/alembic.ini";
const HEAD: &str = "f3f3f3f3f3f3";
const STATES: [&str; 4] = ["healthy", "behind", "untracked", "corrupted"];

/// The state `diagnose` reports for each kind of tenant the helper makes.
fn diagnosed(kind: &str) -> &'static str {
    match kind {
        "healthy" => "healthy",
        "behind" => "behind",
        "untracked" => "untracked_schema",
        "corrupted" => "corrupted_version_table",
        _ => "drifted",
    }
}

/// Makes tenants (`name:kind`) with the real alembic.
fn make_tenants(database: &TestDatabase, url: &str, specs: &[String]) {
    let python = reference_python();
    let out = run(Command::new(&python)
        .arg(live_db_script())
        .args(["fleet", url])
        .arg(fixture(CONFIG))
        .args(specs));
    assert_eq!(
        out.code, 0,
        "making the fleet on {}: {}",
        database.dialect, out.stderr
    );
}

/// A fleet command's JSON lines: the targets by name, and the summary.
fn jsonl(stdout: &str) -> (BTreeMap<String, Value>, Value) {
    let mut targets = BTreeMap::new();
    let mut summary = Value::Null;
    for line in stdout.lines().filter(|line| !line.trim().is_empty()) {
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("a JSON line, got {line}"));
        if let Some(found) = value.get("summary") {
            summary = found.clone();
        } else {
            let name = value["target"]["name"]
                .as_str()
                .expect("target.name")
                .to_owned();
            assert!(targets.insert(name, value).is_none(), "one line per target");
        }
    }
    (targets, summary)
}

fn fleet_run(url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = doctor();
    command.arg("-c").arg(fixture(CONFIG)).args(args).args([
        "--format",
        "jsonl",
        "--database-url",
        url,
    ]);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = run(&mut command);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

/// The state `diagnose` reports for each tenant made as `kinds` says.
fn expected_states(kinds: &BTreeMap<String, &str>) -> BTreeMap<String, String> {
    kinds
        .iter()
        .map(|(name, kind)| (name.clone(), diagnosed(kind).to_owned()))
        .collect()
}

fn states_of(targets: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    targets
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                value["state"].as_str().unwrap_or("error").to_owned(),
            )
        })
        .collect()
}

fn postgresql_fifty_tenant_schemas() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let kinds: BTreeMap<String, &str> = (0..50)
        .map(|at| (format!("tenant_{at:02}"), STATES[at % 4]))
        .collect();
    let mut specs: Vec<String> = kinds
        .iter()
        .map(|(name, kind)| format!("{name}:{kind}"))
        .collect();
    // A schema the glob leaves out.
    specs.push("other:untracked".to_owned());
    make_tenants(&database, &database.url, &specs);

    let out = fleet_run(
        &database.url,
        &["diagnose", "--each-schema", "tenant_*", "--jobs", "8"],
        &[],
    );
    assert_eq!(out.code, 1, "the worst exit code: {}", out.stderr);
    let (targets, summary) = jsonl(&out.stdout);
    assert_eq!(states_of(&targets), expected_states(&kinds));
    for (name, value) in &targets {
        assert_eq!(value["target"]["schema"].as_str(), Some(name.as_str()));
        assert_eq!(value["evidence"], "proven", "{value:#}");
    }
    assert_eq!(summary["targets"], 50, "{summary:#}");
    // The batched reading says what reading one schema alone says.
    for tenant in ["tenant_00", "tenant_01", "tenant_02", "tenant_03"] {
        let (code, mut alone, stderr) = doctor_json_on(
            CONFIG,
            &database,
            &[
                "diagnose",
                "--schema",
                tenant,
                "--version-table-schema",
                tenant,
            ],
        );
        assert!(code <= 1, "{stderr}");
        let mut batched = targets[tenant].clone();
        for value in [&mut alone, &mut batched] {
            if let Some(object) = value.as_object_mut() {
                object.remove("target");
            }
        }
        assert_eq!(batched, alone, "{tenant}");
    }
    assert_eq!(summary["states"]["healthy"], 13, "{summary:#}");
    assert_eq!(summary["states"]["untracked_schema"], 12, "{summary:#}");

    // Shards share the fleet out, each tenant once; `/N` reads the index
    // from JOB_COMPLETION_INDEX as a pod of an Indexed Job does.
    let mut seen = BTreeSet::new();
    for index in 0..3 {
        let shard = format!("{index}/3");
        let (part, _) = jsonl(
            &fleet_run(
                &database.url,
                &["diagnose", "--each-schema", "tenant_*", "--shard", &shard],
                &[],
            )
            .stdout,
        );
        for name in part.keys() {
            assert!(seen.insert(name.clone()), "{name} in two shards");
        }
        let index_text = index.to_string();
        let (from_env, _) = jsonl(
            &fleet_run(
                &database.url,
                &["diagnose", "--each-schema", "tenant_*", "--shard", "/3"],
                &[("JOB_COMPLETION_INDEX", &index_text)],
            )
            .stdout,
        );
        assert_eq!(
            from_env.keys().collect::<Vec<_>>(),
            part.keys().collect::<Vec<_>>()
        );
    }
    assert_eq!(seen.len(), 50);

    // Recover the fleet: each untracked or corrupted tenant stamped at what
    // its schema proves, under its own lock, one audit line each.
    let audit = tempfile::NamedTempFile::new().expect("tempfile");
    let audit_path = audit.path().display().to_string();
    let out = fleet_run(
        &database.url,
        &[
            "recover",
            "--each-schema",
            "tenant_*",
            "--yes",
            "--audit-log",
            &audit_path,
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let (recovered, _) = jsonl(&out.stdout);
    let applied: BTreeSet<&String> = recovered
        .iter()
        .filter(|(_, value)| value["applied"] == true)
        .map(|(name, _)| name)
        .collect();
    let repaired: BTreeSet<&String> = kinds
        .iter()
        .filter(|(_, kind)| matches!(**kind, "untracked" | "corrupted"))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(applied, repaired);
    let record = std::fs::read_to_string(audit.path()).expect("audit log");
    let schemas: BTreeSet<String> = record
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("JSON record");
            value["schema"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert_eq!(schemas, repaired.into_iter().cloned().collect());

    // alembic agrees, tenant by tenant; `other` was left alone.
    for tenant in ["tenant_02", "tenant_03", "tenant_00"] {
        let current = database.alembic(
            &fixture(CONFIG),
            &["-x", &format!("tenant={tenant}"), "current"],
        );
        assert!(
            current.stdout.contains(HEAD),
            "{tenant}: {}",
            current.stderr
        );
    }
    let other = database.alembic(&fixture(CONFIG), &["-x", "tenant=other", "current"]);
    assert!(
        !other.stdout.contains(HEAD),
        "a schema outside the glob stays as it was"
    );

    let out = fleet_run(&database.url, &["ensure", "--each-schema", "tenant_*"], &[]);
    assert_eq!(out.code, 0, "healthy or behind everywhere: {}", out.stdout);
    let (_, summary) = jsonl(&out.stdout);
    assert_eq!(summary["states"]["healthy"], 37, "{summary:#}");
    assert_eq!(summary["states"]["behind"], 13, "{summary:#}");
}

/// Twenty tenant databases dropped at the end.
struct Tenants {
    python: std::path::PathBuf,
    server: String,
    names: Vec<String>,
}

impl Drop for Tenants {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = run(Command::new(&self.python).arg(live_db_script()).args([
                "drop",
                &self.server,
                name,
            ]));
        }
    }
}

fn mariadb_twenty_tenant_databases() {
    let python = reference_python();
    let home = TestDatabase::create(&python, "mysql");
    let prefix = home
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    // The first two are drifted (a column shorter than any revision makes
    // it): recovery refuses them, which stops a rollout with
    // --max-failures 0.
    let kinds: BTreeMap<String, &str> = (0..20)
        .map(|at| {
            let kind = if at < 2 { "drifted" } else { STATES[at % 4] };
            (format!("{prefix}_t{at:02}"), kind)
        })
        .collect();
    let tenants = Tenants {
        python: python.clone(),
        server: server_url("mysql"),
        names: kinds.keys().cloned().collect(),
    };
    let specs: Vec<String> = kinds
        .iter()
        .map(|(name, kind)| {
            format!(
                "{name}:{}",
                if *kind == "drifted" { "healthy" } else { kind }
            )
        })
        .collect();
    make_tenants(&home, &home.url, &specs);
    for (name, kind) in &kinds {
        if *kind == "drifted" {
            let url = with_database(&home.url, name);
            let out = run(Command::new(&python).arg(live_db_script()).args([
                "sql",
                &url,
                "ALTER TABLE users MODIFY email VARCHAR(40) NOT NULL",
            ]));
            assert_eq!(out.code, 0, "{}", out.stderr);
        }
    }
    let glob = format!("{prefix}_t*");

    let out = fleet_run(
        &home.url,
        &["diagnose", "--each-schema", &glob, "--jobs", "4"],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let (targets, summary) = jsonl(&out.stdout);
    assert_eq!(states_of(&targets), expected_states(&kinds));
    assert_eq!(summary["targets"], 20);

    // Waves of two; the first fails twice, so no other wave starts.
    let out = fleet_run(
        &home.url,
        &[
            "recover",
            "--each-schema",
            &glob,
            "--yes",
            "--jobs",
            "2",
            "--max-failures",
            "0",
        ],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    let (ran, summary) = jsonl(&out.stdout);
    assert_eq!(ran.len(), 2, "{}", out.stdout);
    assert_eq!(
        summary["skipped"].as_array().map(Vec::len),
        Some(18),
        "{summary:#}"
    );
    let first_two: Vec<&String> = kinds.keys().take(2).collect();
    assert_eq!(ran.keys().collect::<Vec<_>>(), first_two);

    // Without the bound every tenant runs; the drifted ones are refused
    // and named, the rest are recovered.
    let out = fleet_run(&home.url, &["ensure", "--each-schema", &glob], &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let (ensured, summary) = jsonl(&out.stdout);
    assert_eq!(ensured.len(), 20);
    assert_eq!(summary["failed"], 2, "{summary:#}");
    for (name, kind) in &kinds {
        let value = &ensured[name];
        if *kind == "drifted" {
            assert!(value["refused"].is_string(), "{value:#}");
        } else {
            assert!(
                matches!(value["state"].as_str(), Some("healthy" | "behind")),
                "{value:#}"
            );
        }
    }
    let url = with_database(&home.url, &format!("{prefix}_t03"));
    let current = run(Command::new(
        python
            .parent()
            .map_or_else(|| "alembic".into(), |bin| bin.join("alembic")),
    )
    .args(["-c"])
    .arg(fixture(CONFIG))
    .arg("current")
    .env("MIGRATION_DOCTOR_TEST_URL", &url));
    assert!(current.stdout.contains(HEAD), "{}", current.stderr);
    drop(tenants);
}

/// `--databases -`: URLs on standard input, one of them unreachable: the
/// others are diagnosed, it is reported as an error, and the exit code is
/// the worst (3).
fn databases_from_standard_input() {
    let python = reference_python();
    let first = TestDatabase::create(&python, "sqlite");
    let second = TestDatabase::create(&python, "sqlite");
    for database in [&first, &second] {
        let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "head"]);
        assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    }
    second.sql(&["DROP TABLE alembic_version"]);
    let list = format!(
        "# tenants\n{}\n\npostgresql://nobody:secret@127.0.0.1:1/gone\n{}\n",
        first.url, second.url
    );
    let mut child = doctor()
        .arg("-c")
        .arg(fixture(CONFIG))
        .args(["diagnose", "--databases", "-", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(list.as_bytes())
        .expect("write the list");
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(
        !stdout.contains("secret"),
        "the password stays hidden: {stdout}"
    );
    let (targets, summary) = jsonl(&stdout);
    assert_eq!(targets.len(), 3, "{stdout}");
    let states: Vec<String> = states_of(&targets).into_values().collect();
    assert!(states.contains(&"healthy".to_owned()), "{stdout}");
    assert!(states.contains(&"untracked_schema".to_owned()), "{stdout}");
    assert!(states.contains(&"error".to_owned()), "{stdout}");
    assert_eq!(summary["exit_code"], 3, "{summary:#}");
}

fn main() {
    common::harness::main(&[
        test!(postgresql_fifty_tenant_schemas, Alembic, Postgresql),
        test!(mariadb_twenty_tenant_databases, Alembic, Mysql),
        test!(databases_from_standard_input, Alembic),
    ]);
}
