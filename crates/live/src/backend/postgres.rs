//! PostgreSQL: a session advisory lock keyed on the version table's place,
//! the plan in one transaction (DDL is transactional), probes in a
//! read-only transaction under `statement_timeout`.

use std::time::{Duration, Instant};

use migration_doctor_schema::{Dialect, PlanStep};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection, Executor, Row};

use crate::introspect::{Failed, IntrospectOptions};
use crate::url::DatabaseUrl;
use migration_doctor_schema::LiveDatabase;

use super::{Backend, LockKey, render};

/// Advisory locks take two int4 keys: a constant for migration-doctor
/// ("MD") and a hash of the version table's place.
const CLASS: i32 = 0x4D44;

impl Backend for PgConnection {
    async fn list_schemas(&mut self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT nspname::text FROM pg_namespace \
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname",
        )
        .fetch_all(&mut *self)
        .await
    }

    async fn introspect(
        &mut self,
        _url: &DatabaseUrl,
        options: &IntrospectOptions,
    ) -> Result<LiveDatabase, Failed> {
        crate::introspect::postgres::read(self, options).await
    }

    async fn try_lock(&mut self, key: &LockKey, timeout: Duration) -> Result<bool, sqlx::Error> {
        let started = Instant::now();
        loop {
            let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                .bind(CLASS)
                .bind(key.hash)
                .fetch_one(&mut *self)
                .await?;
            if taken {
                return Ok(true);
            }
            if started.elapsed() >= timeout {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn lock_holder(&mut self, key: &LockKey) -> String {
        sqlx::query(
            "SELECT a.pid, COALESCE(a.usename::text, ''), COALESCE(a.application_name, ''), COALESCE(a.client_addr::text, 'local') \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2",
        )
        .bind(i64::from(CLASS))
        .bind(i64::from(key.hash as u32))
        .fetch_optional(&mut *self)
        .await
        .ok()
        .flatten()
        .map(|row| {
            let pid: i32 = row.try_get(0).unwrap_or_default();
            let user: String = row.try_get(1).unwrap_or_default();
            let application: String = row.try_get(2).unwrap_or_default();
            let client: String = row.try_get(3).unwrap_or_default();
            format!(" (held by backend {pid}, user {user}, application {application:?}, from {client})")
        })
        .unwrap_or_default()
    }

    async fn unlock(&mut self, key: &LockKey) {
        // A failure here means the session is gone, and with it the lock.
        sqlx::query("SELECT pg_advisory_unlock($1, $2)")
            .bind(CLASS)
            .bind(key.hash)
            .execute(&mut *self)
            .await
            .ok();
    }

    async fn apply(
        &mut self,
        steps: &[PlanStep],
        after_each: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), sqlx::Error> {
        let mut transaction = self.begin().await?;
        for (at, statement) in render(steps, Dialect::Postgresql).into_iter().enumerate() {
            transaction.execute(AssertSqlSafe(statement)).await?;
            after_each(at);
        }
        transaction.commit().await
    }

    async fn end_write(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn probe(
        &mut self,
        query: &str,
        timeout: Duration,
        schema: &str,
    ) -> Result<bool, String> {
        let text = |error: sqlx::Error| crate::error::plain_error(&error);
        let millis = timeout.as_millis().max(1);
        let mut transaction = self.begin().await.map_err(text)?;
        transaction
            .execute("SET TRANSACTION READ ONLY")
            .await
            .map_err(text)?;
        transaction
            .execute(AssertSqlSafe(format!(
                "SET LOCAL statement_timeout = {millis}"
            )))
            .await
            .map_err(text)?;
        // The data step ran in the schema the diagnosis read (a tenant's):
        // its unqualified names mean that schema's tables.
        if !schema.is_empty() {
            transaction
                .execute(AssertSqlSafe(format!(
                    "SET LOCAL search_path TO {}, public",
                    Dialect::Postgresql.quote(schema)
                )))
                .await
                .map_err(text)?;
        }
        let row = sqlx::query(AssertSqlSafe(query.to_owned()))
            .fetch_optional(&mut *transaction)
            .await
            .map_err(text);
        // The read-only transaction must end before anything is written
        // on this connection.
        transaction.rollback().await.map_err(|error| {
            format!("the read-only transaction of the probe could not be ended: {error}")
        })?;
        row.map(|row| row.is_some())
    }
}
