//! `migration-doctor check`, without a database: a project whose models
//! agree with its migrations (confirmed by alembic's own `compare_metadata`
//! on a database of each dialect that the real alembic migrated), the same
//! with its models changed, DDL in a loop over query results, two heads,
//! and GitHub's annotation format (`fixtures/check`).

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::path::Path;

use common::harness::test;
use common::*;
use serde_json::Value;

fn check(config: &Path, extra: &[&str]) -> (i32, Value) {
    let out = run(doctor()
        .current_dir(config.parent().expect("the project folder"))
        .arg("-c")
        .arg(config)
        .args(["check", "--format", "json"])
        .args(extra));
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    let report = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("JSON, got {}\n{}", out.stdout, out.stderr));
    (out.code, report)
}

/// The codes of the findings that fail the check.
fn codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|finding| finding["level"] == "error")
        .map(|finding| finding["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn messages(report: &Value) -> String {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|finding| finding["message"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The models agree with the migrations' heads on the three dialects.
fn agreeing_models_pass() {
    let (code, report) = check(
        &fixture("check/alembic.ini"),
        &["--dialect", "postgresql,mysql,sqlite"],
    );
    assert_eq!((code, codes(&report)), (0, vec![]), "{report:#}");
    assert_eq!(report["models"], "store.models:Base.metadata");
    assert_eq!(
        (&report["revisions"], &report["provable_from_schema"]),
        (&Value::from(3), &Value::from(3)),
        "{report:#}"
    );
}

/// What `check` calls agreeing, alembic's `compare_metadata` does too, on
/// a database the real alembic migrated.
fn alembic_agrees(dialect: &'static str) {
    let python = reference_python();
    let database = TestDatabase::create(&python, dialect);
    let config = fixture("check/alembic.ini");
    let out = database.alembic(&config, &["upgrade", "head"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let script = "import sys, sqlalchemy as sa\n\
        from alembic.migration import MigrationContext\n\
        from alembic.autogenerate import compare_metadata\n\
        sys.path.insert(0, sys.argv[1])\n\
        from store.models import Base\n\
        engine = sa.create_engine(sys.argv[2])\n\
        with engine.connect() as connection:\n\
        \x20   print(compare_metadata(MigrationContext.configure(connection), Base.metadata))\n";
    let out = run(std::process::Command::new(&python)
        .args(["-c", script])
        .arg(fixture("check"))
        .arg(&database.url));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), "[]", "alembic finds differences");
    let (code, report) = check(&config, &["--dialect", dialect]);
    assert_eq!((code, codes(&report)), (0, vec![]), "{report:#}");
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

/// An extra column, a longer string and a missing index: each named.
fn changed_models_fail() {
    let (_dir, project) = copy_tree(&fixture("check"));
    let models = project.join("store/models.py");
    edit(
        &models,
        "    email = sa.Column(sa.String(120), nullable=True, index=True)\n",
        "    email = sa.Column(sa.String(120), nullable=True)\n    nickname = sa.Column(sa.String(40))\n",
    );
    edit(&models, "sa.String(200)", "sa.String(250)");
    for dialect in ["postgresql", "mysql", "sqlite"] {
        let (code, report) = check(&project.join("alembic.ini"), &["--dialect", dialect]);
        assert_eq!(code, 1, "{report:#}");
        assert!(
            codes(&report).iter().all(|code| code == "models_differ"),
            "{report:#}"
        );
        let said = messages(&report);
        for expected in [
            "column authors.nickname is in the models only",
            "books: column title",
            "index ix_authors_email: in the migrations only",
        ] {
            assert!(said.contains(expected), "{dialect}: {expected} in\n{said}");
        }
    }
}

/// DDL in a loop over query results: the revision is listed with its
/// line, and it is not provable; two heads are reported with the merge
/// command; GitHub's annotation format.
fn unprovable_revisions_and_heads() {
    let (_dir, project) = copy_tree(&fixture("check"));
    std::fs::write(
        project.join("migrations/versions/c04_loop.py"),
        "\"\"\"a column per tenant\"\"\"\n\
         from alembic import op\n\
         import sqlalchemy as sa\n\
         \n\
         revision = \"c04c04c04c04\"\n\
         down_revision = \"c03c03c03c03\"\n\
         \n\
         \n\
         def upgrade():\n\
         \x20   for row in op.get_bind().execute(sa.text(\"SELECT name FROM authors\")):\n\
         \x20       op.add_column(\"books\", sa.Column(\"n_\" + row[0], sa.Integer()))\n",
    )
    .expect("write");
    std::fs::write(
        project.join("migrations/versions/c05_side.py"),
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"c05c05c05c05\"\n\
         down_revision = \"c02c02c02c02\"\n\n\ndef upgrade():\n    pass\n",
    )
    .expect("write");
    let config = project.join("alembic.ini");
    let (code, report) = check(&config, &["--dialect", "sqlite"]);
    assert_eq!(code, 1, "{report:#}");
    let loop_finding = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|finding| finding["code"] == "cannot_follow")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        (&loop_finding["path"], &loop_finding["line"]),
        (
            &Value::from("migrations/versions/c04_loop.py"),
            &Value::from(10)
        ),
        "{report:#}"
    );
    let said = messages(&report);
    assert!(
        said.contains("alembic merge heads")
            && codes(&report).contains(&"several_heads".to_owned()),
        "{said}"
    );
    assert_eq!(report["provable_from_schema"], 4, "{report:#}");

    let out = run(doctor().current_dir(&project).arg("-c").arg(&config).args([
        "check",
        "--dialect",
        "sqlite",
        "--format",
        "github",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.lines().any(|line| line.starts_with(
            "::error file=migrations/versions/c04_loop.py,line=10,title=cannot_follow::"
        )),
        "{}",
        out.stdout
    );

    // The team decides such revisions are notes: the check passes on them.
    let ini = std::fs::read_to_string(&config).expect("read");
    std::fs::write(
        &config,
        format!("{ini}\n[migration_doctor]\ncheck_notes = cannot_follow, several_heads\n"),
    )
    .expect("write");
    let (code, report) = check(&config, &["--dialect", "sqlite"]);
    assert_eq!(code, 0, "{report:#}");
}

fn sqlite_alembic_agrees() {
    alembic_agrees("sqlite");
}

fn postgresql_alembic_agrees() {
    alembic_agrees("postgresql");
}

fn mariadb_alembic_agrees() {
    alembic_agrees("mysql");
}

fn main() {
    common::harness::main(&[
        test!(agreeing_models_pass),
        test!(changed_models_fail),
        test!(unprovable_revisions_and_heads),
        test!(sqlite_alembic_agrees, Alembic),
        test!(postgresql_alembic_agrees, Alembic, Postgresql),
        test!(mariadb_alembic_agrees, Alembic, Mysql),
    ]);
}
