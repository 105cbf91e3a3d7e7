//! Connections from SQLAlchemy URLs, and what a failed connection means.
//!
//! Query parameters that change how we connect are honoured
//! (PostgreSQL: `sslmode` (or asyncpg's `ssl`), `sslrootcert`, `sslcert`,
//! `sslkey`, `host` (a socket folder), `port`, `application_name`,
//! `options`, `connect_timeout`; MySQL: `charset`, `ssl_ca`, `ssl_cert`,
//! `ssl_key`, `ssl_mode`, `unix_socket`, `connect_timeout`); the others are
//! driver tuning that does not change what we read, and are reported as
//! ignored. A SQLite file that does not exist is an error, never created.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use migration_doctor_schema::Dialect;
use sqlx::Connection;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::error::LiveError;
use crate::url::DatabaseUrl;

/// How long to wait for a server to answer when the URL does not say.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether the connection will write. Read-only SQLite connections cannot
/// change the file at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

/// An open connection to one of the three dialects.
pub enum DbConnection {
    Postgres(PgConnection),
    Mysql(MySqlConnection),
    Sqlite(SqliteConnection),
}

/// A connection with what we know about where it goes.
pub struct Database {
    pub connection: DbConnection,
    pub url: DatabaseUrl,
    /// Where the server is, for messages (`host:port`, a socket, or a file).
    pub target: String,
    /// Query parameters that were ignored, and similar remarks.
    pub notes: Vec<String>,
}

impl Database {
    pub fn dialect(&self) -> Dialect {
        self.url.dialect
    }

    pub fn engine(&self) -> &'static str {
        engine_name(self.url.dialect)
    }

    /// The user name the connection logs in as, for messages.
    pub fn user(&self) -> String {
        self.url
            .username
            .clone()
            .unwrap_or_else(|| "(default)".to_owned())
    }

    /// Turns a failed statement into a message a person can act on.
    pub fn query_error(&self, doing: &str, error: sqlx::Error) -> LiveError {
        classify(&self.url, &self.target, doing, error)
    }
}

pub fn engine_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgresql => "PostgreSQL",
        Dialect::Mysql => "MySQL/MariaDB",
        Dialect::Sqlite => "SQLite",
    }
}

/// Connects to the database the URL names. `base_dir` is what a relative
/// SQLite path is relative to.
pub async fn connect(
    url: &DatabaseUrl,
    access: Access,
    base_dir: &Path,
) -> Result<Database, LiveError> {
    let mut notes = Vec::new();
    let timeout = url
        .query_value("connect_timeout")
        .and_then(|value| value.parse::<u64>().ok())
        .map_or(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs);
    let (target, connecting) = match url.dialect {
        Dialect::Postgresql => {
            let (options, target) = postgres_options(url, &mut notes);
            (
                target,
                Box::pin(async move {
                    PgConnection::connect_with(&options)
                        .await
                        .map(DbConnection::Postgres)
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>>,
            )
        }
        Dialect::Mysql => {
            let (options, target) = mysql_options(url, &mut notes);
            (
                target,
                Box::pin(async move {
                    MySqlConnection::connect_with(&options)
                        .await
                        .map(DbConnection::Mysql)
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>>,
            )
        }
        Dialect::Sqlite => {
            let (options, target) = sqlite_options(url, access, base_dir, &mut notes)?;
            (
                target,
                Box::pin(async move {
                    SqliteConnection::connect_with(&options)
                        .await
                        .map(DbConnection::Sqlite)
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send>>,
            )
        }
    };
    let started = std::time::Instant::now();
    let connection = match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => return Err(classify(url, &target, "connect", error)),
        Err(_) => {
            return Err(LiveError::Timeout {
                engine: engine_name(url.dialect),
                target,
                seconds: timeout.as_secs(),
                url: url.redacted(),
            });
        }
    };
    tracing::info!(
        "connected to {} ({}, {access:?}) in {} ms",
        url.redacted(),
        target,
        started.elapsed().as_millis()
    );
    Ok(Database {
        connection,
        url: url.clone(),
        target,
        notes,
    })
}

fn ignore(notes: &mut Vec<String>, key: &str) {
    notes.push(format!(
        "the URL's `{key}` parameter tunes the Python driver and is ignored here"
    ));
}

fn postgres_options(url: &DatabaseUrl, notes: &mut Vec<String>) -> (PgConnectOptions, String) {
    // Named, so that a lock holder or a long query is recognisable in
    // pg_stat_activity; the URL's `application_name` wins.
    let mut options = PgConnectOptions::new().application_name("migration-doctor");
    let mut socket: Option<String> = None;
    if let Some(host) = &url.host {
        options = options.host(host);
    }
    if let Some(port) = url.port {
        options = options.port(port);
    }
    if let Some(user) = &url.username {
        options = options.username(user);
    }
    if let Some(password) = url.password() {
        options = options.password(password);
    }
    if let Some(database) = &url.database {
        options = options.database(database);
    }
    for (key, value) in &url.query {
        match key.as_str() {
            "sslmode" | "ssl" => {
                let mode = match value.as_str() {
                    "true" | "True" => "require",
                    "false" | "False" => "disable",
                    other => other,
                };
                match PgSslMode::from_str(mode) {
                    Ok(mode) => options = options.ssl_mode(mode),
                    Err(_) => notes.push(format!("unknown sslmode `{value}` ignored")),
                }
            }
            "sslrootcert" => options = options.ssl_root_cert(value),
            "sslcert" => options = options.ssl_client_cert(value),
            "sslkey" => options = options.ssl_client_key(value),
            "host" if value.starts_with('/') => {
                options = options.socket(value);
                socket = Some(value.clone());
            }
            "host" => options = options.host(value),
            "port" => match value.parse() {
                Ok(port) => options = options.port(port),
                Err(_) => notes.push(format!("port `{value}` is not a number and was ignored")),
            },
            "application_name" => options = options.application_name(value),
            "options" => options = options.options(parse_pg_options(value)),
            "connect_timeout" => {}
            _ => ignore(notes, key),
        }
    }
    // Over the loopback interface TLS protects nothing, and the handshake
    // costs tens of milliseconds (sqlx 0.9.0 leaves Nagle's algorithm on,
    // and it stalls the handshake on delayed acknowledgements): unless the
    // URL or PGSSLMODE asks for a mode, try without TLS first and fall
    // back to it (libpq's `allow`), so a server that insists still gets it.
    let mode_given = url
        .query
        .iter()
        .any(|(key, _)| key == "sslmode" || key == "ssl")
        || std::env::var_os("PGSSLMODE").is_some();
    if !mode_given && socket.is_none() && is_loopback(options.get_host()) {
        options = options.ssl_mode(PgSslMode::Allow);
    }
    let target = match socket {
        Some(socket) => format!("socket {socket}"),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    (options, target)
}

/// `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// libpq's `options=-csearch_path=app -c statement_timeout=5000`.
fn parse_pg_options(value: &str) -> Vec<(String, String)> {
    value
        .split_whitespace()
        .filter(|word| *word != "-c")
        .filter_map(|word| {
            let word = word.strip_prefix("-c").unwrap_or(word);
            word.split_once('=')
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
        })
        .collect()
}

fn mysql_options(url: &DatabaseUrl, notes: &mut Vec<String>) -> (MySqlConnectOptions, String) {
    let mut options = MySqlConnectOptions::new();
    let mut socket: Option<String> = None;
    if let Some(host) = &url.host {
        options = options.host(host);
    }
    if let Some(port) = url.port {
        options = options.port(port);
    }
    if let Some(user) = &url.username {
        options = options.username(user);
    }
    if let Some(password) = url.password() {
        options = options.password(password);
    }
    if let Some(database) = &url.database {
        options = options.database(database);
    }
    for (key, value) in &url.query {
        match key.as_str() {
            "charset" => options = options.charset(value),
            "ssl_ca" => options = options.ssl_ca(value),
            "ssl_cert" => options = options.ssl_client_cert(value),
            "ssl_key" => options = options.ssl_client_key(value),
            "ssl_mode" | "ssl-mode" => match MySqlSslMode::from_str(value) {
                Ok(mode) => options = options.ssl_mode(mode),
                Err(_) => notes.push(format!("unknown ssl_mode `{value}` ignored")),
            },
            "ssl_disabled" if value == "true" || value == "True" => {
                options = options.ssl_mode(MySqlSslMode::Disabled)
            }
            "unix_socket" => {
                options = options.socket(value);
                socket = Some(value.clone());
            }
            "connect_timeout" => {}
            _ => ignore(notes, key),
        }
    }
    let target = match socket {
        Some(socket) => format!("socket {socket}"),
        None => format!(
            "{}:{}",
            url.host.as_deref().unwrap_or("localhost"),
            url.port.unwrap_or(3306)
        ),
    };
    (options, target)
}

fn sqlite_options(
    url: &DatabaseUrl,
    access: Access,
    base_dir: &Path,
    notes: &mut Vec<String>,
) -> Result<(SqliteConnectOptions, String), LiveError> {
    let mut options = SqliteConnectOptions::new()
        .foreign_keys(false)
        .create_if_missing(false)
        .read_only(access == Access::ReadOnly)
        .busy_timeout(Duration::from_secs(5));
    for (key, value) in &url.query {
        match (key.as_str(), value.parse::<f64>()) {
            ("timeout", Ok(seconds)) => match Duration::try_from_secs_f64(seconds) {
                // More than a day is no wait anyone meant (and `inf` none at all).
                Ok(wait) if wait <= Duration::from_secs(86_400) => {
                    options = options.busy_timeout(wait);
                }
                _ => notes.push(format!(
                    "timeout `{value}` is not a number of seconds up to a day and was ignored"
                )),
            },
            _ => ignore(notes, key),
        }
    }
    let Some(database) = url.database.as_deref().filter(|name| *name != ":memory:") else {
        return Ok((options.in_memory(true), "an in-memory database".to_owned()));
    };
    let path = if Path::new(database).is_absolute() {
        PathBuf::from(database)
    } else {
        base_dir.join(database)
    };
    if !path.is_file() {
        return Err(LiveError::SqliteFileMissing {
            path,
            base: base_dir.to_path_buf(),
        });
    }
    let target = path.display().to_string();
    Ok((options.filename(&path), target))
}

/// Maps a driver error to what it means for the user.
pub fn classify(url: &DatabaseUrl, target: &str, doing: &str, error: sqlx::Error) -> LiveError {
    let engine = engine_name(url.dialect);
    let user = url
        .username
        .clone()
        .unwrap_or_else(|| "(default)".to_owned());
    let shown = url.redacted();
    if url.dialect == Dialect::Sqlite && doing == "connect" {
        return LiveError::SqliteUnreadable {
            path: PathBuf::from(target),
            detail: error.to_string(),
        };
    }
    match &error {
        sqlx::Error::Io(io) => LiveError::Unreachable {
            engine,
            target: target.to_owned(),
            detail: io.to_string(),
            url: shown,
        },
        sqlx::Error::Tls(tls) => LiveError::Tls {
            engine,
            target: target.to_owned(),
            detail: tls.to_string(),
            url: shown,
        },
        sqlx::Error::Database(database) => {
            let detail = database.message().to_owned();
            let code = database
                .code()
                .map(|code| code.into_owned())
                .unwrap_or_default();
            let mysql_number = database
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(|error| error.number());
            match (url.dialect, code.as_str(), mysql_number) {
                (Dialect::Postgresql, "28P01" | "28000", _)
                | (Dialect::Mysql, _, Some(1045 | 1698)) => LiveError::AuthenticationFailed {
                    engine,
                    target: target.to_owned(),
                    user,
                    detail,
                    url: shown,
                },
                (Dialect::Postgresql, "3D000", _) | (Dialect::Mysql, _, Some(1049)) => {
                    LiveError::DatabaseMissing {
                        engine,
                        target: target.to_owned(),
                        database: url.database.clone().unwrap_or_default(),
                        url: shown,
                    }
                }
                (Dialect::Postgresql, "42501", _)
                | (Dialect::Mysql, _, Some(1044 | 1142 | 1143 | 1227)) => {
                    LiveError::PermissionDenied {
                        user,
                        action: doing.to_owned(),
                        detail,
                    }
                }
                _ => LiveError::Query {
                    engine,
                    target: target.to_owned(),
                    doing: doing.to_owned(),
                    detail: crate::error::plain_error(&error),
                },
            }
        }
        sqlx::Error::Protocol(_) if doing == "connect" => LiveError::NotThatServer {
            engine,
            target: target.to_owned(),
            detail: crate::error::plain_error(&error),
            url: shown,
        },
        _ => LiveError::Query {
            engine,
            target: target.to_owned(),
            doing: doing.to_owned(),
            detail: crate::error::plain_error(&error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.3.2.1",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["db.example.com", "10.0.0.5", "192.168.1.1", "::2", ""] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn loopback_without_a_mode_tries_without_tls_first() {
        let mut notes = Vec::new();
        let url = |text: &str| DatabaseUrl::parse(text).expect("URL");
        let mode = |text: &str, notes: &mut Vec<String>| {
            format!("{:?}", postgres_options(&url(text), notes).0.get_ssl_mode())
        };
        if std::env::var_os("PGSSLMODE").is_none() {
            assert_eq!(mode("postgresql://u@127.0.0.1/db", &mut notes), "Allow");
            assert_eq!(
                mode("postgresql://u@db.example.com/db", &mut notes),
                "Prefer"
            );
        }
        assert_eq!(
            mode("postgresql://u@127.0.0.1/db?sslmode=require", &mut notes),
            "Require"
        );
    }
}
