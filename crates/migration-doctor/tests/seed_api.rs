//! The seed's entry points on a copy of the example database.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use migration_doctor::diagnosis::State;
use migration_doctor::{
    AlembicStateRecovery, EnsureOptions, MigrationTracker, RecoveryFailure,
    ensure_migration_state_healthy,
};

fn example_copy() -> (tempfile::TempDir, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../example");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(&source)
        .arg(dir.path().join("example"))
        .status()
        .expect("cp");
    assert!(status.success());
    let root = dir.path().join("example");
    let url = format!("sqlite:///{}", root.join("shop.db").display());
    (dir, url, root.join("alembic.ini"))
}

#[tokio::test]
async fn ensure_stamps_what_the_schema_proves() {
    let (_dir, url, config) = example_copy();
    let options = EnsureOptions::new(&config);
    let recovery = AlembicStateRecovery {
        database_url: url.clone(),
        options: options.clone(),
    };
    match recovery.repair_corrupted_alembic_version().await {
        Err(RecoveryFailure::Refused(reason)) => {
            assert!(reason.contains("INITIALIZE_ALEMBIC_VERSION"), "{reason}")
        }
        other => panic!("repair must refuse on an untracked database: {other:?}"),
    }
    let (healthy, state) = ensure_migration_state_healthy(&url, &options).await;
    assert!(healthy, "{state:?}");
    // The backfill of e2f3a4b5c6d7 has not run (a probe says so): the
    // proven state is the merge before it, and a migration run finishes.
    assert_eq!(state.current_revision.as_deref(), Some("9d0e1f2a3b4c"));
    assert!(state.has_alembic_version && state.has_existing_schema && !state.requires_recovery);
    assert_eq!(state.recovery_strategy, "NORMAL_MIGRATION");
    let tracker = MigrationTracker {
        database_url: url,
        options,
    };
    let again = tracker.check_migrations().await;
    assert_eq!(again.diagnosis.map(|d| d.state), Some(State::Behind));
}

#[tokio::test]
async fn initialize_runs_only_where_it_applies() {
    let (_dir, url, config) = example_copy();
    let recovery = AlembicStateRecovery {
        database_url: url,
        options: EnsureOptions::new(&config),
    };
    let outcome = recovery
        .initialize_alembic_version_for_existing_schema()
        .await
        .expect("initialises");
    assert!(outcome.applied);
    assert_eq!(outcome.after, Some(vec![Some("9d0e1f2a3b4c".to_owned())]));
    match recovery
        .initialize_alembic_version_for_existing_schema()
        .await
    {
        Err(RecoveryFailure::Refused(reason)) => {
            assert!(reason.contains("NORMAL_MIGRATION"), "{reason}")
        }
        other => panic!("a second initialise must refuse: {other:?}"),
    }
    // The schema agrees with the head too, but a probe proves its backfill
    // has not run: stamping the head unattended would skip it forever.
    match recovery.stamp_existing_schema_to_head().await {
        Err(RecoveryFailure::Refused(reason)) => {
            assert!(reason.contains("does not prove e2f3a4b5c6d7"), "{reason}")
        }
        other => panic!("stamping the head must refuse: {other:?}"),
    }
}
