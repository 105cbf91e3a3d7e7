//! The migration lock, scoped to the version table: a PostgreSQL advisory
//! lock, MySQL's `GET_LOCK`, a SQLite write transaction (`BEGIN
//! IMMEDIATE`). Waits have a limit, and on a timeout we say who holds the
//! lock where the database tells.

use std::time::{Duration, Instant};

use migration_doctor_live::{Database, DbConnection, IntrospectOptions};
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::RecoveryError;

/// Who holds a lock, as far as the database tells.
pub type LockHolder = String;

/// PostgreSQL advisory locks take two int4 keys: a constant for
/// migration-doctor ("MD") and a hash of the version table's place.
const PG_CLASS: i32 = 0x4D44;

pub struct LockKey {
    name: String,
    hash: i32,
}

impl LockKey {
    pub fn new(database: &Database, introspect: &IntrospectOptions) -> LockKey {
        let place = format!(
            "{}.{}.{}",
            database.url.database.clone().unwrap_or_default(),
            introspect.version_table_schema.clone().unwrap_or_default(),
            introspect.version_table
        );
        // FNV-1a: stable across builds and platforms.
        let mut hash: u32 = 0x811c_9dc5;
        for byte in place.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        let name: String = format!("migration-doctor:{place}")
            .chars()
            .take(64)
            .collect();
        LockKey {
            name,
            hash: hash as i32,
        }
    }
}

fn timeout_error(database: &Database, lock_timeout: Duration, holder: String) -> RecoveryError {
    RecoveryError::LockTimeout {
        target: database.target.clone(),
        seconds: lock_timeout.as_secs(),
        holder,
    }
}

pub async fn acquire(
    database: &mut Database,
    key: &LockKey,
    lock_timeout: Duration,
) -> Result<(), RecoveryError> {
    let started = Instant::now();
    match &mut database.connection {
        DbConnection::Postgres(connection) => loop {
            let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                .bind(PG_CLASS)
                .bind(key.hash)
                .fetch_one(&mut *connection)
                .await
                .map_err(|error| database_error(&database.url, &database.target, error))?;
            if taken {
                return Ok(());
            }
            if started.elapsed() >= lock_timeout {
                let holder = sqlx::query(
                    "SELECT a.pid, COALESCE(a.usename::text, ''), COALESCE(a.application_name, ''), COALESCE(a.client_addr::text, 'local') \
                     FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2",
                )
                .bind(i64::from(PG_CLASS))
                .bind(i64::from(key.hash as u32))
                .fetch_optional(&mut *connection)
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
                .unwrap_or_default();
                return Err(timeout_error(database, lock_timeout, holder));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        },
        DbConnection::Mysql(connection) => {
            let seconds = lock_timeout.as_secs().max(1) as i64;
            let taken: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
                .bind(&key.name)
                .bind(seconds)
                .fetch_one(&mut *connection)
                .await
                .map_err(|error| database_error(&database.url, &database.target, error))?;
            if taken == Some(1) {
                return Ok(());
            }
            let holder = sqlx::query(
                "SELECT CAST(ID AS SIGNED), CAST(USER AS CHAR), CAST(HOST AS CHAR) FROM information_schema.PROCESSLIST WHERE ID = IS_USED_LOCK(?)",
            )
            .bind(&key.name)
            .fetch_optional(&mut *connection)
            .await
            .ok()
            .flatten()
            .map(|row| {
                let id: i64 = row.try_get(0).unwrap_or_default();
                let user: String = row.try_get(1).unwrap_or_default();
                let host: String = row.try_get(2).unwrap_or_default();
                format!(" (held by connection {id}, user {user} from {host})")
            })
            .unwrap_or_default();
            Err(timeout_error(database, lock_timeout, holder))
        }
        DbConnection::Sqlite(connection) => {
            let millis = lock_timeout.as_millis().min(i64::MAX as u128);
            connection
                .execute(AssertSqlSafe(format!("PRAGMA busy_timeout = {millis}")))
                .await
                .map_err(|error| database_error(&database.url, &database.target, error))?;
            match connection.execute("BEGIN IMMEDIATE").await {
                Ok(_) => Ok(()),
                Err(error)
                    if error.to_string().contains("locked")
                        || error.to_string().contains("busy") =>
                {
                    Err(timeout_error(
                        database,
                        lock_timeout,
                        " (SQLite does not say which process)".to_owned(),
                    ))
                }
                Err(error) => Err(database_error(&database.url, &database.target, error)),
            }
        }
    }
}

/// Commits SQLite's write transaction (the lock) so the rows can be read back.
pub async fn commit_sqlite(database: &mut Database) -> Result<(), RecoveryError> {
    if let DbConnection::Sqlite(connection) = &mut database.connection {
        connection
            .execute("COMMIT")
            .await
            .map_err(|error| database_error(&database.url, &database.target, error))?;
    }
    Ok(())
}

/// Releases the lock; failures are ignored (closing the connection releases it too).
pub async fn release(database: &mut Database, key: &LockKey) {
    match &mut database.connection {
        DbConnection::Postgres(connection) => {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1, $2)")
                .bind(PG_CLASS)
                .bind(key.hash)
                .execute(&mut *connection)
                .await;
        }
        DbConnection::Mysql(connection) => {
            let _ = sqlx::query("SELECT RELEASE_LOCK(?)")
                .bind(&key.name)
                .execute(&mut *connection)
                .await;
        }
        DbConnection::Sqlite(connection) => {
            // Nothing to undo after COMMIT; otherwise this ends the lock.
            let _ = connection.execute("ROLLBACK").await;
        }
    }
}

fn database_error(
    url: &migration_doctor_live::DatabaseUrl,
    target: &str,
    error: sqlx::Error,
) -> RecoveryError {
    RecoveryError::Database(migration_doctor_live::classify_error(
        url,
        target,
        "take the migration lock",
        error,
    ))
}
