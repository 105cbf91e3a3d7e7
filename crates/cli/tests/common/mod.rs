//! Shared test helpers: the binary, the fixtures, and the reference alembic.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli lies two levels below the root")
        .to_path_buf()
}

pub fn fixture(relative: &str) -> PathBuf {
    workspace_root().join("fixtures").join(relative)
}

/// `migration-doctor` with colour off and a predictable environment.
pub fn doctor() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_migration-doctor"));
    command
        .env("NO_COLOR", "1")
        .env_remove("ALEMBIC_CONFIG")
        .env_remove("DATABASE_URL");
    command
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Run {
    let output = command.output().expect("the command starts");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0")
}

/// The Python of the virtualenv that holds the real alembic
/// (`MIGRATION_DOCTOR_PYTHON`, else `.venv/bin/python` at the root). Without
/// it the interop tests are skipped on a laptop and fail under `CI=true`.
pub fn reference_python() -> Option<PathBuf> {
    let candidate = std::env::var_os("MIGRATION_DOCTOR_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/python"));
    let works = Command::new(&candidate)
        .args(["-c", "import alembic, sqlalchemy"])
        .output()
        .is_ok_and(|output| output.status.success());
    if works {
        return Some(candidate);
    }
    let message = format!(
        "no Python with alembic at {} (set MIGRATION_DOCTOR_PYTHON, or run ./run-tests.sh which creates .venv)",
        candidate.display()
    );
    assert!(!in_ci(), "{message}");
    eprintln!("skipped: {message}");
    None
}

pub fn support_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// The graph as the real alembic builds it, in our JSON shape.
pub fn alembic_graph(python: &Path, config: &Path, extra: &[&str]) -> serde_json::Value {
    let out = run(Command::new(python)
        .arg(support_script("alembic_graph.py"))
        .arg(config)
        .args(extra));
    assert_eq!(
        out.code,
        0,
        "alembic failed on {}:\n{}",
        config.display(),
        out.stderr
    );
    serde_json::from_str(&out.stdout).expect("the helper prints JSON")
}
