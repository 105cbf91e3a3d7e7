//! Why the database could not be reached or read. Every message names the
//! cause and the next step, and shows the URL only with its password hidden.

use std::path::PathBuf;

/// A failure to connect to or read the database (exit code 3, except a
/// malformed URL: 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    #[error(transparent)]
    Url(#[from] crate::url::UrlError),
    #[error(
        "cannot reach the {engine} server at {target} ({detail}). Check that the server is \
         running and that host and port in the database URL are right ({url})"
    )]
    Unreachable {
        engine: &'static str,
        target: String,
        detail: String,
        url: String,
    },
    #[error(
        "no answer from the {engine} server at {target} within {seconds} s. Check the network \
         path to the server (firewall, VPN, DNS) and the host in the database URL ({url}); \
         `connect_timeout` in the URL's query sets the limit"
    )]
    Timeout {
        engine: &'static str,
        target: String,
        seconds: u64,
        url: String,
    },
    #[error(
        "the {engine} server at {target} refused the login of user `{user}` ({detail}). Check \
         the user name and password in the database URL ({url}), or the server's access rules"
    )]
    AuthenticationFailed {
        engine: &'static str,
        target: String,
        user: String,
        detail: String,
        url: String,
    },
    #[error(
        "the database `{database}` does not exist on the {engine} server at {target}. Check the \
         database name in the URL ({url}); migration-doctor never creates databases"
    )]
    DatabaseMissing {
        engine: &'static str,
        target: String,
        database: String,
        url: String,
    },
    #[error(
        "the user `{user}` may not {action} ({detail}). Grant the privilege to that user, or \
         connect as the user that runs the migrations"
    )]
    PermissionDenied {
        user: String,
        action: String,
        detail: String,
    },
    #[error(
        "the SQLite database file {path} does not exist. Check the path in the URL (sqlite:/// \
         is followed by a path relative to {base}, sqlite://// by an absolute one); \
         migration-doctor never creates a database file"
    )]
    SqliteFileMissing { path: PathBuf, base: PathBuf },
    #[error(
        "cannot open the SQLite database {path} ({detail}). Check that it is a SQLite file and that this user may read it"
    )]
    SqliteUnreadable { path: PathBuf, detail: String },
    #[error(
        "cannot establish TLS with the {engine} server at {target} ({detail}). Check `sslmode` \
         (PostgreSQL) or the `ssl_*` options (MySQL) in the database URL ({url})"
    )]
    Tls {
        engine: &'static str,
        target: String,
        detail: String,
        url: String,
    },
    #[error(
        "what answers at {target} does not speak the {engine} protocol ({detail}). Check the \
         host and port in the database URL ({url}): PostgreSQL listens on 5432 by default, \
         MySQL and MariaDB on 3306"
    )]
    NotThatServer {
        engine: &'static str,
        target: String,
        detail: String,
        url: String,
    },
    #[error(
        "could not {doing} on the {engine} server at {target} ({detail}). Run the command \
         again; if it fails the same way, check the server's log"
    )]
    Query {
        engine: &'static str,
        target: String,
        doing: String,
        detail: String,
    },
}

/// A driver error in the user's words: the server's own message for a
/// database error (without MySQL's `at line N` of a one-line query), and
/// never the driver's source positions (`(sqlx_postgres::…:95)`).
pub fn plain_error(error: &sqlx::Error) -> String {
    let text = match error {
        sqlx::Error::Database(database) => database.message().to_owned(),
        other => other.to_string(),
    };
    let mut text = strip_source_positions(&text);
    if let Some(at) = text.rfind(" at line ")
        && text[at + " at line ".len()..]
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        text.truncate(at);
    }
    text.trim().to_owned()
}

/// Removes `(crate::module:line)` parentheticals.
fn strip_source_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(" (sqlx") {
        let Some(end) = rest[start..].find(')') else {
            break;
        };
        out.push_str(&rest[..start]);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

impl LiveError {
    /// Whether the failure lies in the URL's form (a usage error) rather
    /// than in reaching the database.
    pub fn is_usage_error(&self) -> bool {
        // A URL that is wrong, or names a dialect we do not speak (a typo in
        // the scheme, most often), is the caller's to fix: exit code 2.
        matches!(self, LiveError::Url(_))
    }
}
