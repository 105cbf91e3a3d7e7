//! `interactive`, driven through a pseudo-terminal: diagnosis, plan,
//! confirmation, result; and without a terminal it refuses.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::time::Duration;

use common::harness::test;
use common::*;
use expectrl::{Expect, Session};

fn example_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, copy) = copy_tree(&workspace_root().join("example"));
    (dir, copy.join("alembic.ini"))
}

fn walks_through_and_applies_on_yes() {
    let (_dir, config) = example_copy();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_migration-doctor"));
    command
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(&config)
        .arg("interactive");
    let mut session = Session::spawn(command).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
        .expect("step 1 of 3: diagnosis")
        .expect("diagnosis step");
    session.expect("untracked_schema").expect("the state");
    session.expect("step 2 of 3: plan").expect("plan step");
    session.expect("CREATE TABLE").expect("the plan");
    session
        .expect("apply this plan now?")
        .expect("the question");
    session.send("y").expect("answer");
    session.expect("ran:").expect("the result");
    session
        .expect("after:  9d0e1f2a3b4c")
        .expect("the rows after");
    let out = run(doctor().arg("-c").arg(&config).args(["diagnose", "--json"]));
    assert!(
        out.stdout.contains("\"state\": \"behind\""),
        "{}",
        out.stdout
    );
}

fn no_changes_on_no() {
    let (_dir, config) = example_copy();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_migration-doctor"));
    command
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(&config)
        .arg("--interactive");
    let mut session = Session::spawn(command).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
        .expect("apply this plan now?")
        .expect("the question");
    session.send("n").expect("answer");
    session.expect("nothing was changed").expect("the refusal");
    let out = run(doctor().arg("-c").arg(&config).args(["diagnose", "--json"]));
    assert!(
        out.stdout.contains("\"state\": \"untracked_schema\""),
        "{}",
        out.stdout
    );
}

fn refuses_without_a_terminal() {
    let (_dir, config) = example_copy();
    let out = run(doctor()
        .arg("-c")
        .arg(&config)
        .arg("interactive")
        .stdin(std::process::Stdio::null()));
    // Asked for where it cannot work: a usage error.
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("needs a terminal"), "{}", out.stderr);
}

/// Candidates that nothing proves apart: the person picks one, sees the
/// plan for it, and confirms.
fn a_person_chooses_among_candidates() {
    let python = reference_python();
    let (_dir, config) = example_copy();
    let database = config.with_file_name("shop.db");
    // Without the invoice the backfill would change, it finds nothing left
    // to change; a revision after it whose code cannot be followed leaves
    // the merge, the backfill and itself for a person to choose.
    std::fs::write(
        config.with_file_name("migrations/versions/f0f0f0f0f0f0_reindex.py"),
        "from alembic import op\n\nrevision = 'f0f0f0f0f0f0'\ndown_revision = 'e2f3a4b5c6d7'\n\n\n\
         def upgrade():\n    op.execute(\"SELECT refresh_invoice_totals()\")\n\n\n\
         def downgrade():\n    pass\n",
    )
    .expect("a revision written");
    let out = run(std::process::Command::new(&python)
        .arg(live_db_script())
        .args(["sql", &format!("sqlite:///{}", database.display())])
        .arg("DELETE FROM invoices"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_migration-doctor"));
    command
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(&config)
        .arg("interactive");
    let mut session = Session::spawn(command).expect("a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
        .expect("which revision state is the schema at?")
        .expect("the choice");
    // The list ends with "none of these", selected by default; one up is
    // the latest candidate.
    session.send("\x1b[A").expect("arrow up");
    session.send("\r").expect("enter");
    session
        .expect("apply this plan? [y/N]")
        .expect("the plan for the choice");
    session.send_line("y").expect("answer");
    session.expect("after:").expect("the result");
    let out = run(doctor().arg("-c").arg(&config).args(["diagnose", "--json"]));
    assert!(
        out.stdout.contains("\"state\": \"healthy\""),
        "{}",
        out.stdout
    );
}

fn main() {
    common::harness::main(&[
        test!(walks_through_and_applies_on_yes),
        test!(no_changes_on_no),
        test!(refuses_without_a_terminal),
        test!(a_person_chooses_among_candidates, Alembic),
    ]);
}
