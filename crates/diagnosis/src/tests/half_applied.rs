//! Half-applied revisions and their completion, branches, and rules every diagnosis keeps.

use migration_doctor_schema::{Dialect, PlanStep, TypeFamily};

use super::builder::{History, linear, rev};
use super::*;
use crate::{Hint, ProbeAnswer};

// --- half-applied revisions -----------------------------------------------------

const INDEX: &str = "op.create_index('ix_users_email', 'users', ['email'])";
const UNIQUE: &str = "op.create_index('ix_users_email', 'users', ['email'], unique=True)";

fn half(second: &str) -> History {
    History::new(
        linear(&[("a1", USERS), ("a2", &format!("{NAME}\n{second}"))]),
        Dialect::Mysql,
    )
}

#[test]
fn a_half_applied_child_whose_missing_part_creates_is_finished() {
    let history = half(INDEX);
    let diagnosis = history
        .database_at(&["a2"])
        .without_index("users", "ix_users_email")
        .rows(&["a1"])
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::PartialMigration,
            Strategy::CompletePartialMigration,
            Evidence::Proven
        )
    );
    let completion = diagnosis.completion.clone().expect("a completion");
    assert_eq!(completion.revision, "a2");
    assert_eq!(completion.target, set(&["a2"]));
    assert!(completion.blockers.is_empty());
    assert_eq!(diagnosis.partial[0].missing.len(), 1);
    let steps = diagnosis.steps.clone().expect("a plan");
    assert!(matches!(steps[0], PlanStep::CompleteRevision { .. }));
    assert!(matches!(
        steps.last(),
        Some(PlanStep::InsertVersion { version: Some(v), .. }) if v == "a2"
    ));
    assert!(has(&diagnosis, FindingCode::PartlyApplied));
}

#[test]
fn a_half_applied_child_missing_what_does_not_create_is_never_stamped() {
    let history = half("op.drop_column('users', 'email')");
    let diagnosis = history
        .database_at(&["a1"])
        .with_column("users", "name", TypeFamily::String { length: Some(50) })
        .rows(&["a1"])
        .diagnose();
    assert_eq!(diagnosis.state, State::PartialMigration);
    assert_eq!(diagnosis.strategy, Strategy::ManualIntervention);
    assert_eq!(diagnosis.evidence, Evidence::Refused);
    let completion = diagnosis.completion.clone().expect("a completion");
    assert!(
        completion.blockers[0].message.contains("drop column"),
        "{:?}",
        completion.blockers
    );
    assert_eq!(completion.blockers[0].hint, Some(Hint::Recover));
    assert!(diagnosis.plan.is_none());
}

#[test]
fn a_unique_index_meeting_repeated_rows_blocks_the_completion() {
    let history = half(UNIQUE);
    let database = history
        .database_at(&["a2"])
        .without_index("users", "ix_users_email")
        .rows(&["a1"]);
    let unanswered = database.diagnose();
    assert_eq!(unanswered.evidence, Evidence::NeedsConfirmation);
    assert_eq!(unanswered.probe_requests.len(), 1);
    let repeated = database
        .probes_answer(|_| ProbeAnswer::RowsFound)
        .diagnose();
    assert_eq!(repeated.evidence, Evidence::Refused);
    let completion = repeated.completion.clone().expect("a completion");
    assert_eq!(completion.blockers[0].hint, Some(Hint::Complete));
}

#[test]
fn a_unique_index_over_distinct_rows_is_finished_on_proof() {
    let history = half(UNIQUE);
    let diagnosis = history
        .database_at(&["a2"])
        .without_index("users", "ix_users_email")
        .rows(&["a1"])
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(diagnosis.strategy, Strategy::CompletePartialMigration);
}

/// A data step between the part that ran and the index that failed: its
/// check says whether it ran, and the completion takes one path.
fn backfill_then_unique() -> History {
    half(&format!(
        "op.execute(\"UPDATE users SET name = 'x' WHERE name IS NULL\")\n{UNIQUE}"
    ))
}

fn stopped_at_the_index(history: &History) -> super::builder::Db<'_> {
    history
        .database_at(&["a2"])
        .without_index("users", "ix_users_email")
        .rows(&["a1"])
}

#[test]
fn a_data_step_with_nothing_left_to_change_does_not_block_the_completion() {
    // The backfill's check finds no row left to change; the rows repeat
    // the index's values: that alone blocks, naming the query that lists
    // them and one way on.
    let history = backfill_then_unique();
    let diagnosis = stopped_at_the_index(&history)
        .probes_answer(|request| {
            if request.sql.contains("GROUP BY") {
                ProbeAnswer::RowsFound
            } else {
                ProbeAnswer::NoRows
            }
        })
        .diagnose();
    let completion = diagnosis.completion.clone().expect("a completion");
    assert_eq!(completion.blockers.len(), 1, "{:?}", completion.blockers);
    assert!(
        completion.blockers[0]
            .message
            .contains("this query lists them: SELECT"),
        "{}",
        completion.blockers[0].message
    );
    assert_eq!(completion.blockers[0].hint, Some(Hint::Complete));
    // Once the rows are fixed, the completion is proven.
    let fixed = stopped_at_the_index(&history)
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(
        (fixed.strategy, fixed.evidence),
        (Strategy::CompletePartialMigration, Evidence::Proven),
        "{fixed:#?}"
    );
}

#[test]
fn a_data_step_that_did_not_run_is_named_with_its_sql() {
    let history = backfill_then_unique();
    let diagnosis = stopped_at_the_index(&history)
        .probes_answer(|request| {
            if request.sql.contains("GROUP BY") {
                ProbeAnswer::NoRows
            } else {
                ProbeAnswer::RowsFound
            }
        })
        .diagnose();
    let completion = diagnosis.completion.clone().expect("a completion");
    assert_eq!(completion.blockers.len(), 1, "{:?}", completion.blockers);
    assert!(
        completion.blockers[0]
            .message
            .contains("did not run (its check, SELECT"),
        "{}",
        completion.blockers[0].message
    );
    assert!(
        completion.blockers[0]
            .message
            .contains("UPDATE users SET name = 'x' WHERE name IS NULL"),
        "{}",
        completion.blockers[0].message
    );
}

// --- branches -----------------------------------------------------------------

fn branches() -> History {
    History::new(
        vec![
            rev("a1", &[], USERS),
            rev("b1", &["a1"], POSTS),
            rev("c1", &["a1"], NAME),
        ],
        Dialect::Sqlite,
    )
}

#[test]
fn two_heads_side_by_side_are_one_state() {
    let history = branches();
    let healthy = history
        .database_at(&["b1", "c1"])
        .rows(&["b1", "c1"])
        .diagnose();
    assert_eq!(healthy.state, State::Healthy);
    let untracked = history.database_at(&["b1", "c1"]).diagnose();
    assert_eq!(untracked.evidence, Evidence::Proven);
    assert_eq!(untracked.candidate_revisions, vec![set(&["b1", "c1"])]);
    assert_eq!(untracked.matched_revisions, ids(&["b1", "c1"]));
    let steps = untracked.steps.clone().expect("a plan");
    assert_eq!(steps.len(), 3, "the table and one row per head");
}

#[test]
fn one_branch_further_than_the_other_is_found() {
    let history = branches();
    let diagnosis = history.database_at(&["b1"]).rows(&["c1"]).diagnose();
    assert_eq!(diagnosis.state, State::PartialMigration);
    assert_eq!(diagnosis.matched_revisions, ids(&["b1"]));
}

// --- every diagnosis ------------------------------------------------------------

/// Databases in many states, for rules that hold for every diagnosis.
fn assorted() -> Vec<Diagnosis> {
    let history = three();
    let data = super::ties::with_data_step();
    let halfway = half(UNIQUE);
    vec![
        history.empty_database().diagnose(),
        history.database_at(&["a3"]).rows(&["a3"]).diagnose(),
        history.database_at(&["a2"]).diagnose(),
        history.database_at(&["a2"]).rows(&["a3"]).diagnose(),
        history.database_at(&["a2"]).rows(&["ffff"]).diagnose(),
        history
            .database_at(&["a3"])
            .rows(&["a3"])
            .without_column("users", "email")
            .diagnose(),
        data.database_at(&["a1"]).diagnose(),
        data.database_at(&["a3"]).rows(&["a1"]).diagnose(),
        halfway
            .database_at(&["a2"])
            .without_index("users", "ix_users_email")
            .rows(&["a1"])
            .probes_answer(|_| ProbeAnswer::RowsFound)
            .diagnose(),
    ]
}

#[test]
fn the_library_names_no_command_line_flag() {
    for diagnosis in assorted() {
        let mut texts: Vec<String> = diagnosis
            .findings
            .iter()
            .map(|finding| finding.message.clone())
            .collect();
        if let Some(completion) = &diagnosis.completion {
            texts.extend(completion.blockers.iter().map(|b| b.message.clone()));
            texts.extend(completion.doubts.iter().cloned());
        }
        for text in texts {
            assert!(
                !text.contains("migration-doctor") && !text.contains(" --"),
                "a library message names a command: {text}"
            );
        }
    }
}

#[test]
fn the_same_input_gives_the_same_diagnosis() {
    let first: Vec<String> = assorted().iter().map(|d| format!("{d:?}")).collect();
    let second: Vec<String> = assorted().iter().map(|d| format!("{d:?}")).collect();
    assert_eq!(first, second);
}

#[test]
fn only_a_chosen_state_gets_a_writing_plan() {
    for diagnosis in assorted() {
        if diagnosis.steps.is_some() {
            assert!(
                !diagnosis.matched_revisions.is_empty(),
                "{:?} plans a write without a state",
                diagnosis.state
            );
            assert_ne!(diagnosis.evidence, Evidence::Refused);
        }
    }
}

#[test]
fn sound_is_healthy_or_on_the_way_and_never_refused() {
    for diagnosis in assorted() {
        let expected = diagnosis.evidence != Evidence::Refused
            && matches!(
                diagnosis.state,
                State::Healthy | State::Behind | State::Fresh
            );
        assert_eq!(diagnosis.is_sound(false), expected, "{:?}", diagnosis.state);
    }
}

#[test]
fn names_round_trip() {
    for strategy in Strategy::ALL {
        assert_eq!(Strategy::from_name(strategy.name()), Some(strategy));
    }
    assert_eq!(Strategy::from_name("guess"), None);
}

#[test]
fn presence_the_state_before_already_had_proves_nothing() {
    // a2 sets a nullability that was already so, then adds a column: with
    // the column missing, the nullability shows nothing of a2, so a2 is
    // not half-applied; the type found on email is drift.
    let history = History::new(
        linear(&[
            (
                "a1",
                "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.String(100)), sa.Column('nickname', sa.String(40), nullable=True))",
            ),
            (
                "a2",
                "op.alter_column('users', 'nickname', existing_type=sa.String(40), nullable=True)\nop.add_column('users', sa.Column('age', sa.Integer))",
            ),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .database_at(&["a1"])
        .without_column("users", "email")
        .with_column("users", "email", TypeFamily::Integer)
        .rows(&["a1"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Drifted, "{:?}", diagnosis.findings);
    assert!(diagnosis.partial.is_empty(), "{:?}", diagnosis.partial);
    assert!(!has(&diagnosis, FindingCode::PartlyApplied));
}

#[test]
fn a_partly_applied_revision_says_how_on_each_dialect() {
    // On SQLite DDL is transactional: the message does not blame it.
    let history = History::new(
        linear(&[
            ("a1", USERS),
            ("a2", &format!("{NAME}\nop.drop_column('users', 'email')")),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .database_at(&["a1"])
        .with_column("users", "name", TypeFamily::String { length: Some(50) })
        .rows(&["a1"])
        .diagnose();
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::PartlyApplied)
        .expect("partly applied");
    assert!(
        finding.message.contains("DDL is transactional here"),
        "{}",
        finding.message
    );
}
