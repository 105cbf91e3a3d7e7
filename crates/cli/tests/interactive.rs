//! `interactive`, driven through a pseudo-terminal: diagnosis, plan,
//! confirmation, result; and without a terminal it refuses.

mod common;

use std::time::Duration;

use common::*;
use expectrl::{Expect, Session};

fn example_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, copy) = copy_tree(&workspace_root().join("example"));
    (dir, copy.join("alembic.ini"))
}

#[test]
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

#[test]
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

#[test]
fn refuses_without_a_terminal() {
    let (_dir, config) = example_copy();
    let out = run(doctor()
        .arg("-c")
        .arg(&config)
        .arg("interactive")
        .stdin(std::process::Stdio::null()));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("needs a terminal"), "{}", out.stderr);
}
