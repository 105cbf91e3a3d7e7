//! Each dialect's way of doing what migration-doctor does to a database,
//! in one place per dialect (in the manner of sqlx's `Migrate` trait): the
//! migration lock, applying plan steps, and read-only probes. [`Database`]
//! dispatches to them once, here; no other code matches on the dialect of
//! a connection for these.

mod mysql;
mod postgres;
mod sqlite;

use std::time::Duration;

use migration_doctor_schema::{Dialect, LiveDatabase, PlanStep};

use crate::connect::{Database, DbConnection};
use crate::error::LiveError;
use crate::introspect::postgres::Relations;
use crate::introspect::{Failed, IntrospectOptions};
use crate::url::DatabaseUrl;

/// Which lock to take: one per version table.
#[derive(Debug, Clone)]
pub struct LockKey {
    /// For `GET_LOCK` (at most 64 characters).
    pub name: String,
    /// For PostgreSQL's two-key advisory lock.
    pub hash: i32,
}

impl LockKey {
    /// The lock of the version table `table` (in `schema`) of `database`.
    pub fn new(database: &str, schema: Option<&str>, table: &str) -> LockKey {
        let place = format!("{database}.{}.{table}", schema.unwrap_or_default());
        // FNV-1a: stable across builds and platforms.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in place.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        LockKey {
            name: format!("migration-doctor:{place}")
                .chars()
                .take(64)
                .collect(),
            hash: hash as i32,
        }
    }
}

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockFailure {
    /// Someone else held it for the whole wait; who, where the database tells.
    Held {
        holder: String,
    },
    Database(LiveError),
}

/// One dialect's operations.
pub(crate) trait Backend {
    /// Reads the schema and the version table with a constant number of
    /// bulk catalog queries.
    async fn introspect(
        &mut self,
        url: &DatabaseUrl,
        options: &IntrospectOptions,
    ) -> Result<LiveDatabase, Failed>;
    /// Takes the lock, waiting at most `timeout`; `Ok(false)` when it is held.
    async fn try_lock(&mut self, key: &LockKey, timeout: Duration) -> Result<bool, sqlx::Error>;
    /// Who holds the lock, as far as the database tells (text for messages).
    async fn lock_holder(&mut self, key: &LockKey) -> String;
    /// Releases the lock; failures are ignored (closing the connection
    /// releases it too).
    async fn unlock(&mut self, key: &LockKey);
    /// Runs the steps, transactionally where the dialect allows, calling
    /// `after_each` with each step's position once it ran.
    async fn apply(
        &mut self,
        steps: &[PlanStep],
        after_each: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), sqlx::Error>;
    /// Ends the write that holds the lock where the lock is the write
    /// transaction itself (SQLite), so the result can be read back.
    async fn end_write(&mut self) -> Result<(), sqlx::Error>;
    /// Runs a read-only query; `Ok(true)` when it returned a row.
    /// Runs `query` read-only in `schema` (the schema the diagnosis read:
    /// a fleet's tenant, `--schema`), where the dialect has schemas.
    async fn probe(&mut self, query: &str, timeout: Duration, schema: &str)
    -> Result<bool, String>;
    /// The user schemas (PostgreSQL) or databases (MySQL) of the server,
    /// by name; SQLite's one schema, `main`.
    async fn list_schemas(&mut self) -> Result<Vec<String>, sqlx::Error>;
}

/// Calls `$body` with the dialect's backend of `$connection`: the one
/// place that matches on the kind of connection for these operations.
macro_rules! with_backend {
    ($connection:expr, $backend:ident => $body:expr) => {
        match $connection {
            DbConnection::Postgres($backend) => $body,
            DbConnection::Mysql($backend) => $body,
            DbConnection::Sqlite($backend) => $body,
        }
    };
}

impl Database {
    /// Closes the connection (releasing whatever it still holds).
    pub async fn close(self) {
        // Closing only says goodbye: the server ends the session (and its
        // locks) whether or not the goodbye arrives.
        with_backend!(self.connection, connection => sqlx::Connection::close(connection).await)
            .ok();
    }

    /// Reads the live schema and the version table.
    pub async fn introspect(
        &mut self,
        options: &IntrospectOptions,
    ) -> Result<LiveDatabase, LiveError> {
        let url = self.url.clone();
        let started = std::time::Instant::now();
        let result =
            with_backend!(&mut self.connection, backend => backend.introspect(&url, options).await);
        if let Ok(live) = &result {
            tracing::info!(
                "read {} table(s) of schema {} and the version table in {} ms",
                live.schema.tables.len(),
                live.schema_name,
                started.elapsed().as_millis()
            );
        }
        result.map_err(|(doing, error)| self.query_error(&doing, error))
    }

    /// Several PostgreSQL schemas of this database (a fleet's tenants), each
    /// with its version table `version_table` in it, read with one set of
    /// catalog queries; `None` on the other dialects.
    ///
    /// With `relations` (from [`Database::relations_of`]) the relations
    /// are not read again.
    pub async fn introspect_schemas(
        &mut self,
        schemas: &[String],
        version_table: &str,
        relations: Option<&Relations>,
    ) -> Option<Result<Vec<LiveDatabase>, LiveError>> {
        let DbConnection::Postgres(connection) = &mut self.connection else {
            return None;
        };
        let started = std::time::Instant::now();
        let result =
            crate::introspect::postgres::read_many(connection, schemas, version_table, relations)
                .await;
        if result.is_ok() {
            tracing::info!(
                "read {} schema(s) and their version tables in {} ms",
                schemas.len(),
                started.elapsed().as_millis()
            );
        }
        Some(result.map_err(|(doing, error)| self.query_error(&doing, error)))
    }

    /// The tables and views of many PostgreSQL schemas of this database (a
    /// fleet's tenants), for [`Database::introspect_schemas`] to read in
    /// batches: one scan of the catalog's relations for all of them.
    /// `None` on the other dialects.
    pub async fn relations_of(
        &mut self,
        schemas: &[String],
    ) -> Option<Result<Relations, LiveError>> {
        let DbConnection::Postgres(connection) = &mut self.connection else {
            return None;
        };
        let started = std::time::Instant::now();
        let result = crate::introspect::postgres::relations(connection, schemas).await;
        if let Ok(relations) = &result {
            tracing::info!(
                "listed {} relation(s) of {} schema(s) in {} ms",
                relations.len(),
                schemas.len(),
                started.elapsed().as_millis()
            );
        }
        Some(result.map_err(|(doing, error)| self.query_error(&doing, error)))
    }

    /// Takes the migration lock, waiting at most `timeout`.
    pub async fn lock(&mut self, key: &LockKey, timeout: Duration) -> Result<(), LockFailure> {
        let taken =
            with_backend!(&mut self.connection, backend => backend.try_lock(key, timeout).await);
        match taken {
            Ok(true) => Ok(()),
            Ok(false) => {
                let holder =
                    with_backend!(&mut self.connection, backend => backend.lock_holder(key).await);
                Err(LockFailure::Held { holder })
            }
            Err(error) => Err(LockFailure::Database(
                self.query_error("take the migration lock", error),
            )),
        }
    }

    /// Whether the lock keeps every other writer out (on SQLite the lock is
    /// the write transaction), so that work which writes (the migrations
    /// of `ensure --then`) must run after it is released.
    pub fn lock_excludes_writers(&self) -> bool {
        matches!(self.connection, DbConnection::Sqlite(_))
    }

    pub async fn unlock(&mut self, key: &LockKey) {
        with_backend!(&mut self.connection, backend => backend.unlock(key).await)
    }

    /// Applies plan steps; `after_each` learns each step's position once it ran.
    pub async fn apply(
        &mut self,
        steps: &[PlanStep],
        after_each: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), LiveError> {
        let started = std::time::Instant::now();
        let result =
            with_backend!(&mut self.connection, backend => backend.apply(steps, after_each).await);
        if result.is_ok() {
            tracing::info!(
                "ran {} statement(s) of the recovery in {} ms",
                steps.len(),
                started.elapsed().as_millis()
            );
        }
        let doing = if steps
            .iter()
            .any(|step| matches!(step, PlanStep::CompleteRevision { .. }))
        {
            "run the DDL finishing a revision, or write the version table"
        } else {
            "write the version table"
        };
        result.map_err(|error| self.query_error(doing, error))
    }

    /// The user schemas (PostgreSQL) or databases (MySQL) of the server, by
    /// name (the system ones left out).
    pub async fn list_schemas(&mut self) -> Result<Vec<String>, LiveError> {
        let result = with_backend!(&mut self.connection, backend => backend.list_schemas().await);
        result.map_err(|error| self.query_error("list the schemas", error))
    }

    /// Ends SQLite's write transaction (its lock); nothing elsewhere.
    pub async fn end_write(&mut self) -> Result<(), LiveError> {
        let result = with_backend!(&mut self.connection, backend => backend.end_write().await);
        result.map_err(|error| self.query_error("commit the version table", error))
    }

    /// Runs read-only probes, each under `timeout`; a failure is an answer.
    pub async fn probe(
        &mut self,
        query: &str,
        timeout: Duration,
        schema: &str,
    ) -> Result<bool, String> {
        let running = async {
            with_backend!(&mut self.connection, backend => backend.probe(query, timeout, schema).await)
        };
        let started = std::time::Instant::now();
        let answer = tokio::time::timeout(timeout, running)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", timeout.as_secs())));
        tracing::info!(
            "probe `{query}`: {} in {} ms",
            match &answer {
                Ok(true) => "rows found".to_owned(),
                Ok(false) => "no rows".to_owned(),
                Err(why) => format!("failed ({why})"),
            },
            started.elapsed().as_millis()
        );
        answer
    }
}

/// The dialect of each backend, for the statements they render.
pub(crate) fn render(steps: &[PlanStep], dialect: Dialect) -> Vec<String> {
    steps.iter().map(|step| step.sql(dialect)).collect()
}
