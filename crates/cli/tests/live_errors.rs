//! Connection and permission failures: one clear paragraph each, exit code 3
//! (2 for a malformed URL), and the password never shown.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

mod common;

use std::process::Command;

use common::harness::test;
use common::*;

const PASSWORD: &str = "S3cr3t-pa55";

fn live(url: &str, extra: &[&str]) -> Run {
    run(doctor()
        .args(["schema", "--live", "--database-url", url])
        .args(extra))
}

fn assert_fails(out: &Run, code: i32, fragments: &[&str]) {
    assert_eq!(out.code, code, "exit code; stderr:\n{}", out.stderr);
    for fragment in fragments {
        assert!(
            out.stderr.contains(fragment),
            "`{fragment}` missing from:\n{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD),
        "password leaked:\n{}{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(
        out.stderr.trim().lines().count(),
        1,
        "one paragraph:\n{}",
        out.stderr
    );
}

fn unreachable_host() {
    let out = live(&format!("postgresql://app:{PASSWORD}@127.0.0.1:1/db"), &[]);
    assert_fails(
        &out,
        3,
        &[
            "cannot reach the PostgreSQL server at 127.0.0.1:1",
            "postgresql://app:***@127.0.0.1:1/db",
        ],
    );
    let out = live(
        &format!("mysql+pymysql://app:{PASSWORD}@127.0.0.1:1/db"),
        &["--format", "json"],
    );
    assert_fails(
        &out,
        3,
        &["cannot reach the MySQL/MariaDB server at 127.0.0.1:1"],
    );
}

fn unknown_host_times_out_or_fails_fast() {
    let out = live(
        &format!("postgresql://app:{PASSWORD}@no-such-host.invalid/db?connect_timeout=3"),
        &[],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(!out.stderr.contains(PASSWORD));
}

fn malformed_and_unsupported_urls() {
    let out = live(&format!("postgresql://app:{PASSWORD}@host:port/db"), &[]);
    assert_fails(&out, 2, &["not a SQLAlchemy URL", "port"]);
    let out = live("just-a-name", &[]);
    assert_fails(&out, 2, &["not a SQLAlchemy URL"]);
    let out = live(&format!("oracle+cx_oracle://scott:{PASSWORD}@h/orcl"), &[]);
    assert_fails(&out, 2, &["`oracle+cx_oracle`", "PostgreSQL", "SQLite"]);
    let out = live("postgresq://app@h/db", &[]);
    assert_fails(&out, 2, &["`postgresq`"]);
}

fn sqlite_file_missing_is_never_created() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing.db");
    let out = live(&format!("sqlite:///{}", path.display()), &[]);
    assert_fails(&out, 3, &["does not exist", "never creates"]);
    assert!(!path.exists(), "the file was created");
    let relative = run(doctor().current_dir(dir.path()).args([
        "schema",
        "--live",
        "--database-url",
        "sqlite:///rel.db",
    ]));
    assert_fails(&relative, 3, &["rel.db does not exist"]);
    assert!(!dir.path().join("rel.db").exists());
}

fn sqlite_garbage_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.db");
    std::fs::write(
        &path,
        "this is not a database, just text that is long enough to matter",
    )
    .expect("write");
    let out = live(&format!("sqlite:///{}", path.display()), &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}

fn no_url_anywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = .\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
    )
    .expect("ini");
    let out = run(doctor().current_dir(dir.path()).args(["schema", "--live"]));
    assert_fails(&out, 2, &["placeholder", "--database-url"]);
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = .\n",
    )
    .expect("ini");
    let out = run(doctor().current_dir(dir.path()).args(["schema", "--live"]));
    assert_fails(&out, 2, &["no database URL", "DATABASE_URL"]);
}

fn database_url_from_the_environment_and_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("app.db");
    // An empty SQLite file is a valid empty database.
    std::fs::write(&path, "").expect("touch");
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = .\nsqlalchemy.url = sqlite:///%(here)s/app.db\n",
    )
    .expect("ini");
    let out = run(doctor()
        .current_dir(dir.path())
        .args(["schema", "--live", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(doctor()
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", format!("sqlite:///{}", path.display()))
        .args(["schema", "--live", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("\"dialect\": \"sqlite\""),
        "{}",
        out.stdout
    );
}

fn sql(python: &std::path::Path, url: &str, statements: &[&str]) -> Run {
    run(Command::new(python)
        .arg(live_db_script())
        .args(["sql", url])
        .args(statements))
}

fn postgresql_login_database_and_permission_failures() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let server = server_url("postgresql");

    let unknown_role = with_database(
        &server.replace("postgres@", &format!("md_nobody:{PASSWORD}@")),
        "postgres",
    );
    let out = live(&unknown_role, &[]);
    assert_fails(
        &out,
        3,
        &["refused the login of user `md_nobody`", "md_nobody:***@"],
    );

    let out = live(&with_database(&server, "md_no_such_database"), &[]);
    assert_fails(
        &out,
        3,
        &[
            "database `md_no_such_database` does not exist",
            "never creates databases",
        ],
    );

    // A user who may read the catalog but not the version table.
    database.sql(&[
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
        "INSERT INTO alembic_version VALUES ('abc')",
    ]);
    let role = format!("md_reader_{}", std::process::id());
    let created = sql(
        &python,
        &server,
        &[&format!("CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let as_reader = database
        .url
        .replacen("postgres@", &format!("{role}:{PASSWORD}@"), 1);
    let out = live(&as_reader, &[]);
    let _ = sql(&python, &server, &[&format!("DROP ROLE IF EXISTS {role}")]);
    assert_fails(
        &out,
        3,
        &[
            &format!("user `{role}` may not read the version table alembic_version"),
            "permission denied",
        ],
    );
}

fn mariadb_wrong_password_and_missing_database() {
    let python = reference_python();
    let _database = TestDatabase::create(&python, "mysql");
    let server = server_url("mysql");
    let user = format!("md_pw_{}", std::process::id());
    let created = sql(
        &python,
        &server,
        &[
            &format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'right-one'"),
            &format!("CREATE USER '{user}'@'localhost' IDENTIFIED BY 'right-one'"),
        ],
    );
    assert_eq!(created.code, 0, "{}", created.stderr);
    let wrong = server.replacen("root@", &format!("{user}:{PASSWORD}@"), 1);
    let out = live(&wrong, &[]);
    let _ = sql(
        &python,
        &server,
        &[
            &format!("DROP USER IF EXISTS '{user}'@'%'"),
            &format!("DROP USER IF EXISTS '{user}'@'localhost'"),
        ],
    );
    assert_fails(
        &out,
        3,
        &[
            &format!("refused the login of user `{user}`"),
            "Access denied",
        ],
    );

    let out = live(&with_database(&server, "md_no_such_database"), &[]);
    assert_fails(&out, 3, &["database `md_no_such_database` does not exist"]);
}

fn unix_sockets_from_query_parameters() {
    let python = reference_python();
    let database = TestDatabase::create(&python, "postgresql");
    let name = database
        .url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    if std::path::Path::new("/var/run/postgresql/.s.PGSQL.5432").exists() {
        let out = live(
            &format!("postgresql+psycopg2://postgres@/{name}?host=/var/run/postgresql"),
            &["--json"],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let _mysql = TestDatabase::create(&python, "mysql");
    if std::path::Path::new("/run/mysqld/mysqld.sock").exists() {
        let out = live(
            "mysql+mysqldb://root@localhost/test?unix_socket=/run/mysqld/mysqld.sock&charset=utf8mb4",
            &["--json"],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
}

fn ignored_query_parameters_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("app.db");
    std::fs::write(&path, "").expect("touch");
    let out = live(
        &format!(
            "sqlite+pysqlite:///{}?check_same_thread=false",
            path.display()
        ),
        &["--json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("`check_same_thread` parameter") && out.stderr.contains("ignored"),
        "{}",
        out.stderr
    );
}

fn main() {
    common::harness::main(&[
        test!(unreachable_host),
        test!(unknown_host_times_out_or_fails_fast),
        test!(malformed_and_unsupported_urls),
        test!(sqlite_file_missing_is_never_created),
        test!(sqlite_garbage_file),
        test!(no_url_anywhere),
        test!(database_url_from_the_environment_and_the_config),
        test!(
            postgresql_login_database_and_permission_failures,
            Alembic,
            Postgresql
        ),
        test!(mariadb_wrong_password_and_missing_database, Alembic, Mysql),
        test!(
            unix_sockets_from_query_parameters,
            Alembic,
            Postgresql,
            Mysql
        ),
        test!(ignored_query_parameters_are_named),
    ]);
}
