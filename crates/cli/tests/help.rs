//! Help, shell completions and the manual page come from the same command
//! definitions: each subcommand shows its own options before the global
//! ones, with examples and exit codes.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;

fn each_command_shows_its_options_first_then_the_global_ones() {
    for command in [
        "graph",
        "schema",
        "diagnose",
        "status",
        "recover",
        "ensure",
        "interactive",
    ] {
        let out = run(doctor().args([command, "--help"]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let own = out.stdout.find("Options:").expect("own options");
        let global = out.stdout.find("Global options:").expect("global options");
        assert!(own < global, "{command}:\n{}", out.stdout);
        assert!(
            out.stdout.contains("Examples:") && out.stdout.contains("Exit codes:"),
            "{command}:\n{}",
            out.stdout
        );
    }
    let out = run(doctor().arg("--help"));
    assert!(
        out.stdout.contains("interactive") && out.stdout.contains("5 the migration lock"),
        "{}",
        out.stdout
    );
}

fn completions_and_the_manual_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(doctor().args(["completions", shell]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("migration-doctor"), "{shell}");
        assert!(out.stdout.contains("--to-revision"), "{shell}");
    }
    let out = run(doctor().arg("man"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(".TH migration-doctor"),
        "{}",
        out.stdout
    );
}

/// `-v` says what the tool does with timings, `-vv` adds the SQL; the
/// password never appears.
fn verbose_logs_mask_the_password() {
    let (_dir, project) = copy_tree(&workspace_root().join("example"));
    let out = run(doctor()
        .arg("-c")
        .arg(project.join("alembic.ini"))
        .args(["-v", "diagnose"]));
    assert!(
        out.stderr.contains("connected to") && out.stderr.contains("read 5 table(s)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("probe `SELECT 1"), "{}", out.stderr);
    let server = server_url("postgresql").replacen("postgres@", "postgres:hunter2@", 1);
    let out = run(doctor().arg("-c").arg(project.join("alembic.ini")).args([
        "-vv",
        "diagnose",
        "--database-url",
        &server,
    ]));
    if !out.stderr.contains("connected to") {
        assert!(!in_ci(), "PostgreSQL does not answer: {}", out.stderr);
        eprintln!("skipped: PostgreSQL does not answer");
        return;
    }
    assert!(out.stderr.contains("SELECT"), "-vv logs the SQL");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
}

fn main() {
    common::harness::main(&[
        test!(each_command_shows_its_options_first_then_the_global_ones),
        test!(completions_and_the_manual_page),
        test!(verbose_logs_mask_the_password, Alembic, Postgresql),
    ]);
}
