//! Ties, probes and collisions.

use migration_doctor_schema::{Dialect, TypeFamily};

use super::builder::{History, linear};
use super::*;
use crate::{Hint, ProbeAnswer, TiePolicy};

// --- ties and probes --------------------------------------------------------

/// users, then a revision that does nothing, then posts.
fn with_empty_revision() -> History {
    History::new(
        linear(&[("a1", USERS), ("a2", ""), ("a3", POSTS)]),
        Dialect::Sqlite,
    )
}

#[test]
fn states_apart_only_by_a_revision_without_operations_settle_at_the_latest() {
    let history = with_empty_revision();
    let diagnosis = history.database_at(&["a1"]).diagnose();
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(
        diagnosis.candidate_revisions,
        vec![set(&["a1"]), set(&["a2"])]
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(has(&diagnosis, FindingCode::Tie));
}

/// A data step: rows with an empty email get a placeholder.
const BACKFILL: &str = "op.execute(\"UPDATE users SET email = 'none' WHERE email = ''\")";

/// users, then a data step, then posts.
pub(super) fn with_data_step() -> History {
    History::new(
        linear(&[("a1", USERS), ("a2", BACKFILL), ("a3", POSTS)]),
        Dialect::Sqlite,
    )
}

#[test]
fn a_data_step_between_ties_asks_for_a_probe() {
    let history = with_data_step();
    let diagnosis = history.database_at(&["a1"]).diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert_eq!(diagnosis.probe_requests.len(), 1);
    assert_eq!(diagnosis.probe_requests[0].revision, "a2");
    assert!(diagnosis.matched_revisions.is_empty());
    assert_eq!(diagnosis.data_revisions, ids(&["a2"]));
}

#[test]
fn rows_left_to_update_prove_the_data_step_did_not_run() {
    let history = with_data_step();
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::RowsFound)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(diagnosis.matched_revisions, ids(&["a1"]));
    assert_eq!(diagnosis.probes.len(), 1);
    assert_eq!(diagnosis.probes[0].applied, Some(false));
    assert!(diagnosis.probe_requests.is_empty());
}

#[test]
fn nothing_left_to_update_settles_at_the_earliest() {
    // alembic reruns the step from there, which changes nothing now.
    let history = with_data_step();
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::Proven);
    assert_eq!(diagnosis.matched_revisions, ids(&["a1"]));
    assert_eq!(diagnosis.pending_revisions, ids(&["a2", "a3"]));
    assert_eq!(diagnosis.probes[0].applied, None);
    assert!(has(&diagnosis, FindingCode::Tie));
}

#[test]
fn a_tie_nothing_settles_names_its_candidates() {
    let history = with_data_step();
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::Failed("timeout".to_owned()))
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(diagnosis.matched_revisions.is_empty());
    let tie = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::Tie)
        .expect("tie");
    assert_eq!(
        tie.hint,
        Some(Hint::NameRevision(vec![set(&["a1"]), set(&["a2"])]))
    );
}

#[test]
fn a_failed_probe_proves_nothing() {
    let history = with_data_step();
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::Failed("timeout".to_owned()))
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert_eq!(diagnosis.probes[0].applied, None);
}

#[test]
fn a_tie_policy_chooses_for_a_person_but_proves_nothing() {
    let history = with_data_step();
    for (policy, chosen) in [
        (TiePolicy::Latest, ids(&["a2"])),
        (TiePolicy::Earliest, ids(&["a1"])),
        (TiePolicy::Refuse, Vec::new()),
    ] {
        let diagnosis = history
            .database_at(&["a1"])
            .on_tie(policy)
            .probes_answer(|_| ProbeAnswer::Failed("timeout".to_owned()))
            .diagnose();
        assert_eq!(
            diagnosis.evidence,
            Evidence::NeedsConfirmation,
            "{policy:?}"
        );
        assert_eq!(diagnosis.matched_revisions, chosen, "{policy:?}");
        if chosen.is_empty() {
            assert_eq!(diagnosis.strategy, Strategy::ManualIntervention);
        }
    }
}

#[test]
fn code_that_cannot_be_followed_leaves_a_tie_to_a_person() {
    let history = History::new(
        linear(&[
            ("a1", USERS),
            ("a2", "op.execute('THIS IS NOT SQL AT ALL')"),
            ("a3", POSTS),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history.database_at(&["a1"]).diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(diagnosis.uncertain_revisions.contains(&"a2".to_owned()));
    assert!(has(&diagnosis, FindingCode::UnknownOperations));
}

#[test]
fn stamping_past_the_rows_needs_the_skipped_data_step_to_show_it_ran() {
    // The schema is at a3, the rows at a1: a2's data step lies between.
    let history = with_data_step();
    let unprobed = history.database_at(&["a3"]).rows(&["a1"]).diagnose();
    assert_eq!(unprobed.matched_revisions, ids(&["a3"]));
    assert_eq!(unprobed.evidence, Evidence::NeedsConfirmation);
    let not_run = history
        .database_at(&["a3"])
        .rows(&["a1"])
        .probes_answer(|_| ProbeAnswer::RowsFound)
        .diagnose();
    assert_eq!(not_run.evidence, Evidence::NeedsConfirmation);
    assert!(has(&not_run, FindingCode::Unverified));
}

// --- collisions ---------------------------------------------------------------

#[test]
fn a_pending_revision_that_would_collide_refuses() {
    let history = three();
    let diagnosis = history
        .database_at(&["a1"])
        .rows(&["a1"])
        .with_table("posts", &["id"])
        .ignoring(&["posts"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Behind);
    assert_eq!(diagnosis.evidence, Evidence::Refused);
    assert_eq!(diagnosis.collisions.len(), 1);
    assert_eq!(diagnosis.collisions[0].revision, "a2");
    assert!(has(&diagnosis, FindingCode::Collision));
    assert!(!diagnosis.is_sound(false));
}

#[test]
fn a_fresh_database_collides_too() {
    let history = three();
    let diagnosis = history
        .empty_database()
        .with_table("users", &["id"])
        .ignoring(&["users"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Fresh);
    assert_eq!(diagnosis.evidence, Evidence::Refused);
    assert_eq!(diagnosis.collisions[0].revision, "a1");
}

/// users, posts, a column on users, then code that names no table (every
/// table uncertain after it).
fn with_unknown_code_at_the_end() -> History {
    History::new(
        linear(&[
            ("a1", USERS),
            ("a2", POSTS),
            ("a3", NAME),
            ("a4", "op.execute('THIS IS NOT SQL AT ALL')"),
        ]),
        Dialect::Sqlite,
    )
}

#[test]
fn a_state_that_agrees_only_by_waiving_more_than_another_differs_is_no_candidate() {
    // The schema is a1's but for one column's type: a4 "agrees" only by
    // waiving a missing table and a missing column, more than a1's one
    // difference.
    let history = with_unknown_code_at_the_end();
    let diagnosis = history
        .database_at(&["a1"])
        .without_column("users", "email")
        .with_column("users", "email", TypeFamily::Integer)
        .diagnose();
    assert!(
        diagnosis.candidate_revisions.is_empty(),
        "{:?}",
        diagnosis.candidate_revisions
    );
    assert_eq!(diagnosis.evidence, Evidence::Refused);
    assert!(
        diagnosis
            .closest
            .iter()
            .any(|closest| closest.revisions == set(&["a1"])),
        "{:?}",
        diagnosis.closest
    );
    assert!(diagnosis.plan.is_none());
}

#[test]
fn waiving_no_more_than_the_others_differ_leaves_a_candidate_for_a_person() {
    // At a4 with the schema of a3: only a4's unknown code lies between.
    let history = with_unknown_code_at_the_end();
    let diagnosis = history.database_at(&["a3"]).diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(
        diagnosis.candidate_revisions.contains(&set(&["a3"])),
        "{:?}",
        diagnosis.candidate_revisions
    );
}

#[test]
fn nothing_left_before_code_that_cannot_be_followed_is_still_a_tie() {
    // a2's backfill finds nothing left; a3 holds code nobody can follow:
    // rerunning a3 may fail, so nothing settles at a1.
    let history = History::new(
        linear(&[
            ("a1", USERS),
            ("a2", BACKFILL),
            ("a3", "op.execute('THIS IS NOT SQL AT ALL')"),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(diagnosis.matched_revisions.is_empty());
}

#[test]
fn a_later_step_that_surely_ran_shows_the_earlier_ones_ran() {
    // a2 finds nothing left to change; a3's row is there, so a3 ran, and
    // a2 before it: the state is a3's.
    let history = History::new(
        linear(&[
            ("a1", USERS),
            ("a2", BACKFILL),
            (
                "a3",
                "op.execute(\"INSERT INTO users (id, email) VALUES (1, 'root')\")",
            ),
        ]),
        Dialect::Sqlite,
    );
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|request| {
            if request.revision == "a3" {
                ProbeAnswer::RowsFound
            } else {
                ProbeAnswer::NoRows
            }
        })
        .diagnose();
    assert_eq!(
        diagnosis.evidence,
        Evidence::Proven,
        "{:?}",
        diagnosis.findings
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a3"]));
}

#[test]
fn sql_that_cannot_touch_a_table_waives_nothing() {
    // A sequence made by SQL the tool does not follow: the tables stay
    // certain, so a changed column is drift, not an unverified difference.
    let history = History::new(
        linear(&[
            ("a1", USERS),
            (
                "a2",
                "op.execute('CREATE SEQUENCE order_numbers START 1000')",
            ),
        ]),
        Dialect::Postgresql,
    );
    let diagnosis = history
        .database_at(&["a2"])
        .without_column("users", "email")
        .with_column("users", "email", TypeFamily::Integer)
        .rows(&["a2"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Drifted, "{:?}", diagnosis.findings);
    assert!(
        diagnosis.uncertain_revisions.is_empty() || diagnosis.uncertain_revisions == ids(&["a2"])
    );
}
