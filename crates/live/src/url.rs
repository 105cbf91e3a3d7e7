//! SQLAlchemy database URLs, parsed as SQLAlchemy 2 parses them
//! (`sqlalchemy.engine.url._parse_url`, checked: 2.1):
//! `dialect[+driver]://[user[:password]@][host][:port][/database][?query]`,
//! with user, password and database percent-decoded. So
//! `postgresql+psycopg2://app:p%40ss@db:5432/shop?sslmode=require`,
//! `mysql+pymysql://root@127.0.0.1/test?charset=utf8mb4`,
//! `sqlite:///relative.db`, `sqlite:////absolute.db` and `sqlite://`
//! (in memory) are all accepted as they are written in `alembic.ini`.
//!
//! The password is never shown: `Display` and `Debug` print `***` instead.

use std::fmt;

use migration_doctor_schema::Dialect;
use percent_encoding::percent_decode_str;

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    pub dialect: Dialect,
    /// The scheme's dialect word as written (`postgresql`, `postgres`, `mariadb`, …).
    pub dialect_name: String,
    /// The Python driver named after `+`, if any; it does not change how we connect.
    pub driver: Option<String>,
    pub username: Option<String>,
    password: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    /// The database name, or for SQLite the file path (`None`: in memory).
    pub database: Option<String>,
    /// Query parameters in order, decoded.
    pub query: Vec<(String, String)>,
}

/// Why a URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UrlError {
    /// Not a URL SQLAlchemy could parse (exit code 2).
    #[error(
        "the database URL `{shown}` is not a SQLAlchemy URL ({reason}); write it as \
         dialect+driver://user:password@host:port/database, for example \
         postgresql://app@127.0.0.1:5432/shop or sqlite:///shop.db"
    )]
    Malformed { shown: String, reason: String },
    /// A dialect or driver migration-doctor does not speak (exit code 2).
    #[error(
        "the database URL names `{scheme}`, which migration-doctor cannot connect to; it \
         speaks PostgreSQL (postgresql://), MySQL/MariaDB (mysql://, mariadb://) and SQLite \
         (sqlite://), whatever Python driver follows the `+`"
    )]
    UnsupportedDriver { scheme: String },
    /// A driver SQLAlchemy does not know for that dialect: alembic would
    /// fail with `NoSuchModuleError` (exit code 2).
    #[error(
        "the database URL names the driver `{driver}`, which SQLAlchemy does not know for \
         {dialect}{suggestion}; the drivers it knows there are {known}"
    )]
    UnknownDriver {
        dialect: String,
        driver: String,
        suggestion: String,
        known: String,
    },
}

/// The drivers SQLAlchemy's own dialects name after the `+`.
fn known_drivers(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Postgresql => &[
            "psycopg2",
            "psycopg",
            "psycopg_async",
            "asyncpg",
            "pg8000",
            "psycopg2cffi",
        ],
        Dialect::Mysql => &[
            "mysqldb",
            "pymysql",
            "mysqlconnector",
            "asyncmy",
            "aiomysql",
            "cymysql",
            "mariadbconnector",
            "pyodbc",
        ],
        Dialect::Sqlite => &["pysqlite", "aiosqlite"],
    }
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<DatabaseUrl, UrlError> {
        let text = text.trim();
        let malformed = |reason: &str| UrlError::Malformed {
            shown: redact_raw(text),
            reason: reason.to_owned(),
        };
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(malformed("no `://` after the dialect name"));
        };
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '+')
        {
            return Err(malformed(
                "the dialect name holds characters other than letters, digits, `_` and `+`",
            ));
        }
        let (dialect_name, driver) = match scheme.split_once('+') {
            Some((name, driver)) => (name.to_lowercase(), Some(driver.to_lowercase())),
            None => (scheme.to_lowercase(), None),
        };
        let dialect = match dialect_name.as_str() {
            "postgresql" | "postgres" | "pgsql" => Dialect::Postgresql,
            "mysql" | "mariadb" => Dialect::Mysql,
            "sqlite" => Dialect::Sqlite,
            _ => {
                return Err(UrlError::UnsupportedDriver {
                    scheme: scheme.to_owned(),
                });
            }
        };
        if driver.as_deref() == Some("pysqlcipher") {
            return Err(UrlError::UnsupportedDriver {
                scheme: scheme.to_owned(),
            });
        }
        if let Some(driver) = &driver {
            let known = known_drivers(dialect);
            if !known.contains(&driver.as_str()) {
                let nearest = known
                    .iter()
                    .min_by_key(|candidate| strsim::levenshtein(candidate, driver))
                    .filter(|candidate| strsim::levenshtein(candidate, driver) <= 2);
                return Err(UrlError::UnknownDriver {
                    dialect: dialect_name.clone(),
                    driver: driver.clone(),
                    suggestion: nearest
                        .map(|candidate| format!(" (did you mean `{dialect_name}+{candidate}`?)"))
                        .unwrap_or_default(),
                    known: known.join(", "),
                });
            }
        }

        let (before_query, query_text) = match rest.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (rest, None),
        };
        // SQLAlchemy: user `[^:/]*`, password `[^@]*`, then `@`.
        let (userinfo, hostpart) = match split_userinfo(before_query) {
            Some((userinfo, hostpart)) => (Some(userinfo), hostpart),
            None => (None, before_query),
        };
        let (username, password) = match userinfo {
            Some(userinfo) => match userinfo.split_once(':') {
                Some((user, password)) => (Some(decode(user)), Some(decode(password))),
                None => (Some(decode(userinfo)), None),
            },
            None => (None, None),
        };
        let (authority, database) = match hostpart.split_once('/') {
            Some((authority, database)) => (authority, Some(decode(database))),
            None => (hostpart, None),
        };
        let (host, port_text) = if let Some(inner) = authority.strip_prefix('[') {
            let Some((host, after)) = inner.split_once(']') else {
                return Err(malformed(
                    "an IPv6 host opened with `[` is not closed with `]`",
                ));
            };
            (Some(host.to_owned()), after.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (Some(host.to_owned()), Some(port)),
                None => (Some(authority.to_owned()), None),
            }
        };
        let host = host.filter(|host| !host.is_empty());
        let port = match port_text.filter(|port| !port.is_empty()) {
            Some(port) => Some(port.parse::<u16>().map_err(|_| {
                malformed(&format!(
                    "the port `{port}` is not a number from 1 to 65535"
                ))
            })?),
            None => None,
        };
        let query = query_text
            .map(|query| {
                query
                    .split('&')
                    .filter(|pair| !pair.is_empty())
                    .filter_map(|pair| {
                        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                        (!value.is_empty()).then(|| (decode_form(key), decode_form(value)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let database = database.filter(|database| !database.is_empty());
        if dialect == Dialect::Sqlite && (host.is_some() || port.is_some()) {
            return Err(malformed(
                "SQLite URLs have no host; write sqlite:///relative.db or sqlite:////absolute/path.db",
            ));
        }
        Ok(DatabaseUrl {
            dialect,
            dialect_name,
            driver,
            username,
            password,
            host,
            port,
            database,
            query,
        })
    }

    /// The password, for the connector only.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    /// The URL as written, with the password replaced by `***`.
    pub fn redacted(&self) -> String {
        let mut out = self.dialect_name.clone();
        if let Some(driver) = &self.driver {
            out.push('+');
            out.push_str(driver);
        }
        out.push_str("://");
        if let Some(user) = &self.username {
            out.push_str(user);
            if self.password.is_some() {
                out.push_str(":***");
            }
            out.push('@');
        }
        if let Some(host) = &self.host {
            if host.contains(':') {
                out.push_str(&format!("[{host}]"));
            } else {
                out.push_str(host);
            }
        }
        if let Some(port) = self.port {
            out.push_str(&format!(":{port}"));
        }
        if let Some(database) = &self.database {
            out.push('/');
            out.push_str(database);
        }
        if !self.query.is_empty() {
            out.push('?');
            let pairs: Vec<String> = self
                .query
                .iter()
                .map(|(key, value)| {
                    if is_secret_key(key) {
                        format!("{key}=***")
                    } else {
                        format!("{key}={value}")
                    }
                })
                .collect();
            out.push_str(&pairs.join("&"));
        }
        out
    }
}

/// Query parameters that carry secrets, redacted like the password.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_lowercase();
    key.contains("password") || key == "passwd" || key.contains("secret") || key == "sslpassword"
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// Splits `user:password@host…` at the `@` that ends the user information,
/// following SQLAlchemy's pattern (no `/` in the user, no `@` in the password).
fn split_userinfo(text: &str) -> Option<(&str, &str)> {
    let at = text.find('@')?;
    let userinfo = &text[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    if user.contains('/') {
        return None;
    }
    Some((userinfo, &text[at + 1..]))
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `parse_qsl` decoding: `+` is a space, then percent-decoding.
fn decode_form(text: &str) -> String {
    decode(&text.replace('+', " "))
}

/// A best-effort redaction of a URL we could not parse, for error messages.
pub fn redact_raw(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return if text.contains('@') {
            "***".to_owned()
        } else {
            text.to_owned()
        };
    };
    match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            let user = userinfo.split(':').next().unwrap_or("");
            let shown_user = if userinfo.contains(':') {
                format!("{user}:***")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{shown_user}@{}", &rest[at + 1..])
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlalchemy_forms() {
        let url = DatabaseUrl::parse(
            "postgresql+psycopg2://app:p%40ss%3Aw@db.example:6543/shop?sslmode=require",
        )
        .expect("parses");
        assert_eq!(url.dialect, Dialect::Postgresql);
        assert_eq!(url.driver.as_deref(), Some("psycopg2"));
        assert_eq!(url.username.as_deref(), Some("app"));
        assert_eq!(url.password(), Some("p@ss:w"));
        assert_eq!(url.host.as_deref(), Some("db.example"));
        assert_eq!(url.port, Some(6543));
        assert_eq!(url.database.as_deref(), Some("shop"));
        assert_eq!(url.query_value("sslmode"), Some("require"));
        assert_eq!(
            url.to_string(),
            "postgresql+psycopg2://app:***@db.example:6543/shop?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("p@ss"));

        let url = DatabaseUrl::parse("mysql+pymysql://root@127.0.0.1/test?charset=utf8mb4")
            .expect("parses");
        assert_eq!((url.dialect, url.password()), (Dialect::Mysql, None));
        let url =
            DatabaseUrl::parse("mariadb+mariadbconnector://u:x@[::1]:3307/db").expect("parses");
        assert_eq!(url.host.as_deref(), Some("::1"));
        assert_eq!(url.port, Some(3307));

        assert_eq!(
            DatabaseUrl::parse("sqlite:///rel/app.db")
                .expect("ok")
                .database
                .as_deref(),
            Some("rel/app.db")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:////abs/app.db")
                .expect("ok")
                .database
                .as_deref(),
            Some("/abs/app.db")
        );
        assert_eq!(DatabaseUrl::parse("sqlite://").expect("ok").database, None);
        let socket = DatabaseUrl::parse("postgresql://app@/shop?host=/run/postgresql").expect("ok");
        assert_eq!(
            (socket.host.as_deref(), socket.query_value("host")),
            (None, Some("/run/postgresql"))
        );
    }

    #[test]
    fn malformed_and_unsupported() {
        assert!(matches!(
            DatabaseUrl::parse("not a url"),
            Err(UrlError::Malformed { .. })
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://h:port/db"),
            Err(UrlError::Malformed { .. })
        ));
        assert!(matches!(
            DatabaseUrl::parse("oracle+cx_oracle://u:p@h/db"),
            Err(UrlError::UnsupportedDriver { .. })
        ));
        let error = DatabaseUrl::parse("postgresql://u:topsecret@h:99999/db").unwrap_err();
        assert!(!error.to_string().contains("topsecret"), "{error}");
    }
}
