//! `recover` and `ensure` on PostgreSQL, MariaDB and SQLite: after recovery
//! the real alembic agrees (`alembic current`) and `alembic upgrade heads`
//! succeeds; refusing states are left exactly as they were; the dry run
//! prints the statements later executed; sixteen processes racing through
//! `ensure` leave one correct set of rows.

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

fn snapshot(database: &TestDatabase) -> Value {
    let out = run(doctor().args([
        "schema",
        "--live",
        "--json",
        "--database-url",
        &database.url,
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("JSON")
}

fn recovers(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "r07r07r07r07"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["INSERT INTO users (id, email, login, karma) VALUES (1, 'a@b.c', 'ada', 3)"]);

    // Untracked: dry run, refusal without a terminal, then the real thing.
    database.sql(&["DROP TABLE alembic_version"]);
    let (code, dry, _) = doctor_json(&database, &["recover", "--dry-run"]);
    assert_eq!((code, &dry["applied"]), (0, &json!(false)), "{dry:#}");
    let planned = dry["plan"].clone();
    let before = snapshot(&database);
    let (code, _, stderr) = doctor_json(&database, &["recover"]);
    assert_eq!(
        code, 1,
        "without --yes and without a terminal it refuses: {stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    assert_eq!(snapshot(&database), before, "the refusal wrote nothing");
    // Every write is recorded first: an audit log that cannot be written
    // stops the recovery before it writes.
    let (code, _, stderr) = doctor_json(
        &database,
        &[
            "recover",
            "--yes",
            "--audit-log",
            "/nonexistent/folder/audit.log",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        snapshot(&database),
        before,
        "nothing written without its record"
    );
    let audit = tempfile::NamedTempFile::new().expect("tempfile");
    let (code, done, stderr) = doctor_json(
        &database,
        &[
            "recover",
            "--yes",
            "--audit-log",
            &audit.path().display().to_string(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(done["applied"], json!(true));
    assert_eq!(
        done["plan"], planned,
        "the dry run printed the statements executed"
    );
    assert_eq!(done["after"], json!(["r07r07r07r07"]));
    assert!(alembic_current(&database).contains("r07r07r07r07"));
    let record = std::fs::read_to_string(audit.path()).expect("audit log");
    assert!(
        record.contains("DROP TABLE") && record.contains("r07r07r07r07"),
        "{record}"
    );
    let entries: Vec<Value> = record
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(entries.len(), 2, "intent and outcome: {record}");
    assert_eq!(
        (&entries[0]["phase"], &entries[0]["applied"]),
        (&json!("intent"), &json!(false)),
        "{record}"
    );
    let entry = &entries[1];
    assert_eq!(entry["phase"], "outcome", "{entry:#}");
    assert_eq!(entry["evidence"], "proven", "{entry:#}");
    assert_eq!(entry["state"], "untracked_schema", "{entry:#}");
    assert!(
        entry["tool_version"].is_string() && entry["configuration"].is_string(),
        "{entry:#}"
    );

    // Corrupted: an unknown id is never rewritten without the revision
    // named; named, it is; then alembic carries on.
    database.sql(&["UPDATE alembic_version SET version_num = 'deadbeef0000'"]);
    let (code, refused, _) = doctor_json(&database, &["recover", "--yes"]);
    assert_eq!(
        (code, &refused["evidence"], &refused["after"]),
        (1, &json!("needs_confirmation"), &json!(["deadbeef0000"])),
        "{refused:#}"
    );
    let (code, repaired, stderr) = doctor_json(
        &database,
        &["recover", "--yes", "--to-revision", "r07r07r07r07"],
    );
    assert_eq!(
        (code, &repaired["after"]),
        (0, &json!(["r07r07r07r07"])),
        "{stderr}\n{repaired:#}"
    );
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "heads"]);
    assert_eq!(
        upgraded.code, 0,
        "alembic upgrade heads after recovery: {}",
        upgraded.stderr
    );
    assert!(alembic_current(&database).contains(HEAD));
    let users = snapshot(&database);
    assert!(users["tables"]["users"].is_object());

    // Partial: the rows lag behind the schema; re-stamped to what it proves.
    database.sql(&["UPDATE alembic_version SET version_num = 'r06r06r06r06'"]);
    let (code, partial, stderr) = doctor_json(&database, &["recover", "--yes"]);
    assert_eq!(
        (code, &partial["strategy"], &partial["after"]),
        (0, &json!("complete_partial_migration"), &json!([HEAD])),
        "{stderr}\n{partial:#}"
    );

    // Idempotent, and refusing states are left alone.
    let (code, again, _) = doctor_json(&database, &["recover", "--yes"]);
    assert_eq!((code, &again["applied"]), (0, &json!(false)));
    database.sql(&[
        "CREATE TABLE rogue (id INTEGER PRIMARY KEY)",
        "UPDATE alembic_version SET version_num = 'deadbeef0000'",
    ]);
    let before = snapshot(&database);
    let (code, refused, _) = doctor_json(&database, &["recover", "--yes"]);
    assert_eq!(code, 1, "{refused:#}");
    assert!(refused["refused"].is_string(), "{refused:#}");
    assert_eq!(
        snapshot(&database),
        before,
        "a refusing state is left exactly as it was"
    );

    // --to-revision checks the schema, --force overrides.
    database.sql(&["DROP TABLE rogue"]);
    let (code, wrong, _) = doctor_json(
        &database,
        &["recover", "--yes", "--to-revision", "r02r02r02r02"],
    );
    assert_eq!(code, 1, "{wrong:#}");
    let (code, chosen, stderr) =
        doctor_json(&database, &["recover", "--yes", "--to-revision", HEAD]);
    assert_eq!((code, &chosen["after"]), (0, &json!([HEAD])), "{stderr}");
}

fn sqlite_recovers() {
    recovers("sqlite");
}

fn postgresql_recovers() {
    recovers("postgresql");
}

fn mariadb_recovers() {
    recovers("mysql");
}

fn sixteen_processes(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "head"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["DROP TABLE alembic_version"]);
    let children: Vec<_> = (0..16)
        .map(|_| {
            doctor()
                .arg("-c")
                .arg(fixture(CONFIG))
                .args([
                    "ensure",
                    "--lock-timeout",
                    "60",
                    "--database-url",
                    &database.url,
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "ensure failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let live = snapshot(&database);
    assert_eq!(
        live["version_table"]["rows"],
        json!([HEAD]),
        "exactly one correct row"
    );
}

fn sqlite_sixteen_ensures() {
    sixteen_processes("sqlite");
}

fn postgresql_sixteen_ensures() {
    sixteen_processes("postgresql");
}

fn mariadb_sixteen_ensures() {
    sixteen_processes("mysql");
}

fn ensure_then_runs_the_migrations() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "sqlite");
    let upgrade = format!(
        "MIGRATION_DOCTOR_TEST_URL='{}' '{}' -m alembic -c '{}' upgrade heads",
        database.url,
        python.display(),
        fixture(CONFIG).display()
    );
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "ensure",
        "--then",
        &upgrade,
        "--database-url",
        &database.url,
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("final state: healthy"),
        "{}",
        out.stdout
    );
    // The verdict comes before the command's own output, the result after.
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "ensure",
        "--then",
        "echo FROM-THE-COMMAND",
        "--database-url",
        &database.url,
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    // Every write path names the database and where its URL came from.
    assert!(
        out.stderr.contains("database: sqlite:") && out.stderr.contains("(URL from flag)"),
        "{}",
        out.stderr
    );
    let verdict = out.stdout.find("healthy").expect("verdict");
    let command = out.stdout.find("FROM-THE-COMMAND").expect("command output");
    let result = out.stdout.find("final state").expect("result");
    assert!(verdict < command && command < result, "{}", out.stdout);

    // First boot on SQLite: no file yet is fresh, and the migrations create it.
    let scratch = tempfile::tempdir().expect("tempdir");
    let file = scratch.path().join("first.db");
    let url = format!("sqlite:///{}", file.display());
    let upgrade = format!(
        "MIGRATION_DOCTOR_TEST_URL='{url}' '{}' -m alembic -c '{}' upgrade heads",
        python.display(),
        fixture(CONFIG).display()
    );
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "ensure",
        "--then",
        &upgrade,
        "--database-url",
        &url,
    ]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(file.is_file(), "the migrations created the database");
    assert!(
        out.stdout.contains("final state: healthy"),
        "{}",
        out.stdout
    );
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "diagnose",
        "--database-url",
        &format!("sqlite:///{}", scratch.path().join("other.db").display()),
    ]));
    assert_eq!(out.code, 3, "diagnose never creates a file: {}", out.stderr);

    // A failing command's own status comes back, not "unreachable".
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "ensure",
        "--then",
        "exit 7",
        "--database-url",
        &database.url,
    ]));
    assert_eq!(out.code, 7, "{}\n{}", out.stdout, out.stderr);
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "ensure",
        "--then",
        "no-such-command-anywhere",
        "--database-url",
        &database.url,
    ]));
    assert_eq!(out.code, 127, "{}\n{}", out.stdout, out.stderr);
}

/// Under --format json an error is a JSON object on standard output.
fn errors_under_json_are_json() {
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "diagnose",
        "--json",
        "--database-url",
        "postgresql://nobody:secret@127.0.0.1:1/x",
    ]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    let error: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON on stdout, got {}", out.stdout));
    assert_eq!(error["error"]["exit_code"], 3, "{error:#}");
    assert_eq!(error["error"]["code"], "database", "{error:#}");
    assert!(!out.stdout.contains("secret"), "{}", out.stdout);
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "recover",
        "--json",
        "--to-revision",
        "nosuchrevision",
        "--database-url",
        "sqlite:///nowhere.db",
    ]));
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    let error: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON on stdout, got {}", out.stdout));
    assert_eq!(error["error"]["code"], "usage", "{error:#}");
}

fn a_held_lock_times_out_and_names_its_holder() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "head"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["DROP TABLE alembic_version"]);
    // Another session takes migration-doctor's lock for this table and sleeps.
    let holder = std::process::Command::new(&python)
        .arg("-c")
        .arg(format!(
            "import sqlalchemy as sa, time\n\
             e = sa.create_engine('{}')\n\
             c = e.connect()\n\
             c.execute(sa.text(\"SET application_name = 'the-other-migrator'\"))\n\
             import sys\n\
             key = int(sys.argv[1])\n\
             c.execute(sa.text('SELECT pg_advisory_lock(19780, :k)'), {{'k': key}})\n\
             print('locked', flush=True)\n\
             time.sleep(30)\n",
            database.url
        ))
        .arg(lock_hash(&database))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the holder");
    let mut holder = holder;
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(holder.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    assert_eq!(line.trim(), "locked");
    let (code, error, stderr) =
        doctor_json(&database, &["recover", "--yes", "--lock-timeout", "1"]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code, 5, "{stderr}");
    assert_eq!(error["error"]["code"], "lock_timeout", "{error:#}");
    assert_eq!(error["error"]["exit_code"], 5, "{error:#}");
    assert!(
        stderr.contains("lock") && stderr.contains("the-other-migrator"),
        "{stderr}"
    );
}

/// The advisory lock key migration-doctor uses for this database's version table.
fn lock_hash(database: &TestDatabase) -> String {
    let name = database.url.rsplit('/').next().unwrap_or_default();
    let place = format!("{name}..alembic_version");
    let mut hash: u32 = 0x811c_9dc5;
    for byte in place.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash as i32).to_string()
}

/// The recovering process is killed after each statement of its plan in
/// turn; the next run completes the recovery and no user row is lost.
fn killed_at_every_step(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "head"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    database.sql(&["INSERT INTO users (id, email, login, karma) VALUES (7, 'k@k.k', 'kim', 1)"]);
    for step in 0..2 {
        database.sql(&["DROP TABLE alembic_version"]);
        let killed = run(doctor()
            .arg("-c")
            .arg(fixture(CONFIG))
            .args(["recover", "--yes", "--database-url", &database.url])
            .env("MIGRATION_DOCTOR_CRASH_AFTER_STATEMENT", step.to_string()));
        assert_ne!(killed.code, 0, "step {step}: the process should have died");
        let (code, done, stderr) = doctor_json(&database, &["recover", "--yes"]);
        assert_eq!(code, 0, "step {step}: {stderr}\n{done:#}");
        let live = snapshot(&database);
        assert_eq!(live["version_table"]["rows"], json!([HEAD]), "step {step}");
        assert!(alembic_current(&database).contains(HEAD), "step {step}");
    }
    let rows = run(std::process::Command::new(&python)
        .arg("-c")
        .arg(format!(
            "import sqlalchemy as sa\nprint(sa.create_engine('{}').connect().execute(sa.text('SELECT count(*) FROM users')).scalar())",
            database.url
        )));
    assert_eq!(rows.stdout.trim(), "1", "no user row lost: {}", rows.stderr);
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

fn a_user_who_may_not_write_gets_a_clear_refusal() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let upgraded = database.alembic(&fixture(CONFIG), &["upgrade", "head"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.stderr);
    let role = format!("md_reader_w_{}", std::process::id());
    let server = server_url("postgresql");
    let sql = |statements: &[&str]| {
        run(std::process::Command::new(&python)
            .arg(live_db_script())
            .args(["sql", &server])
            .args(statements))
    };
    assert_eq!(sql(&[&format!("CREATE ROLE {role} LOGIN")]).code, 0);
    database.sql(&[
        &format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"),
        "UPDATE alembic_version SET version_num = ''",
    ]);
    let as_reader = database.url.replacen("postgres@", &format!("{role}@"), 1);
    let out = run(doctor().arg("-c").arg(fixture(CONFIG)).args([
        "recover",
        "--yes",
        "--database-url",
        &as_reader,
    ]));
    database.sql(&[&format!(
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"
    )]);
    let _ = sql(&[&format!("DROP ROLE IF EXISTS {role}")]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains(&format!("user `{role}` may not write the version table")),
        "{}",
        out.stderr
    );
    let rows = snapshot(&database);
    assert_eq!(
        rows["version_table"]["rows"],
        json!([""]),
        "nothing half-written"
    );
}

fn main() {
    common::harness::main(&[
        test!(sqlite_recovers, Alembic),
        test!(postgresql_recovers, Alembic, Postgresql),
        test!(mariadb_recovers, Alembic, Mysql),
        test!(sqlite_sixteen_ensures, Alembic),
        test!(postgresql_sixteen_ensures, Alembic, Postgresql),
        test!(mariadb_sixteen_ensures, Alembic, Mysql),
        test!(ensure_then_runs_the_migrations, Alembic),
        test!(errors_under_json_are_json),
        test!(
            a_held_lock_times_out_and_names_its_holder,
            Alembic,
            Postgresql
        ),
        test!(sqlite_killed_at_every_step, Alembic, FaultInjection),
        test!(
            postgresql_killed_at_every_step,
            Alembic,
            Postgresql,
            FaultInjection
        ),
        test!(mariadb_killed_at_every_step, Alembic, Mysql, FaultInjection),
        test!(
            a_user_who_may_not_write_gets_a_clear_refusal,
            Alembic,
            Postgresql
        ),
    ]);
}
