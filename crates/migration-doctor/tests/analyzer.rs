//! The library face on the example project's SQLite database.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use migration_doctor::MigrationStateAnalyzer;
use migration_doctor::diagnosis::{Evidence, State, Strategy};

#[tokio::test]
async fn analyzes_the_example_database() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../example");
    let url = format!("sqlite:///{}", root.join("shop.db").display());
    let analyzer = MigrationStateAnalyzer::new(url, root.join("alembic.ini"));
    let diagnosis = analyzer
        .analyze_migration_state()
        .await
        .expect("analysis runs");
    assert_eq!(diagnosis.state, State::UntrackedSchema);
    assert_eq!(diagnosis.strategy, Strategy::InitializeAlembicVersion);
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    // A probe finds the backfill of e2f3a4b5c6d7 still to do.
    assert_eq!(diagnosis.matched_revisions, ["9d0e1f2a3b4c"]);
}

#[tokio::test]
async fn unreachable_database_is_an_error_not_a_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../example");
    let analyzer = MigrationStateAnalyzer::new(
        "postgresql://nobody:secret@127.0.0.1:1/x",
        root.join("alembic.ini"),
    );
    let error = analyzer
        .analyze_migration_state()
        .await
        .expect_err("no server on port 1");
    let message = error.to_string();
    assert!(
        message.contains("cannot reach") && !message.contains("secret"),
        "{message}"
    );
}
