//! MySQL and MariaDB: `GET_LOCK` on a name derived from the version table's
//! place; DDL commits on its own, so `CREATE TABLE` runs first and alone and
//! the rows are rewritten in one transaction after it (an interruption in
//! between leaves an empty version table, which the next run repairs);
//! probes in a read-only transaction under `max_statement_time`.

use std::time::Duration;

use migration_doctor_schema::{Dialect, PlanStep};
use sqlx::mysql::MySqlConnection;
use sqlx::{AssertSqlSafe, Connection, Executor, Row};

use std::path::Path;

use migration_doctor_schema::LiveDatabase;

use super::{Backend, LockKey};
use crate::connect::{Access, Database, DbConnection, connect};
use crate::introspect::{Failed, IntrospectOptions};
use crate::url::DatabaseUrl;

impl Backend for MySqlConnection {
    async fn list_schemas(&mut self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT CONVERT(SCHEMA_NAME USING utf8mb4) FROM information_schema.SCHEMATA \
             WHERE SCHEMA_NAME NOT IN ('information_schema', 'mysql', 'performance_schema', 'sys') \
             ORDER BY SCHEMA_NAME",
        )
        .fetch_all(&mut *self)
        .await
    }

    /// MySQL answers catalog queries slowly and one at a time per
    /// connection: a second connection lets the slowest one run alongside
    /// the others.
    async fn introspect(
        &mut self,
        url: &DatabaseUrl,
        options: &IntrospectOptions,
    ) -> Result<LiveDatabase, Failed> {
        let mut spare = match connect(url, Access::ReadOnly, Path::new(".")).await {
            Ok(Database {
                connection: DbConnection::Mysql(spare),
                ..
            }) => Some(spare),
            _ => None,
        };
        let result = crate::introspect::mysql::read(self, spare.as_mut(), options).await;
        if let Some(spare) = spare {
            // Only read through; the server drops it if the goodbye fails.
            spare.close().await.ok();
        }
        result
    }

    async fn try_lock(&mut self, key: &LockKey, timeout: Duration) -> Result<bool, sqlx::Error> {
        // GET_LOCK takes whole seconds; a longer wait than a day is no wait
        // an operator meant, and a huge one would overflow.
        let seconds = timeout.as_secs().clamp(1, 86_400) as i64;
        let taken: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
            .bind(&key.name)
            .bind(seconds)
            .fetch_one(&mut *self)
            .await?;
        Ok(taken == Some(1))
    }

    async fn lock_holder(&mut self, key: &LockKey) -> String {
        sqlx::query(
            "SELECT CAST(ID AS SIGNED), CAST(USER AS CHAR), CAST(HOST AS CHAR) FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)",
        )
        .bind(&key.name)
        .fetch_optional(&mut *self)
        .await
        .ok()
        .flatten()
        .map(|row| {
            let id: i64 = row.try_get(0).unwrap_or_default();
            let user: String = row.try_get(1).unwrap_or_default();
            let host: String = row.try_get(2).unwrap_or_default();
            format!(" (held by connection {id}, user {user} from {host})")
        })
        .unwrap_or_default()
    }

    async fn unlock(&mut self, key: &LockKey) {
        // A failure here means the connection is gone, and with it the lock.
        sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&key.name)
            .execute(&mut *self)
            .await
            .ok();
    }

    async fn apply(
        &mut self,
        steps: &[PlanStep],
        after_each: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), sqlx::Error> {
        let (ddl, rows): (Vec<&PlanStep>, Vec<&PlanStep>) =
            steps.iter().partition(|step| step.is_ddl());
        let created = ddl.len();
        for (at, step) in ddl.into_iter().enumerate() {
            self.execute(AssertSqlSafe(step.sql(Dialect::Mysql)))
                .await?;
            after_each(at);
        }
        let mut transaction = self.begin().await?;
        for (at, step) in rows.into_iter().enumerate() {
            transaction
                .execute(AssertSqlSafe(step.sql(Dialect::Mysql)))
                .await?;
            after_each(created + at);
        }
        transaction.commit().await
    }

    async fn end_write(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }

    // MySQL's schema is the connection's database: a fleet member is
    // connected to its own.
    async fn probe(
        &mut self,
        query: &str,
        timeout: Duration,
        _schema: &str,
    ) -> Result<bool, String> {
        let text = |error: sqlx::Error| crate::error::plain_error(&error);
        let millis = timeout.as_millis().max(1);
        // MariaDB's limit in seconds; MySQL rejects the unknown variable
        // (so its failure is expected there) and is bounded by the timeout
        // around the call.
        self.execute(AssertSqlSafe(format!(
            "SET SESSION max_statement_time = {}",
            (millis as f64) / 1000.0
        )))
        .await
        .ok();
        self.execute("START TRANSACTION READ ONLY")
            .await
            .map_err(text)?;
        let row = sqlx::query(AssertSqlSafe(query.to_owned()))
            .fetch_optional(&mut *self)
            .await
            .map_err(text);
        // The read-only transaction must end before anything is written
        // on this connection.
        self.execute("ROLLBACK").await.map_err(|error| {
            format!("the read-only transaction of the probe could not be ended: {error}")
        })?;
        // As above, MySQL rejects the variable; MariaDB resets it.
        self.execute("SET SESSION max_statement_time = 0")
            .await
            .ok();
        row.map(|row| row.is_some())
    }
}
