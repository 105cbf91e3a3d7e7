//! The decision's rules, one or more tests per state, finding code and
//! evidence rule; each builds its input in a few lines (no database, no
//! Python) and runs in milliseconds.

use migration_doctor_schema::{Dialect, PlanStep, TypeFamily};

use super::builder::{History, linear, rev};
use crate::{
    Diagnosis, Evidence, FindingCode, Hint, ProbeAnswer, RevisionSet, State, Strategy, TiePolicy,
};

const USERS: &str = "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.String(100), nullable=False))";
const POSTS: &str = "op.create_table('posts', sa.Column('id', sa.Integer, primary_key=True), sa.Column('title', sa.String(200)))";
const NAME: &str = "op.add_column('users', sa.Column('name', sa.String(50)))";

/// users, then posts, then a column on users.
fn three() -> History {
    History::new(
        linear(&[("a1", USERS), ("a2", POSTS), ("a3", NAME)]),
        Dialect::Sqlite,
    )
}

fn codes(diagnosis: &Diagnosis) -> Vec<FindingCode> {
    diagnosis
        .findings
        .iter()
        .map(|finding| finding.code)
        .collect()
}

fn has(diagnosis: &Diagnosis, code: FindingCode) -> bool {
    codes(diagnosis).contains(&code)
}

fn verdict(diagnosis: &Diagnosis) -> (State, Strategy, Evidence) {
    (diagnosis.state, diagnosis.strategy, diagnosis.evidence)
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|id| (*id).to_owned()).collect()
}

fn set(list: &[&str]) -> RevisionSet {
    RevisionSet::from_ids(ids(list))
}

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

// --- the version rows themselves ---------------------------------------------

#[test]
fn an_empty_version_table_beside_tables_is_repaired_to_the_match() {
    let history = three();
    let diagnosis = history.database_at(&["a2"]).rows(&[]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            Evidence::Proven
        )
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(has(&diagnosis, FindingCode::EmptyVersionTable));
    let steps = diagnosis.steps.clone().expect("a plan");
    assert!(matches!(steps[0], PlanStep::DeleteVersions(_)));
}

#[test]
fn each_malformed_row_has_its_own_code() {
    let history = three();
    let cases: Vec<(Vec<Option<String>>, FindingCode)> = vec![
        (vec![None], FindingCode::NullVersion),
        (vec![Some("  ".to_owned())], FindingCode::BlankVersion),
        (vec![Some(" a2".to_owned())], FindingCode::PaddedVersion),
        (vec![Some("x".repeat(40))], FindingCode::VersionTooLong),
        (
            vec![Some("a2".to_owned()), Some("a2".to_owned())],
            FindingCode::DuplicateVersion,
        ),
    ];
    for (rows, code) in cases {
        let diagnosis = history
            .database_at(&["a2"])
            .raw_rows(rows.clone())
            .diagnose();
        assert_eq!(diagnosis.state, State::CorruptedVersionTable, "{rows:?}");
        assert!(has(&diagnosis, code), "{rows:?}: {:?}", codes(&diagnosis));
        assert_eq!(diagnosis.matched_revisions, ids(&["a2"]), "{rows:?}");
    }
}

#[test]
fn an_unknown_id_is_never_rewritten_unattended() {
    let history = three();
    let diagnosis = history.database_at(&["a2"]).rows(&["ffff0000"]).diagnose();
    assert_eq!(diagnosis.state, State::CorruptedVersionTable);
    assert_eq!(diagnosis.strategy, Strategy::RepairCorruptedAlembic);
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert_eq!(diagnosis.matched_revisions, ids(&["a2"]));
    assert!(has(&diagnosis, FindingCode::UnknownRevision));
    assert!(has(&diagnosis, FindingCode::UnknownRevisionAfterRollback));
}

#[test]
fn an_unknown_id_names_the_nearest_known_ids() {
    let history = three();
    let diagnosis = history.database_at(&["a2"]).rows(&["a22"]).diagnose();
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::UnknownRevision)
        .expect("unknown revision");
    assert!(
        finding.message.contains("nearest known"),
        "{}",
        finding.message
    );
}

#[test]
fn an_unknown_id_beside_unmanaged_tables_is_ahead_of_the_scripts() {
    let history = three();
    let diagnosis = history
        .database_at(&["a3"])
        .rows(&["ffff0000"])
        .with_table("invoices", &["id"])
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::AheadOfScripts,
            Strategy::ManualIntervention,
            Evidence::Refused
        )
    );
    assert_eq!(diagnosis.unexpected_tables, ids(&["invoices"]));
    assert_eq!(diagnosis.candidate_revisions, vec![set(&["a3"])]);
    assert!(has(&diagnosis, FindingCode::AheadOfScripts));
}

#[test]
fn an_ancestor_beside_its_descendant_is_repaired_to_the_descendant() {
    let history = three();
    let diagnosis = history.database_at(&["a3"]).rows(&["a1", "a3"]).diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            Evidence::Proven
        )
    );
    assert_eq!(diagnosis.matched_revisions, ids(&["a3"]));
    assert!(has(&diagnosis, FindingCode::OverlappingHeads));
}

#[test]
fn a_version_table_without_version_num_is_for_a_person() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .misshapen_version_table()
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::CorruptedVersionTable,
            Strategy::ManualIntervention,
            Evidence::Refused
        )
    );
    assert!(has(&diagnosis, FindingCode::WrongShape));
    assert_eq!(diagnosis.candidate_revisions, vec![set(&["a2"])]);
    assert!(diagnosis.plan.is_none());
}

#[test]
fn broken_scripts_decide_nothing_else() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .rows(&["a2"])
        .script_error("versions/a2.py: a cycle")
        .diagnose();
    assert_eq!(
        verdict(&diagnosis),
        (
            State::InvalidScripts,
            Strategy::ManualIntervention,
            Evidence::Refused
        )
    );
    assert_eq!(codes(&diagnosis), vec![FindingCode::InvalidScripts]);
}

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

/// users, then a data step, then posts.
fn with_data_step() -> History {
    History::new(
        linear(&[
            ("a1", USERS),
            (
                "a2",
                "op.execute(\"UPDATE users SET email = 'none' WHERE email = ''\")",
            ),
            ("a3", POSTS),
        ]),
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
fn nothing_left_to_update_does_not_prove_which() {
    let history = with_data_step();
    let diagnosis = history
        .database_at(&["a1"])
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(diagnosis.evidence, Evidence::NeedsConfirmation);
    assert!(diagnosis.matched_revisions.is_empty());
    assert!(has(&diagnosis, FindingCode::Tie));
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
    let latest = history
        .database_at(&["a1"])
        .on_tie(TiePolicy::Latest)
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(latest.evidence, Evidence::NeedsConfirmation);
    assert_eq!(latest.matched_revisions, ids(&["a2"]));
    let earliest = history
        .database_at(&["a1"])
        .on_tie(TiePolicy::Earliest)
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert_eq!(earliest.evidence, Evidence::NeedsConfirmation);
    assert_eq!(earliest.matched_revisions, ids(&["a1"]));
    let refuse = history
        .database_at(&["a1"])
        .on_tie(TiePolicy::Refuse)
        .probes_answer(|_| ProbeAnswer::NoRows)
        .diagnose();
    assert!(refuse.matched_revisions.is_empty());
    assert_eq!(refuse.strategy, Strategy::ManualIntervention);
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
    let data = with_data_step();
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
