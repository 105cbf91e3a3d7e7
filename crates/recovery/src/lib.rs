//! Executing a recovery plan, safely (PRODUCT.md, "Safety rules"):
//! under a lock (a PostgreSQL advisory lock scoped to the version table,
//! MySQL's `GET_LOCK`, a SQLite write transaction), after analysing again
//! under that lock, in one transaction where the dialect allows it, verified
//! by reading the rows back. Only the version table is ever written.
//!
//! On MySQL/MariaDB `CREATE TABLE` commits implicitly, so it runs first and
//! alone: an interruption right after it leaves an empty version table with
//! user tables, which the next run diagnoses as corrupted and repairs.
//!
//! This is the only crate that writes to a database.

mod lock;

use std::time::Duration;

use migration_doctor_diagnosis::{Diagnosis, ProbeAnswer, ProbeRequest, ProbeResult};
use migration_doctor_live::{
    Database, DbConnection, IntrospectOptions, LiveDatabase, LiveError, VersionTable, read_live,
    run_probes,
};
use migration_doctor_schema::Dialect;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Connection, Executor};

pub use lock::LockHolder;

/// How long one data probe may run.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a decision is made from the database as it is now, given the
/// answers to the data probes it asked for (none at first).
pub type Decide<'a> = dyn Fn(&LiveDatabase, &[ProbeResult]) -> Decision + 'a;

/// Runs the read-only probes a diagnosis asks for.
pub async fn answer_probes(database: &mut Database, requests: &[ProbeRequest]) -> Vec<ProbeResult> {
    let queries: Vec<String> = requests.iter().map(|request| request.sql.clone()).collect();
    let answers = run_probes(database, &queries, PROBE_TIMEOUT).await;
    requests
        .iter()
        .cloned()
        .zip(answers)
        .map(|(request, answer)| ProbeResult {
            request,
            answer: match answer {
                Ok(true) => ProbeAnswer::RowsFound,
                Ok(false) => ProbeAnswer::NoRows,
                Err(why) => ProbeAnswer::Failed(why),
            },
        })
        .collect()
}

/// Diagnoses with `diagnose`, runs the probes the first diagnosis asks for,
/// and diagnoses again with their answers.
pub async fn diagnose_with_probes(
    database: &mut Database,
    diagnose: &dyn Fn(&[ProbeResult]) -> Diagnosis,
) -> Diagnosis {
    let diagnosis = diagnose(&[]);
    if diagnosis.probe_requests.is_empty() {
        return diagnosis;
    }
    let answers = answer_probes(database, &diagnosis.probe_requests).await;
    diagnose(&answers)
}

/// Like [`diagnose_with_probes`], for a decision.
pub async fn decide_with_probes(
    database: &mut Database,
    live: &LiveDatabase,
    decide: &Decide<'_>,
) -> Decision {
    let decision = decide(live, &[]);
    if decision.diagnosis.probe_requests.is_empty() {
        return decision;
    }
    let answers = answer_probes(database, &decision.diagnosis.probe_requests).await;
    decide(live, &answers)
}

/// What to do once the database has been analysed again under the lock.
pub struct Decision {
    pub diagnosis: Diagnosis,
    /// The statements to run; `None` when there is nothing to write.
    pub plan: Option<Vec<String>>,
    /// Why nothing will be written although something is wrong.
    pub refusal: Option<String>,
    /// The version rows the plan must leave.
    pub target: Vec<String>,
}

/// The record of a recovery: what was there, what ran, what is there now,
/// and how to undo it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub applied: bool,
    pub before: Option<Vec<Option<String>>>,
    pub after: Option<Vec<Option<String>>>,
    pub statements: Vec<String>,
    pub undo: Vec<String>,
    #[serde(skip)]
    pub diagnosis: Option<Diagnosis>,
    #[serde(skip)]
    pub refusal: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    #[error(transparent)]
    Database(#[from] LiveError),
    #[error(
        "another process holds the migration lock on {target} and did not release it within {seconds} s{holder}; \
         wait for it to finish, or raise --lock-timeout"
    )]
    LockTimeout {
        target: String,
        seconds: u64,
        holder: String,
    },
    #[error(
        "the recovery ran but the version table now holds {found:?} instead of {expected:?}; nothing else was \
         changed. Run `migration-doctor diagnose` and check the version table by hand"
    )]
    VerificationFailed {
        expected: Vec<String>,
        found: Vec<Option<String>>,
    },
}

fn rows_of(live: &LiveDatabase) -> Option<Vec<Option<String>>> {
    live.version_table
        .contents()
        .map(|contents| contents.rows.clone())
}

/// The statements that put back what was there before.
fn undo_statements(live: &LiveDatabase) -> Vec<String> {
    let (name, schema, rows) = match &live.version_table {
        VersionTable::Absent { name, schema } => (name.clone(), schema.clone(), None),
        VersionTable::Present(contents) => (
            contents.name.clone(),
            contents.schema.clone(),
            Some(contents.rows.clone()),
        ),
    };
    let quote = |identifier: &str| match live.dialect {
        Dialect::Mysql => format!("`{}`", identifier.replace('`', "``")),
        _ => format!("\"{}\"", identifier.replace('"', "\"\"")),
    };
    let table = match schema {
        Some(schema) => format!("{}.{}", quote(&schema), quote(&name)),
        None => quote(&name),
    };
    match rows {
        None => vec![format!("DROP TABLE {table}")],
        Some(rows) => std::iter::once(format!("DELETE FROM {table}"))
            .chain(rows.into_iter().map(|row| match row {
                Some(value) => format!(
                    "INSERT INTO {table} (version_num) VALUES ('{}')",
                    value.replace('\'', "''")
                ),
                None => format!("INSERT INTO {table} (version_num) VALUES (NULL)"),
            }))
            .collect(),
    }
}

/// For fault-injection tests only (cargo feature `fault-injection`): with
/// `MIGRATION_DOCTOR_CRASH_AFTER_STATEMENT=N` the process aborts right after
/// the plan's statement N (0-based) ran and before anything is committed
/// after it, as a `kill -9` would stop it. Without the feature it does
/// nothing.
fn crash_point(executed: usize) {
    #[cfg(feature = "fault-injection")]
    if std::env::var("MIGRATION_DOCTOR_CRASH_AFTER_STATEMENT")
        .is_ok_and(|value| value == executed.to_string())
    {
        std::process::abort();
    }
    let _ = executed;
}

async fn run_statements(
    connection: &mut DbConnection,
    dialect: Dialect,
    plan: &[String],
) -> Result<(), sqlx::Error> {
    match connection {
        DbConnection::Postgres(connection) => {
            let mut transaction = connection.begin().await?;
            for (at, statement) in plan.iter().enumerate() {
                transaction
                    .execute(AssertSqlSafe(statement.clone()))
                    .await?;
                crash_point(at);
            }
            transaction.commit().await
        }
        DbConnection::Mysql(connection) => {
            // DDL commits implicitly: create first, then rewrite rows atomically.
            let (ddl, rows): (Vec<&String>, Vec<&String>) = plan
                .iter()
                .partition(|statement| statement.starts_with("CREATE TABLE"));
            let created = ddl.len();
            for (at, statement) in ddl.into_iter().enumerate() {
                connection.execute(AssertSqlSafe(statement.clone())).await?;
                crash_point(at);
            }
            let mut transaction = connection.begin().await?;
            for (at, statement) in rows.into_iter().enumerate() {
                transaction
                    .execute(AssertSqlSafe(statement.clone()))
                    .await?;
                crash_point(created + at);
            }
            transaction.commit().await
        }
        DbConnection::Sqlite(connection) => {
            // Already inside the lock's BEGIN IMMEDIATE.
            for (at, statement) in plan.iter().enumerate() {
                connection.execute(AssertSqlSafe(statement.clone())).await?;
                crash_point(at);
            }
            let _ = dialect;
            Ok(())
        }
    }
}

/// Takes the lock, analyses again with `decide`, applies the plan unless
/// `dry_run`, verifies it, and releases the lock. `while_locked` runs after
/// a successful recovery, still under the lock (on SQLite, whose lock is the
/// write transaction, after it commits).
pub async fn recover(
    database: &mut Database,
    introspect: &IntrospectOptions,
    lock_timeout: Duration,
    dry_run: bool,
    decide: &Decide<'_>,
    while_locked: Option<&(dyn Fn() -> Result<(), String> + Sync)>,
) -> Result<(Outcome, Option<Result<(), String>>), RecoveryError> {
    let key = lock::LockKey::new(database, introspect);
    lock::acquire(database, &key, lock_timeout).await?;
    let result = locked(database, introspect, dry_run, decide).await;
    let after_hook = match (&result, while_locked) {
        (Ok(outcome), Some(hook)) if outcome.refusal.is_none() && !dry_run => {
            if database.dialect() == Dialect::Sqlite {
                lock::release(database, &key).await;
                return result.map(|outcome| (outcome, Some(hook())));
            }
            Some(hook())
        }
        _ => None,
    };
    lock::release(database, &key).await;
    result.map(|outcome| (outcome, after_hook))
}

async fn locked(
    database: &mut Database,
    introspect: &IntrospectOptions,
    dry_run: bool,
    decide: &Decide<'_>,
) -> Result<Outcome, RecoveryError> {
    let live = read_live(database, introspect).await?;
    let decision = decide_with_probes(database, &live, decide).await;
    let before = rows_of(&live);
    let mut outcome = Outcome {
        applied: false,
        before: before.clone(),
        after: before,
        statements: decision.plan.clone().unwrap_or_default(),
        undo: Vec::new(),
        diagnosis: Some(decision.diagnosis),
        refusal: decision.refusal,
    };
    let Some(plan) = decision.plan else {
        return Ok(outcome);
    };
    outcome.undo = undo_statements(&live);
    if dry_run {
        return Ok(outcome);
    }
    let dialect = live.dialect;
    if let Err(error) = run_statements(&mut database.connection, dialect, &plan).await {
        return Err(database
            .query_error("write the version table", error)
            .into());
    }
    lock::commit_sqlite(database).await?;
    let verified = read_live(database, introspect).await?;
    let found = rows_of(&verified).unwrap_or_default();
    let mut sorted: Vec<Option<String>> = found.clone();
    sorted.sort();
    let mut expected: Vec<Option<String>> = decision.target.iter().cloned().map(Some).collect();
    expected.sort();
    if sorted != expected {
        return Err(RecoveryError::VerificationFailed {
            expected: decision.target,
            found,
        });
    }
    outcome.applied = true;
    outcome.after = Some(found);
    Ok(outcome)
}
