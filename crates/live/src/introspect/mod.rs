//! Reading a database's schema with a constant number of bulk catalog
//! queries, whatever the number of tables: one each for relations,
//! columns, constraints or indexes, and foreign keys, then one for the
//! version table's rows. Never one query per table.

mod builder;
pub(crate) mod mysql;
pub(crate) mod postgres;
pub(crate) mod sqlite;

use crate::connect::Database;
use crate::error::LiveError;
use migration_doctor_schema::{DEFAULT_VERSION_TABLE, LiveDatabase};

/// What to read: the target schema and where the version table lives.
#[derive(Debug, Clone)]
pub struct IntrospectOptions {
    /// The schema to read; `None`: the connection's default (`current_schema()`
    /// on PostgreSQL, the URL's database on MySQL, `main` on SQLite).
    pub schema: Option<String>,
    pub version_table: String,
    /// `None`: the connection's default schema, as alembic assumes.
    pub version_table_schema: Option<String>,
}

impl Default for IntrospectOptions {
    fn default() -> Self {
        IntrospectOptions {
            schema: None,
            version_table: DEFAULT_VERSION_TABLE.to_owned(),
            version_table_schema: None,
        }
    }
}

/// Reads the live schema and the version table (each dialect's reader is
/// reached through its backend).
pub async fn read_live(
    database: &mut Database,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, LiveError> {
    database.introspect(options).await
}

/// A failed query with what we were doing, for the message.
pub(crate) type Failed = (String, sqlx::Error);

fn failed(doing: &str) -> impl FnOnce(sqlx::Error) -> Failed + '_ {
    move |error| (doing.to_owned(), error)
}
