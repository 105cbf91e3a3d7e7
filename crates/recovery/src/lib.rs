//! Executing a recovery plan, safely (docs/contract.md, "Safety rules"):
//! under a lock (a PostgreSQL advisory lock scoped to the version table,
//! MySQL's `GET_LOCK`, a SQLite write transaction), after analysing again
//! under that lock, in one transaction where the dialect allows it, verified
//! by reading the rows back. Only the version table is written — but for a
//! half-applied revision's missing creations when the plan holds them
//! (`recover --complete`), which are verified by reading the schema back
//! and analysing it again.
//!
//! The plan is typed steps; how each dialect takes the lock and runs them
//! (on MySQL/MariaDB `CREATE TABLE` commits implicitly, so it runs first and
//! alone: an interruption right after it leaves an empty version table with
//! user tables, which the next run diagnoses as corrupted and repairs) is
//! the `live` crate's backend. This crate decides what to write and in
//! which order the steps of a recovery happen; it holds no SQL of its own.

use std::time::Duration;

use migration_doctor_diagnosis::{
    Diagnosis, Evidence, ProbeAnswer, ProbeRequest, ProbeResult, Refusal, State,
};
use migration_doctor_live::{
    Database, IntrospectOptions, LiveDatabase, LiveError, LockFailure, LockKey, read_live,
    run_probes,
};
use migration_doctor_schema::PlanStep;

/// How long one data probe may run.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a decision is made from the database as it is now, given the
/// answers to the data probes it asked for (none at first).
pub type Decide<'a> = dyn Fn(&LiveDatabase, &[ProbeResult]) -> Decision + 'a;

/// Runs the read-only probes a diagnosis asks for.
pub async fn answer_probes(
    database: &mut Database,
    requests: &[ProbeRequest],
    schema: &str,
) -> Vec<ProbeResult> {
    let queries: Vec<String> = requests.iter().map(|request| request.sql.clone()).collect();
    let answers = run_probes(database, &queries, PROBE_TIMEOUT, schema).await;
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
    live: &LiveDatabase,
    diagnose: &dyn Fn(&[ProbeResult]) -> Diagnosis,
) -> Diagnosis {
    let diagnosis = diagnose(&[]);
    if diagnosis.probe_requests.is_empty() {
        return diagnosis;
    }
    let answers = answer_probes(database, &diagnosis.probe_requests, &live.schema_name).await;
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
    let answers = answer_probes(
        database,
        &decision.diagnosis.probe_requests,
        &live.schema_name,
    )
    .await;
    decide(live, &answers)
}

/// What to do once the database has been analysed again under the lock.
pub struct Decision {
    pub diagnosis: Diagnosis,
    /// The steps to run; `None` when there is nothing to write.
    pub plan: Option<Vec<PlanStep>>,
    /// Why nothing will be written although something is wrong.
    pub refusal: Option<Refusal>,
    /// The version rows the plan must leave.
    pub target: Vec<String>,
}

/// The record of a recovery: what was there, what ran, what is there now,
/// and how to undo it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub applied: bool,
    pub before: Option<Vec<Option<String>>>,
    pub after: Option<Vec<Option<String>>>,
    /// The plan's steps as SQL of the database's dialect.
    pub statements: Vec<String>,
    /// The statements that put back what was there before.
    pub undo: Vec<String>,
    pub diagnosis: Option<Diagnosis>,
    pub refusal: Option<Refusal>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryError {
    #[error(transparent)]
    Database(#[from] LiveError),
    #[error(
        "another process holds the migration lock on {target} and did not release it within {seconds} s{holder}; \
         wait for it to finish, or allow a longer lock timeout"
    )]
    LockTimeout {
        target: String,
        seconds: u64,
        holder: String,
    },
    #[error(
        "the recovery ran but the version table now holds {found:?} instead of {expected:?}; nothing else was \
         changed. Diagnose the database again and check the version table by hand"
    )]
    VerificationFailed {
        expected: Vec<String>,
        found: Vec<Option<String>>,
    },
    #[error(
        "the DDL finishing revision {revision} ran and it was stamped, but reading the schema back it is {state}, \
         not what that revision leaves ({differences}). Diagnose the database again in detail; the audit \
         record holds each statement and its undo"
    )]
    CompletionMismatch {
        revision: String,
        state: String,
        differences: String,
    },
    #[error(
        "{0}; nothing was written, since every write is recorded first. Make the audit log writable, or do without it"
    )]
    AuditLog(String),
}

fn rows_of(live: &LiveDatabase) -> Option<Vec<Option<String>>> {
    live.version_table
        .contents()
        .map(|contents| contents.rows.clone())
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

/// Work that runs under the lock once the tracking state is sound (the
/// migrations of `ensure --then`).
pub type WhileLocked<'a> = dyn Fn() -> Result<(), String> + Sync + 'a;

/// Runs right before the write with what is about to be written (the
/// audit record's first line); an error stops the recovery before it
/// writes anything.
pub type BeforeWrite<'a> = dyn Fn(&Outcome) -> Result<(), String> + Sync + 'a;

/// How to run one recovery.
pub struct RecoveryRun<'a> {
    pub introspect: &'a IntrospectOptions,
    /// How long to wait for another process's lock.
    pub lock_timeout: Duration,
    /// Decide and show, write nothing.
    pub dry_run: bool,
    /// What to write, decided from the database as it is under the lock.
    pub decide: &'a Decide<'a>,
    pub while_locked: Option<&'a WhileLocked<'a>>,
    /// Learns what the recovery did before `while_locked` runs (to show the
    /// verdict and the plan before the migrations' own output).
    pub before_while_locked: Option<&'a (dyn Fn(&Outcome) + Sync + 'a)>,
    pub before_write: Option<&'a BeforeWrite<'a>>,
}

/// What a recovery did.
#[derive(Debug)]
pub struct Recovered {
    pub outcome: Outcome,
    /// What `while_locked` returned, when it ran.
    pub hook: Option<Result<(), String>>,
    /// Why the record of a write done could not be kept, if it could not.
    pub audit_warning: Option<String>,
}

/// Takes the lock, analyses again with `decide`, applies the plan unless
/// it is a dry run, verifies it, and releases the lock. `while_locked` runs
/// after a successful recovery, still under the lock (where the lock keeps
/// every writer out, SQLite's, right after it is released).
pub async fn recover(
    database: &mut Database,
    run: &RecoveryRun<'_>,
) -> Result<Recovered, RecoveryError> {
    let introspect = run.introspect;
    let key = LockKey::new(
        database.url.database.as_deref().unwrap_or_default(),
        introspect.version_table_schema.as_deref(),
        &introspect.version_table,
    );
    database
        .lock(&key, run.lock_timeout)
        .await
        .map_err(|failure| match failure {
            LockFailure::Held { holder } => RecoveryError::LockTimeout {
                target: database.target.clone(),
                seconds: run.lock_timeout.as_secs(),
                holder,
            },
            LockFailure::Database(error) => RecoveryError::Database(error),
        })?;
    let result = locked(database, run).await;
    let hook = match (&result, run.while_locked) {
        (Ok(outcome), Some(hook)) if outcome.refusal.is_none() && !run.dry_run => {
            if let Some(announce) = run.before_while_locked {
                announce(outcome);
            }
            if database.lock_excludes_writers() {
                database.unlock(&key).await;
                return result.map(|outcome| Recovered {
                    outcome,
                    hook: Some(hook()),
                    audit_warning: None,
                });
            }
            Some(hook())
        }
        _ => None,
    };
    database.unlock(&key).await;
    result.map(|outcome| Recovered {
        outcome,
        hook,
        audit_warning: None,
    })
}

async fn locked(database: &mut Database, run: &RecoveryRun<'_>) -> Result<Outcome, RecoveryError> {
    let (introspect, decide) = (run.introspect, run.decide);
    let live = read_live(database, introspect).await?;
    let decision = decide_with_probes(database, &live, decide).await;
    let before = rows_of(&live);
    let dialect = live.dialect;
    let render = |steps: &[PlanStep]| -> Vec<String> {
        steps.iter().map(|step| step.sql(dialect)).collect()
    };
    let mut outcome = Outcome {
        applied: false,
        before: before.clone(),
        after: before,
        statements: decision.plan.as_deref().map(render).unwrap_or_default(),
        undo: Vec::new(),
        diagnosis: Some(decision.diagnosis),
        refusal: decision.refusal,
    };
    let Some(plan) = decision.plan else {
        return Ok(outcome);
    };
    // The rows first, then the created objects, last created first.
    outcome.undo = render(&live.version_table.undo_steps());
    outcome
        .undo
        .extend(plan.iter().rev().filter_map(|step| match step {
            PlanStep::CompleteRevision { undo, .. } => Some(undo.clone()),
            _ => None,
        }));
    if run.dry_run {
        return Ok(outcome);
    }
    if let Some(before_write) = run.before_write {
        before_write(&outcome).map_err(RecoveryError::AuditLog)?;
    }
    database.apply(&plan, &mut crash_point).await?;
    database.end_write().await?;
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
    // A completion wrote user objects: the schema read back must be the
    // revision's in every detail (healthy or behind at the stamp).
    let completed = plan.iter().find_map(|step| match step {
        PlanStep::CompleteRevision { revision, .. } => Some(revision.clone()),
        _ => None,
    });
    if let Some(revision) = completed {
        let after = decide_with_probes(database, &verified, decide)
            .await
            .diagnosis;
        let sound = matches!(after.state, State::Healthy | State::Behind)
            && after.evidence == Evidence::Proven;
        if !sound {
            return Err(RecoveryError::CompletionMismatch {
                revision,
                state: after.state.name().to_owned(),
                differences: after
                    .comparison
                    .map(|comparison| comparison.differences().join("; "))
                    .filter(|text| !text.is_empty())
                    .unwrap_or_else(|| "see the diagnosis".to_owned()),
            });
        }
    }
    outcome.applied = true;
    outcome.after = Some(found);
    Ok(outcome)
}
