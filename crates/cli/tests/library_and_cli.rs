//! The library and the command line are faces of one session: for the same
//! project and database they give the same diagnosis and the same plan,
//! with the ini's `[migration_doctor] ignore_tables` and relative SQLite
//! paths (from a flag: the working directory; from the ini: its folder).
//!
//! This file holds one test: it changes the process's working directory.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;
use migration_doctor::{
    AlembicStateRecovery, Attendance, ConfigRequest, Doctor, DoctorOptions, EnsureOptions,
    MigrationStateAnalyzer, RecoveryRequest,
};
use serde_json::Value;

/// The parts of a diagnosis both faces must agree on.
fn essentials(diagnosis: &Value) -> Value {
    serde_json::json!({
        "state": diagnosis["state"],
        "strategy": diagnosis["strategy"],
        "evidence": diagnosis["evidence"],
        "matched_revisions": diagnosis["matched_revisions"],
        "candidate_revisions": diagnosis["candidate_revisions"],
        "pending_revisions": diagnosis["pending_revisions"],
        "findings": diagnosis["findings"]
            .as_array()
            .map(|findings| {
                findings
                    .iter()
                    .map(|finding| serde_json::json!([finding["severity"], finding["code"]]))
                    .collect::<Vec<_>>()
            }),
        "plan": diagnosis["plan"],
    })
}

/// The same parts, read from the library's diagnosis.
fn library_essentials(diagnosis: &migration_doctor::diagnosis::Diagnosis) -> Value {
    let findings: Vec<Value> = diagnosis
        .findings
        .iter()
        .map(|finding| serde_json::json!([finding.severity.name(), finding.code.name()]))
        .collect();
    serde_json::json!({
        "state": diagnosis.state.name(),
        "strategy": diagnosis.strategy.name(),
        "evidence": diagnosis.evidence.name(),
        "matched_revisions": diagnosis.matched_revisions,
        "candidate_revisions": diagnosis
            .candidate_revisions
            .iter()
            .map(|set| set.join("+"))
            .collect::<Vec<_>>(),
        "pending_revisions": diagnosis.pending_revisions,
        "findings": findings,
        "plan": diagnosis.plan,
    })
}

fn the_library_and_the_command_line_agree() {
    let python = reference_python();
    let (_dir, project) = copy_tree(&workspace_root().join("example"));
    // A column nobody's migration made, on a table the ini tells us to ignore.
    let ini = project.join("alembic.ini");
    let text = std::fs::read_to_string(&ini).expect("ini");
    std::fs::write(
        &ini,
        format!("{text}\n[migration_doctor]\nignore_tables = invoices\n"),
    )
    .expect("ini");
    let out = run(std::process::Command::new(&python)
        .arg(live_db_script())
        .args([
            "sql",
            &format!("sqlite:///{}", project.join("shop.db").display()),
            "ALTER TABLE invoices ADD COLUMN note TEXT",
        ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::env::set_current_dir(&project).expect("cd");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // A relative URL from the flag (the working directory) and none at all
    // (the ini's, relative to its folder): the same database either way.
    for url in [Some("sqlite:///shop.db"), None] {
        let mut command = doctor();
        command
            .current_dir(&project)
            .args(["-c", "alembic.ini", "diagnose", "--json"]);
        if let Some(url) = url {
            command.args(["--database-url", url]);
        }
        let cli = run(&mut command);
        let cli: Value = serde_json::from_str(&cli.stdout)
            .unwrap_or_else(|_| panic!("JSON: {}\n{}", cli.stdout, cli.stderr));
        let session = Doctor::open(&DoctorOptions {
            config: ConfigRequest {
                config_file: Some("alembic.ini".into()),
                working_dir: project.clone(),
                ..ConfigRequest::default()
            },
            database_url: url.map(str::to_owned),
            ..DoctorOptions::default()
        })
        .expect("session");
        let library = runtime.block_on(session.examine()).expect("examined");
        let library = library_essentials(&library.diagnosis);
        assert_eq!(library, essentials(&cli), "url {url:?}");
        assert_eq!(cli["evidence"], "proven", "{cli:#}");

        // The same plan from both, as a dry run.
        let mut command = doctor();
        command
            .current_dir(&project)
            .args(["-c", "alembic.ini", "recover", "--dry-run", "--json"]);
        if let Some(url) = url {
            command.args(["--database-url", url]);
        }
        let cli_plan = run(&mut command);
        let cli_plan: Value = serde_json::from_str(&cli_plan.stdout)
            .unwrap_or_else(|_| panic!("JSON: {}\n{}", cli_plan.stdout, cli_plan.stderr));
        let library_plan = runtime
            .block_on(session.recover(&RecoveryRequest {
                attendance: Attendance::Attended,
                dry_run: true,
                ..RecoveryRequest::default()
            }))
            .expect("dry run");
        assert_eq!(
            serde_json::to_value(&library_plan.outcome.statements).expect("JSON"),
            cli_plan["plan"],
        );
    }

    // The seed's names, over the same session: the analyzer agrees, and
    // the recovery honours the ini's ignore_tables (it does not refuse
    // under the lock what the diagnosis proposed).
    let analyzer = MigrationStateAnalyzer::new("sqlite:///shop.db", project.join("alembic.ini"));
    let analysed = runtime
        .block_on(analyzer.analyze_migration_state())
        .expect("analysed");
    assert_eq!(
        analysed.matched_revisions,
        ["9d0e1f2a3b4c"],
        "{analysed:#?}"
    );
    let recovery = AlembicStateRecovery {
        database_url: "sqlite:///shop.db".to_owned(),
        options: EnsureOptions::new(project.join("alembic.ini")),
    };
    let outcome = runtime
        .block_on(recovery.initialize_alembic_version_for_existing_schema())
        .expect("the library recovers what the diagnosis proved");
    assert_eq!(outcome.after, Some(vec![Some("9d0e1f2a3b4c".to_owned())]));
}

fn main() {
    common::harness::main(&[test!(the_library_and_the_command_line_agree, Alembic)]);
}
