//! The version rows themselves: malformed, unknown, overlapping, misshapen.

use migration_doctor_schema::PlanStep;

use super::*;

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
fn an_unknown_id_like_no_known_one_names_none() {
    let history = three();
    let diagnosis = history
        .database_at(&["a2"])
        .rows(&["5a5a5a5a5a5a"])
        .diagnose();
    let finding = diagnosis
        .findings
        .iter()
        .find(|finding| finding.code == FindingCode::UnknownRevision)
        .expect("unknown revision");
    assert!(
        !finding.message.contains("nearest known"),
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
