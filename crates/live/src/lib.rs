//! Database access for migration-doctor: SQLAlchemy URLs, connections to
//! PostgreSQL, MySQL/MariaDB and SQLite, bulk schema introspection and the
//! version table. This is the only crate that talks to a database.

mod backend;
mod connect;
mod error;
mod introspect;
mod probe;
mod url;

pub use backend::{LockFailure, LockKey};
pub use connect::{
    Access, Database, DbConnection, classify as classify_error, connect, engine_name,
};
pub use error::LiveError;
pub use introspect::postgres::Relations;
pub use introspect::{IntrospectOptions, read_live};
pub use migration_doctor_schema::{
    DEFAULT_VERSION_TABLE, LiveDatabase, VersionTable, VersionTableContents,
};
pub use probe::run_probes;
pub use url::{DatabaseUrl, UrlError, redact_raw};
