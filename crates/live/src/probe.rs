//! Read-only probes: the questions the diagnosis asks to tell whether a
//! data step ran ("does any row still satisfy the `WHERE` of this
//! `UPDATE`?"). Each runs in a read-only transaction (PostgreSQL, MySQL) or
//! with `PRAGMA query_only` (SQLite), under a statement timeout, and is
//! rolled back; a probe that fails or times out is an answer too ("failed"),
//! never an error of the whole run.

use std::time::Duration;

use sqlx::{AssertSqlSafe, Connection, Executor};

use crate::connect::{Database, DbConnection};

/// Runs each query; `Ok(true)` when it returned a row.
pub async fn run_probes(
    database: &mut Database,
    queries: &[String],
    timeout: Duration,
) -> Vec<Result<bool, String>> {
    let mut answers = Vec::with_capacity(queries.len());
    for query in queries {
        let answer = tokio::time::timeout(timeout, probe(&mut database.connection, query, timeout))
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} s", timeout.as_secs())));
        answers.push(answer);
    }
    answers
}

async fn probe(
    connection: &mut DbConnection,
    query: &str,
    timeout: Duration,
) -> Result<bool, String> {
    let text = |error: sqlx::Error| error.to_string();
    let millis = timeout.as_millis().max(1);
    match connection {
        DbConnection::Postgres(connection) => {
            let mut transaction = connection.begin().await.map_err(text)?;
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
            let row = sqlx::query(AssertSqlSafe(query.to_owned()))
                .fetch_optional(&mut *transaction)
                .await
                .map_err(text);
            let _ = transaction.rollback().await;
            row.map(|row| row.is_some())
        }
        DbConnection::Mysql(connection) => {
            // MariaDB's limit in seconds; MySQL ignores the unknown variable
            // and is bounded by the timeout around the call.
            let _ = connection
                .execute(AssertSqlSafe(format!(
                    "SET SESSION max_statement_time = {}",
                    (millis as f64) / 1000.0
                )))
                .await;
            connection
                .execute("START TRANSACTION READ ONLY")
                .await
                .map_err(text)?;
            let row = sqlx::query(AssertSqlSafe(query.to_owned()))
                .fetch_optional(&mut *connection)
                .await
                .map_err(text);
            let _ = connection.execute("ROLLBACK").await;
            let _ = connection
                .execute("SET SESSION max_statement_time = 0")
                .await;
            row.map(|row| row.is_some())
        }
        DbConnection::Sqlite(connection) => {
            connection
                .execute("PRAGMA query_only = ON")
                .await
                .map_err(text)?;
            let row = sqlx::query(AssertSqlSafe(query.to_owned()))
                .fetch_optional(&mut *connection)
                .await
                .map_err(text);
            let _ = connection.execute("PRAGMA query_only = OFF").await;
            row.map(|row| row.is_some())
        }
    }
}
