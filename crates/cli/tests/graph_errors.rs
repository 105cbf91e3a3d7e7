//! Broken scripts exit 4 and configuration mistakes exit 2, each with a
//! message that names the cause, the file, and the next step.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use common::harness::test;
use common::*;

fn graph_of(case: &str) -> Run {
    run(doctor()
        .arg("-c")
        .arg(fixture(&format!("broken/{case}/alembic.ini")))
        .arg("graph"))
}

fn assert_invalid(case: &str, fragments: &[&str]) {
    let out = graph_of(case);
    assert_eq!(out.code, 4, "{case}: exit code\n{}", out.stderr);
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "{case}: `{fragment}` missing from:\n{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("panicked"), "{case}: {}", out.stderr);
}

fn cycle() {
    assert_invalid(
        "cycle",
        &[
            "cycle: bbbb0002 -> cccc0003 -> dddd0004 -> bbbb0002",
            "versions/c_two.py",
            "fix the down_revision",
        ],
    );
}

fn missing_down_revision() {
    assert_invalid(
        "missing_down_revision",
        &[
            "versions/b_next.py",
            "down_revision aaaa0007",
            "did you mean aaaa0001?",
            "restore the missing file",
        ],
    );
}

fn duplicate_revision() {
    assert_invalid(
        "duplicate_revision",
        &[
            "bbbb0002 is declared by more than one file",
            "versions/b_copy.py",
            "versions/b_next.py",
        ],
    );
}

fn syntax_error_names_file_and_line() {
    assert_invalid(
        "syntax_error",
        &["versions/b_broken.py:8:", "not valid Python"],
    );
}

fn computed_revision_id() {
    assert_invalid(
        "computed_revision",
        &[
            "versions/b_computed.py:4:1",
            "`revision` is computed",
            "uuid.uuid4()",
        ],
    );
}

fn duplicate_branch_label() {
    assert_invalid(
        "duplicate_label",
        &[
            "branch label `shared`",
            "versions/a_base.py",
            "versions/b_other.py",
        ],
    );
}

fn illegal_revision_id() {
    assert_invalid("illegal_id", &["`aaaa-0001`", "'-'"]);
}

fn ambiguous_and_unknown_identifiers() {
    let config = fixture("scripts/branched/alembic.ini");
    let out = run(doctor()
        .arg("-c")
        .arg(&config)
        .args(["graph", "-r", "a000:head"]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains("`head` is ambiguous") && out.stderr.contains("0a000007, e0000005"),
        "{}",
        out.stderr
    );

    let out = run(doctor()
        .arg("-c")
        .arg(fixture("broken/duplicate_label/alembic.ini"))
        .args(["graph", "-r", ":bbbb"]));
    assert_eq!(out.code, 4);

    let dir = tempfile::tempdir().expect("tempdir");
    let versions = dir.path().join("migrations/versions");
    std::fs::create_dir_all(&versions).expect("mkdir");
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = migrations\n",
    )
    .expect("ini");
    for (id, down) in [("ab12cd01", "None"), ("ab12cd02", "'ab12cd01'")] {
        std::fs::write(
            versions.join(format!("{id}.py")),
            format!("revision = '{id}'\ndown_revision = {down}\n"),
        )
        .expect("rev");
    }
    let out = run(doctor()
        .current_dir(dir.path())
        .args(["graph", "-r", "ab12:"]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains("`ab12` is ambiguous") && out.stderr.contains("ab12cd01, ab12cd02"),
        "{}",
        out.stderr
    );
    let out = run(doctor()
        .current_dir(dir.path())
        .args(["graph", "-r", "ab12cd01:ab13"]));
    assert_eq!(out.code, 4);
    assert!(
        out.stderr.contains("no revision or branch label `ab13`"),
        "{}",
        out.stderr
    );
    let out = run(doctor().current_dir(dir.path()).args([
        "graph",
        "-r",
        "ab12cd01+1:",
        "--format",
        "json",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    let ids: Vec<&str> = json["revisions"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|revision| revision["revision"].as_str())
        .collect();
    assert_eq!(ids, ["ab12cd02"]);
}

fn temp_project(ini: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("alembic.ini"), ini).expect("write");
    dir
}

fn assert_usage(out: &Run, fragments: &[&str]) {
    assert_eq!(out.code, 2, "exit code; stderr:\n{}", out.stderr);
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "`{fragment}` missing from:\n{}",
            out.stderr
        );
    }
}

fn configuration_mistakes() {
    let out = run(doctor().args(["-c", "/nonexistent/alembic.ini", "graph"]));
    assert_usage(
        &out,
        &["/nonexistent/alembic.ini does not exist", "-c/--config"],
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let out = run(doctor().current_dir(empty.path()).arg("graph"));
    assert_usage(&out, &["no alembic.ini", "--script-location"]);

    let dir = temp_project("[alembic]\nscript_location = myapp:migrations\n");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(
        &out,
        &["`myapp:migrations`", "Python package", "--script-location"],
    );

    let dir = temp_project("[alembic]\nscript_location = %(here)s/missing\n");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["missing does not exist", "script_location"]);

    let dir = temp_project("[alembic]\nsqlalchemy.url = sqlite://\n");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["no `script_location`", "--script-location"]);

    let dir = temp_project("[alembic]\nscript_location = .\n");
    let out = run(doctor()
        .current_dir(dir.path())
        .args(["--name", "other", "graph"]));
    assert_usage(&out, &["no section [other]", "--name"]);

    let dir = temp_project(
        "[alembic]\nscript_location = .\nversion_locations = a b\npath_separator = comma\n",
    );
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["`path_separator = comma`", "space, newline, os"]);

    let dir = temp_project("[alembic]\nscript_location = %(nothing)s/x\n");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["%(nothing)s", "alembic.ini"]);

    let dir = temp_project("[alembic\nscript_location = .\n");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["not a valid ini file"]);

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.alembic]\nscript_location = 3\n",
    )
    .expect("write");
    let out = run(doctor().current_dir(dir.path()).arg("graph"));
    assert_usage(&out, &["`script_location` must be a string"]);

    let out = run(doctor().args(["graph", "--format", "yaml"]));
    assert_eq!(out.code, 2, "{}", out.stderr);

    // `-c DIR` says it is a directory, and names the file inside it.
    let dir = temp_project("[alembic]\nscript_location = .\n");
    let out = run(doctor().arg("-c").arg(dir.path()).arg("graph"));
    assert_usage(&out, &["is a directory", "alembic.ini", "-c/--config"]);

    // From a subfolder without -c: the alembic.ini above is named.
    let sub = dir.path().join("app").join("models");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let out = run(doctor().current_dir(&sub).arg("graph"));
    assert_usage(&out, &["no alembic.ini", "there is one above it"]);
}

fn script_location_flag_needs_no_config() {
    let empty = tempfile::tempdir().expect("tempdir");
    let out = run(doctor()
        .current_dir(empty.path())
        .arg("--script-location")
        .arg(fixture("scripts/linear/migrations"))
        .args(["graph", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("\"path\": \"versions/1a2b3c4d5e6f_create_users.py\""),
        "{}",
        out.stdout
    );
}

fn helper_files_without_revision_are_ignored_with_a_warning() {
    let dir = temp_project("[alembic]\nscript_location = m\n");
    let versions = dir.path().join("m/versions");
    std::fs::create_dir_all(&versions).expect("mkdir");
    std::fs::write(
        versions.join("a1_first.py"),
        "revision = 'a1a1'\ndown_revision = None\n",
    )
    .expect("w");
    std::fs::write(versions.join("helpers.py"), "def shared():\n    return 1\n").expect("w");
    let out = run(doctor().current_dir(dir.path()).args(["graph", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: versions/helpers.py: no `revision` variable"),
        "{}",
        out.stderr
    );
    let quiet = run(doctor()
        .current_dir(dir.path())
        .args(["-q", "graph", "--json"]));
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

/// A defect of the reader on one file is that file's problem: the others
/// are read, the run ends as invalid scripts naming it, without Rust's
/// panic report.
fn a_reader_failure_stays_with_its_file() {
    let out = run(doctor()
        .env("MIGRATION_DOCTOR_PANIC_ON_FILE", "2b3c4d5e6f70_add_name.py")
        .arg("-c")
        .arg(fixture("scripts/linear/alembic.ini"))
        .arg("graph"));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains("2b3c4d5e6f70_add_name.py"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("failed while reading this file"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked at"), "{}", out.stderr);
    assert!(!out.stderr.contains("RUST_BACKTRACE"), "{}", out.stderr);
}

/// An `--ignore-tables` pattern that is no glob is a usage error naming it,
/// before any database is touched.
fn a_malformed_ignore_pattern_is_a_usage_error() {
    let out = run(doctor()
        .arg("-c")
        .arg(fixture("scripts/linear/alembic.ini"))
        .args(["--database-url", "sqlite:///does-not-matter.db"])
        .args(["--ignore-tables", "audit_*,tmp_[x", "diagnose"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("tmp_[x"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

/// An `--ignore` pattern that names no object, or is no glob, is a usage
/// error naming it and the form to write.
fn a_malformed_object_pattern_is_a_usage_error() {
    for (pattern, said) in [("users", "TABLE.OBJECT"), ("users.[x", "users.[x")] {
        let out = run(doctor()
            .arg("-c")
            .arg(fixture("scripts/linear/alembic.ini"))
            .args(["--database-url", "sqlite:///does-not-matter.db"])
            .args(["--ignore", pattern, "diagnose"]));
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(said), "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

fn main() {
    common::harness::main(&[
        test!(cycle),
        test!(missing_down_revision),
        test!(duplicate_revision),
        test!(syntax_error_names_file_and_line),
        test!(computed_revision_id),
        test!(duplicate_branch_label),
        test!(illegal_revision_id),
        test!(ambiguous_and_unknown_identifiers),
        test!(configuration_mistakes),
        test!(script_location_flag_needs_no_config),
        test!(helper_files_without_revision_are_ignored_with_a_warning),
        test!(a_reader_failure_stays_with_its_file, FaultInjection),
        test!(a_malformed_ignore_pattern_is_a_usage_error),
        test!(a_malformed_object_pattern_is_a_usage_error),
    ]);
}
