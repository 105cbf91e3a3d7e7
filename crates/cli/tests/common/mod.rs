//! Shared test helpers: the binary, the fixtures, and the reference alembic.
#![allow(dead_code)]

pub mod harness;

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
/// (`MIGRATION_DOCTOR_PYTHON`, else `.venv/bin/python` at the root).
pub fn python_candidate() -> PathBuf {
    std::env::var_os("MIGRATION_DOCTOR_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/python"))
}

/// The reference Python; the harness has checked it works for every test
/// that declares `Need::Alembic` (or a database).
pub fn reference_python() -> PathBuf {
    python_candidate()
}

/// A scratch copy of `source` (a project folder), as `<tempdir>/project`.
pub fn copy_tree(source: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("project");
    let status = Command::new("cp")
        .arg("-r")
        .arg(source)
        .arg(&copy)
        .status()
        .expect("cp");
    assert!(status.success(), "copying {}", source.display());
    (dir, copy)
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

/// A database of its own for one test, dropped when the test ends.
pub struct TestDatabase {
    /// The SQLAlchemy URL of the test's database (works for us too).
    pub url: String,
    pub dialect: &'static str,
    server_url: Option<String>,
    name: String,
    python: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn live_db_script() -> PathBuf {
    support_script("live_db.py")
}

/// The server URLs the tests use (overridable for other machines).
pub fn server_url(dialect: &str) -> String {
    match dialect {
        "postgresql" => std::env::var("MIGRATION_DOCTOR_PG_URL")
            .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/postgres".to_owned()),
        _ => std::env::var("MIGRATION_DOCTOR_MYSQL_URL")
            .unwrap_or_else(|_| "mysql+pymysql://root@127.0.0.1:3306/test".to_owned()),
    }
}

/// `url` with its database replaced by `name` (query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |at| at + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |at| scheme_end + at);
    format!("{}/{name}{query}", &base[..path_start])
}

impl TestDatabase {
    /// A fresh database on `dialect` (`postgresql`, `mysql`, `sqlite`); the
    /// harness has checked that its server answers.
    pub fn create(python: &Path, dialect: &'static str) -> TestDatabase {
        let name = format!(
            "md_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos() % 100_000)
        );
        if dialect == "sqlite" {
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join(format!("{name}.db"));
            // An empty file is an empty SQLite database.
            std::fs::write(&path, "").expect("create the database file");
            return TestDatabase {
                url: format!("sqlite:///{}", path.display()),
                dialect,
                server_url: None,
                name,
                python: python.to_path_buf(),
                _dir: Some(dir),
            };
        }
        let server = server_url(dialect);
        let created = run(Command::new(python)
            .arg(live_db_script())
            .args(["create", &server, &name]));
        assert_eq!(created.code, 0, "creating {name}: {}", created.stderr);
        TestDatabase {
            url: with_database(&server, &name),
            dialect,
            server_url: Some(server),
            name,
            python: python.to_path_buf(),
            _dir: None,
        }
    }

    /// Runs the real alembic against this database.
    pub fn alembic(&self, config: &Path, args: &[&str]) -> Run {
        run(Command::new(&self.python)
            .args(["-m", "alembic", "-c"])
            .arg(config)
            .args(args)
            .env("MIGRATION_DOCTOR_TEST_URL", &self.url))
    }

    /// Runs SQL statements in one transaction.
    pub fn sql(&self, statements: &[&str]) {
        let out = run(Command::new(&self.python)
            .arg(live_db_script())
            .args(["sql", &self.url])
            .args(statements));
        assert_eq!(out.code, 0, "SQL failed: {}", out.stderr);
    }

    /// The rows of a query, each value as text (or null).
    pub fn query(&self, sql: &str) -> serde_json::Value {
        let out = run(Command::new(&self.python)
            .arg(live_db_script())
            .args(["query", &self.url, sql]));
        assert_eq!(out.code, 0, "query failed: {}", out.stderr);
        serde_json::from_str(&out.stdout).expect("JSON")
    }

    /// The schema as SQLAlchemy's inspector reports it.
    pub fn inspect(&self, schema: Option<&str>) -> serde_json::Value {
        let out = run(Command::new(&self.python)
            .arg(live_db_script())
            .args(["inspect", &self.url])
            .args(schema));
        assert_eq!(out.code, 0, "inspector failed: {}", out.stderr);
        serde_json::from_str(&out.stdout).expect("JSON")
    }

    /// [`TestDatabase::inspect`] with server defaults and foreign-key
    /// actions (what DDL sets beyond the compared schema).
    pub fn inspect_details(&self) -> serde_json::Value {
        let out = run(Command::new(&self.python)
            .arg(live_db_script())
            .args(["inspect-details", &self.url]));
        assert_eq!(out.code, 0, "inspector failed: {}", out.stderr);
        serde_json::from_str(&out.stdout).expect("JSON")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(server) = &self.server_url {
            let _ = Command::new(&self.python)
                .arg(live_db_script())
                .args(["drop", server, &self.name])
                .output();
        }
    }
}

/// Unpacks the real-world corpus (`fixtures/real-world.txt`, downloading the
/// wheels once, safely between processes); the harness has fetched it for
/// every test that declares `Need::Corpus`.
pub fn corpus(python: &Path) -> PathBuf {
    corpus_fetch(python).unwrap_or_else(|message| panic!("{message}"))
}

/// The corpus, or why it could not be fetched.
pub fn corpus_fetch(python: &Path) -> Result<PathBuf, String> {
    // The tests of one binary share one download.
    static FETCHED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = FETCHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dest = workspace_root().join("target/corpus");
    let out = run(Command::new(python)
        .arg(support_script("fetch_corpus.py"))
        .arg(fixture("real-world.txt"))
        .arg(&dest));
    if out.code != 0 {
        return Err(format!(
            "could not fetch the real-world corpus from PyPI:\n{}",
            out.stderr
        ));
    }
    Ok(dest)
}

/// `diagnose --json` of `database` against the project of fixture `config`:
/// the exit code and the parsed report (a panic is a failure).
pub fn diagnose_fixture(
    config: &str,
    database: &TestDatabase,
    extra: &[&str],
) -> (i32, serde_json::Value) {
    let out = run(doctor()
        .arg("-c")
        .arg(fixture(config))
        .args(["diagnose", "--json", "--database-url", &database.url])
        .args(extra));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON, got {}\n{}", out.stdout, out.stderr));
    (out.code, value)
}

/// `migration-doctor -c <fixture config> ARGS --json --database-url URL`:
/// the exit code, the parsed report (`null` when there is none) and the
/// standard error (a panic is a failure).
pub fn doctor_json_on(
    config: &str,
    database: &TestDatabase,
    args: &[&str],
) -> (i32, serde_json::Value, String) {
    let out = run(doctor().arg("-c").arg(fixture(config)).args(args).args([
        "--json",
        "--database-url",
        &database.url,
    ]));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let value = serde_json::from_str(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.code, value, out.stderr)
}

/// What `alembic current` prints for `database` with fixture `config`.
pub fn alembic_current_on(config: &str, database: &TestDatabase) -> String {
    let out = database.alembic(&fixture(config), &["current"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.trim().to_owned()
}
