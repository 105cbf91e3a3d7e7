//! The states a database ends in when its rows are sound or missing:
//! fresh, healthy, behind, untracked, partial, drifted.

use migration_doctor_schema::{Dialect, PlanStep, TypeFamily};

use super::builder::{History, linear};
use super::*;
use crate::Hint;

// --- fresh, healthy, behind ---------------------------------------------

#[test]
fn an_empty_database_is_fresh_with_everything_pending() {
    let history = three();
    let diagnosis = history.empty_database().diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (State::Fresh, Strategy::NormalMigration, Evidence::Proven)
    );
    assert_eq!(diagnosis.pending_revisions, ids(&["a1", "a2", "a3"]));
    assert!(diagnosis.plan.is_none());
    assert!(diagnosis.is_sound(false));
}

#[test]
fn an_empty_version_table_without_tables_is_fresh() {
    let history = three();
    let diagnosis = history.empty_database().rows(&[]).diagnose();
    assert_eq!(diagnosis.state, State::Fresh);
    assert!(has(&diagnosis, FindingCode::EmptyVersionTable));
}

#[test]
fn rows_at_head_with_the_head_schema_are_healthy() {
    let history = three();
    let diagnosis = history.database_at(&["a3"]).rows(&["a3"]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (State::Healthy, Strategy::NoActionNeeded, Evidence::Proven)
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a3"]));
    assert!(diagnosis.pending_revisions.is_empty());
    assert!(diagnosis.findings.is_empty(), "{:?}", diagnosis.findings);
    assert!(diagnosis.is_sound(true));
}

#[test]
fn rows_behind_with_their_schema_are_behind() {
    let history = three();
    let diagnosis = history.database_at(&["a1"]).rows(&["a1"]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (State::Behind, Strategy::NormalMigration, Evidence::Proven)
    );
    assert_eq!(diagnosis.pending_revisions, ids(&["a2", "a3"]));
    assert!(diagnosis.is_sound(false));
    assert!(
        !diagnosis.is_sound(true),
        "after migrations ran, behind is not sound"
    );
}

#[test]
fn a_table_no_revision_manages_is_a_warning_not_a_block() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["a3"])
        .with_table("dba_notes", &["id"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Healthy);
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::UnmanagedObjects)
        .expect("unmanaged warning");
    assert_eq!(finding.hint, Some(Hint::IgnoreTables(ids(&["dba_notes"]))));
}

#[test]
fn ignored_tables_are_not_reported() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["a3"])
        .with_table("dba_notes", &["id"])
        .ignoring(&["dba_*"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Healthy);
    assert!(diagnosis.findings.is_empty(), "{:?}", diagnosis.findings);
}

// --- untracked ------------------------------------------------------------

#[test]
fn tables_without_a_version_table_are_stamped_at_the_matched_revision_not_head() {
    let history = three();
    let diagnosis = history.database_at(&["a2"]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::UntrackedSchema,
            Strategy::InitializeAlembicVersion,
            Evidence::Proven
        )
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert_eq!(diagnosis.candidate_revisions, vec![set(&["a2"])]);
    assert_eq!(diagnosis.pending_revisions, ids(&["a3"]));
    assert!(has(&diagnosis, FindingCode::VersionTableMissing));
    let steps = diagnosis.steps.clone().expect("a plan");
    assert!(matches!(steps[0], PlanStep::CreateVersionTable(_)));
    assert!(matches!(
        &steps[1],
        PlanStep::InsertVersion { version: Some(v), .. } if v == "a2"
    ));
    assert_eq!(steps.len(), 2);
}

#[test]
fn an_untracked_schema_that_matches_no_state_is_refused_with_the_closest() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .without_column("users", "email")
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::UntrackedSchema,
            Strategy::ManualIntervention,
            Evidence::Refused
        )
    );
    assert!(diagnosis.candidate_revisions.is_empty());
    assert!(has(&diagnosis, FindingCode::NoMatchingRevision));
    assert_eq!(diagnosis.closest[0].revisions, set(&["a2"]));
    assert!(diagnosis.plan.is_none());
}

#[test]
fn a_look_alike_version_table_keeps_an_untracked_match_for_a_person() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .with_table("app_version", &["version_num"])
        .diagnose();
    assert_eq!(diagnosis.state, State::UntrackedSchema);
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(has(&diagnosis, FindingCode::LookAlikeVersionTable));
}

#[test]
fn table_names_alone_never_match() {
    // Every table of a3 is there, but a column of a3 has another type.
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .without_column("users", "name")
        .with_column("users", "name", TypeFamily::Integer)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::Refused);
    assert!(diagnosis.matched_revisions.is_empty());
}

// --- rows against schema ----------------------------------------------------

#[test]
fn rows_ahead_of_the_schema_are_a_partial_migration_stamped_back() {
    let history = three();
    let diagnosis = history.database_at(&["a2"]).rows(&["a3"]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::PartialMigration,
            Strategy::CompletePartialMigration,
            Evidence::Proven
        )
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(has(&diagnosis, FindingCode::MissingObjects));
    assert!(diagnosis.missing_tables.is_empty());
}

#[test]
fn a_schema_ahead_of_the_rows_is_stamped_forward() {
    let history = three();
    let diagnosis = history.database_at(&["a3"]).rows(&["a1"]).diagnose();
    assert_eq!(diagnosis.state, State::PartialMigration);
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(diagnosis.matched_revisions, ids(&["a3"]));
    assert!(has(&diagnosis, FindingCode::SchemaAheadOfVersion));
}

#[test]
fn valid_rows_and_a_schema_no_revision_explains_are_drifted() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["a3"])
        .without_column("users", "email")
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::Drifted,
            Strategy::ManualIntervention,
            Evidence::Refused
        )
    );
    assert!(has(&diagnosis, FindingCode::NoMatchingRevision));
    assert!(!diagnosis.closest.is_empty());
    assert!(!diagnosis.is_sound(false));
}

// --- objects no revision makes ------------------------------------------------

#[test]
fn an_index_a_dba_added_is_a_warning_not_drift() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["a3"])
        .with_index("users", "ix_dba_email", &["email"])
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (State::Healthy, Strategy::NoActionNeeded, Evidence::Proven)
    );
    assert!(diagnosis.is_sound(false));
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::UnmanagedObjects)
        .expect("a warning");
    assert_eq!(
        finding.hint,
        Some(Hint::IgnoreObjects(ids(&["users.ix_dba_email"])))
    );
}

#[test]
fn a_hand_added_column_is_a_warning_and_untracked_still_proves() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .with_column("posts", "legacy_flag", TypeFamily::Boolean)
        .diagnose();
    assert_eq!(diagnosis.state, State::UntrackedSchema);
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(has(&diagnosis, FindingCode::UnmanagedObjects));
}

#[test]
fn an_ignored_object_is_not_reported() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["a3"])
        .with_index("users", "ix_dba_email", &["email"])
        .ignoring_objects(&["users.ix_dba_*"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Healthy);
    assert!(diagnosis.findings.is_empty(), "{:?}", diagnosis.findings);
}

#[test]
fn an_object_a_later_revision_makes_is_evidence() {
    // a2 creates the index: found at a1, it shows a2 ran.
    let history = History::new(
        linear(&[
            ("a1", USERS),
            (
                "a2",
                "op.create_index('ix_users_email', 'users', ['email'])",
            ),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .database_at(&["a1"])
        .rows(&["a1"])
        .with_index("users", "ix_users_email", &["email"])
        .diagnose();
    assert_eq!(diagnosis.state, State::PartialMigration);
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(!has(&diagnosis, FindingCode::UnmanagedObjects));
}

#[test]
fn tables_the_migrations_assume_are_never_a_fresh_database() {
    // The first revision changes a table the models' create_all made.
    let history = History::new(
        linear(&[
            (
                "a1",
                "op.add_column('legacy', sa.Column('note', sa.String(40)))",
            ),
            ("a2", USERS),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .empty_database()
        .with_table("legacy", &["id"])
        .diagnose();
    assert_ne!(diagnosis.state, State::Fresh, "{:?}", diagnosis.findings);
    assert_ne!(diagnosis.evidence, Evidence::Proven);
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::AssumedTables)
        .expect("assumed tables named");
    assert_eq!(finding.hint, Some(Hint::Baseline));
    assert!(!has(&diagnosis, FindingCode::UnmanagedObjects));
}

/// users, then posts with a foreign key to users and an index on it.
fn with_key_index(dialect: Dialect) -> History {
    History::new(
        linear(&[
            ("a1", USERS),
            (
                "a2",
                "op.create_table('posts', sa.Column('id', sa.Integer, primary_key=True), sa.Column('user_id', sa.Integer, sa.ForeignKey('users.id')))\nop.create_index('ix_posts_user_id', 'posts', ['user_id'])",
            ),
        ]),
        dialect,
    )
}

#[test]
fn mysql_names_the_index_behind_a_foreign_key_itself() {
    // MariaDB re-created the index serving the key under its own name.
    let history = with_key_index(Dialect::Mysql);
    let renamed = |history: &History| {
        history
            .database_at(&["a2"])
            .without_index("posts", "ix_posts_user_id")
            .with_index("posts", "posts_ibfk_1", &["user_id"])
            .rows(&["a2"])
            .diagnose()
    };
    let diagnosis = renamed(&history);
    assert_eq!(diagnosis.state, State::Healthy, "{:?}", diagnosis.findings);
    // Elsewhere the server does not name it: the index is missing.
    let diagnosis = renamed(&with_key_index(Dialect::Postgresql));
    assert_eq!(diagnosis.state, State::Drifted, "{:?}", diagnosis.findings);
}

// --- scores carried from a parent's state ---------------------------------

/// A state's score worked out from its parent's (the tables that changed
/// taken out and put back) equals the score of the whole state, against
/// every live schema of the history: through a branch and its merge, a
/// rename, a drop, and an unknown operation that makes tables uncertain.
#[test]
fn a_score_carried_from_the_parent_equals_the_whole_score() {
    use super::builder::rev;
    use crate::compare::Comparer;

    let history = History::new(
        vec![
            rev(
                "s1",
                &[],
                "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n\
                 op.create_table('logs', sa.Column('id', sa.Integer(), primary_key=True))",
            ),
            rev(
                "s2",
                &["s1"],
                "op.add_column('users', sa.Column('email', sa.String(80)))",
            ),
            rev(
                "s3a",
                &["s2"],
                "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True))",
            ),
            rev("s3b", &["s2"], "op.drop_table('logs')"),
            rev(
                "s4",
                &["s3a", "s3b"],
                "op.rename_table('orders', 'purchases')",
            ),
            rev(
                "s5",
                &["s4"],
                "op.execute(some_sql_built_at_run_time('users'))",
            ),
            rev(
                "s6",
                &["s5"],
                "op.add_column('purchases', sa.Column('total', sa.Integer()))",
            ),
        ],
        Dialect::Sqlite,
    );
    let ids = ["s1", "s2", "s3a", "s3b", "s4", "s5", "s6"];
    for live_at in ids {
        let live = history.database_at(&[live_at]).live.schema;
        let skip = |_: &str| false;
        let comparer = Comparer::new(&live, &skip);
        // Asked in an order where a child comes before its parent too.
        for id in ids.iter().rev().chain(ids.iter()) {
            let index = history.index(id);
            let whole = comparer.score(history.expected.state(index).unwrap());
            let carried = comparer.score_revision(&history.expected, &history.graph, index);
            assert_eq!(carried, whole, "state after {id}, database at {live_at}");
        }
    }
}
