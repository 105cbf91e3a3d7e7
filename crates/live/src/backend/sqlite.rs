//! SQLite: the lock is the write transaction itself (`BEGIN IMMEDIATE`,
//! waiting through `busy_timeout`); the plan runs inside it and `end_write`
//! commits; probes run with `PRAGMA query_only`.

use std::time::Duration;

use migration_doctor_schema::{Dialect, PlanStep};
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Executor};

use crate::introspect::{Failed, IntrospectOptions};
use crate::url::DatabaseUrl;
use migration_doctor_schema::LiveDatabase;

use super::{Backend, LockKey, render};

/// SQLite's result codes for a database another connection holds
/// (`SQLITE_BUSY`, `SQLITE_LOCKED`, and their extended forms).
fn is_busy(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|error| error.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

impl Backend for SqliteConnection {
    async fn list_schemas(&mut self) -> Result<Vec<String>, sqlx::Error> {
        Ok(vec!["main".to_owned()])
    }

    async fn introspect(
        &mut self,
        _url: &DatabaseUrl,
        options: &IntrospectOptions,
    ) -> Result<LiveDatabase, Failed> {
        crate::introspect::sqlite::read(self, options).await
    }

    async fn try_lock(&mut self, _key: &LockKey, timeout: Duration) -> Result<bool, sqlx::Error> {
        let millis = timeout.as_millis().min(i64::MAX as u128);
        self.execute(AssertSqlSafe(format!("PRAGMA busy_timeout = {millis}")))
            .await?;
        match self.execute("BEGIN IMMEDIATE").await {
            Ok(_) => Ok(true),
            Err(error) if is_busy(&error) => Ok(false),
            Err(error) => Err(error),
        }
    }

    async fn lock_holder(&mut self, _key: &LockKey) -> String {
        " (SQLite does not say which process)".to_owned()
    }

    async fn unlock(&mut self, _key: &LockKey) {
        // Nothing to undo after COMMIT (then ROLLBACK fails, harmlessly);
        // otherwise this ends the lock, and closing the connection would too.
        self.execute("ROLLBACK").await.ok();
    }

    async fn apply(
        &mut self,
        steps: &[PlanStep],
        after_each: &mut (dyn FnMut(usize) + Send),
    ) -> Result<(), sqlx::Error> {
        // Already inside the lock's BEGIN IMMEDIATE. A probe leaves the
        // connection writable again, or fails; this makes sure of it before
        // anything is written.
        self.execute("PRAGMA query_only = OFF").await?;
        for (at, statement) in render(steps, Dialect::Sqlite).into_iter().enumerate() {
            self.execute(AssertSqlSafe(statement)).await?;
            after_each(at);
        }
        Ok(())
    }

    async fn end_write(&mut self) -> Result<(), sqlx::Error> {
        self.execute("COMMIT").await.map(|_| ())
    }

    async fn probe(
        &mut self,
        query: &str,
        _timeout: Duration,
        _schema: &str,
    ) -> Result<bool, String> {
        let text = |error: sqlx::Error| crate::error::plain_error(&error);
        self.execute("PRAGMA query_only = ON").await.map_err(text)?;
        let row = sqlx::query(AssertSqlSafe(query.to_owned()))
            .fetch_optional(&mut *self)
            .await
            .map_err(text);
        // A connection left read-only would make the write that may follow
        // fail: that is this probe's failure, said as such.
        self.execute("PRAGMA query_only = OFF")
            .await
            .map_err(|error| {
                format!("the connection could not be made writable again after the probe: {error}")
            })?;
        row.map(|row| row.is_some())
    }
}
