//! The four renderings of one branched, merged, labelled history, as
//! snapshots (review changes with `cargo insta review`).

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;

fn graph(case: &str, format: &str) -> String {
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(&format!("scripts/{case}/alembic.ini")))
        .args(["graph", "--format", format]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

fn text_resembles_alembic_history() {
    insta::assert_snapshot!("branched_text", graph("branched", "text"));
    insta::assert_snapshot!("labelled_text", graph("labelled", "text"));
}

fn dot() {
    insta::assert_snapshot!("branched_dot", graph("branched", "dot"));
}

fn mermaid() {
    insta::assert_snapshot!("labelled_mermaid", graph("labelled", "mermaid"));
}

fn global_options_after_the_command() {
    let config = fixture("scripts/linear/alembic.ini");
    let before = run(doctor().arg("--json").arg("-c").arg(&config).arg("graph"));
    let after = run(doctor().arg("graph").arg("-c").arg(&config).arg("--json"));
    assert_eq!(before.code, 0);
    assert_eq!(before.stdout, after.stdout);
}

fn main() {
    common::harness::main(&[
        test!(text_resembles_alembic_history),
        test!(dot),
        test!(mermaid),
        test!(global_options_after_the_command),
    ]);
}
