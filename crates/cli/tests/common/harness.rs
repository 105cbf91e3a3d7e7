//! The test binaries' own harness (libtest-mimic, same flags and output as
//! `cargo test`'s): a test that needs the reference alembic, a database
//! server or the real-world corpus says so, and when that is missing the
//! test is reported as *ignored* with the reason, never as passed. Under
//! `CI=true` a missing backend fails the run instead.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::{corpus_fetch, in_ci, live_db_script, python_candidate, run, server_url};

/// What a test needs besides the binary and the fixtures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// A Python with the real alembic and SQLAlchemy (also SQLite tests).
    Alembic,
    Postgresql,
    Mysql,
    /// The real-world migration folders, from PyPI.
    Corpus,
    /// A binary built with `--features fault-injection` (`./run-tests.sh`).
    FaultInjection,
}

pub struct Test {
    pub name: &'static str,
    pub needs: &'static [Need],
    pub run: fn(),
}

/// `test!(name, Need, ...)`: the test function `name` with what it needs.
macro_rules! test {
    ($name:ident $(, $need:ident)* $(,)?) => {
        common::harness::Test {
            name: stringify!($name),
            needs: &[$(common::harness::Need::$need),*],
            run: $name,
        }
    };
}
pub(crate) use test;

/// Runs `tests` as `cargo test` would, each ignored when what it needs is
/// missing (outside CI).
pub fn main(tests: &[Test]) -> ! {
    let arguments = libtest_mimic::Arguments::from_args();
    let mut used: Vec<Need> = tests.iter().flat_map(|test| test.needs).copied().collect();
    used.sort();
    used.dedup();
    let missing: BTreeMap<Need, String> = if arguments.list {
        BTreeMap::new()
    } else {
        // The reference Python is checked once: every need but the
        // fault-injection build goes through it.
        let python = used
            .iter()
            .any(|need| *need != Need::FaultInjection)
            .then(python_absent)
            .flatten();
        used.into_iter()
            .filter_map(|need| absent(need, python.as_deref()).map(|reason| (need, reason)))
            .collect()
    };
    for (need, reason) in &missing {
        let count = tests
            .iter()
            .filter(|test| test.needs.contains(need))
            .count();
        let message = format!("{count} test(s) need {need:?}: {reason}");
        assert!(
            !in_ci(),
            "under CI=true every backend must answer: {message}"
        );
        eprintln!("ignored: {message}");
    }
    let trials = tests
        .iter()
        .map(|test| {
            // What goes through the reference Python is ignored with it.
            let through_python = test.needs.iter().any(|need| *need != Need::FaultInjection);
            let ignored = test.needs.iter().any(|need| missing.contains_key(need))
                || (through_python && missing.contains_key(&Need::Alembic));
            let body = test.run;
            libtest_mimic::Trial::test(test.name, move || {
                body();
                Ok(())
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    libtest_mimic::run(&arguments, trials).exit()
}

/// Why the reference Python (with alembic) cannot be used, if so.
fn python_absent() -> Option<String> {
    let python = python_candidate();
    let works = Command::new(&python)
        .args(["-c", "import alembic, sqlalchemy"])
        .output()
        .is_ok_and(|output| output.status.success());
    (!works).then(|| {
        format!(
            "no Python with alembic at {} (set MIGRATION_DOCTOR_PYTHON, or run ./run-tests.sh which creates .venv)",
            python.display()
        )
    })
}

/// Why `need` is missing, or `None` when it answers. Every need but
/// `FaultInjection` goes through the reference Python, so without it
/// (`python_missing`) only `Alembic` is named missing (and the harness
/// ignores the rest with it).
fn absent(need: Need, python_missing: Option<&str>) -> Option<String> {
    if need == Need::FaultInjection {
        return (!cfg!(feature = "fault-injection")).then(|| {
            "a build with --features fault-injection (./run-tests.sh turns it on)".to_owned()
        });
    }
    let python = python_candidate();
    match need {
        Need::Alembic => python_missing.map(str::to_owned),
        _ if python_missing.is_some() => None,
        Need::Postgresql => server_absent(&python, "postgresql"),
        Need::Mysql => server_absent(&python, "mysql"),
        Need::Corpus => corpus_fetch(&python).err(),
        Need::FaultInjection => None,
    }
}

fn server_absent(python: &Path, dialect: &str) -> Option<String> {
    let server = server_url(dialect);
    let ping = run(Command::new(python)
        .arg(live_db_script())
        .args(["ping", &server]));
    (ping.code != 0).then(|| {
        let last = ping.stderr.trim().lines().last().unwrap_or_default();
        format!("the server at {server} does not answer ({last})")
    })
}
