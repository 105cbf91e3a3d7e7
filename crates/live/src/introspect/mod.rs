//! Reading a database's schema with a constant number of bulk catalog
//! queries, whatever the number of tables: one each for relations,
//! columns, constraints or indexes, and foreign keys, then one for the
//! version table's rows. Never one query per table.

mod builder;
mod mysql;
mod postgres;
mod sqlite;

use std::path::Path;

use crate::connect::{Access, Database, DbConnection, connect};
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

/// Reads the live schema and the version table.
pub async fn read_live(
    database: &mut Database,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, LiveError> {
    // MySQL answers catalog queries slowly and one at a time per connection;
    // a second connection lets the slowest one run alongside the others.
    let mut spare = match database.connection {
        DbConnection::Mysql(_) => {
            match connect(&database.url, Access::ReadOnly, Path::new(".")).await {
                Ok(Database {
                    connection: DbConnection::Mysql(spare),
                    ..
                }) => Some(spare),
                _ => None,
            }
        }
        _ => None,
    };
    let result = match &mut database.connection {
        DbConnection::Postgres(connection) => postgres::read(connection, options).await,
        DbConnection::Mysql(connection) => mysql::read(connection, spare.as_mut(), options).await,
        DbConnection::Sqlite(connection) => sqlite::read(connection, options).await,
    };
    if let Some(spare) = spare {
        let _ = sqlx::Connection::close(spare).await;
    }
    result.map_err(|(doing, error)| database.query_error(&doing, error))
}

/// A failed query with what we were doing, for the message.
type Failed = (String, sqlx::Error);

fn failed(doing: &str) -> impl FnOnce(sqlx::Error) -> Failed + '_ {
    move |error| (doing.to_owned(), error)
}
