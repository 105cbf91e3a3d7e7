//! Details the databases decide on their own, compared as they are:
//! foreign-key actions, an expression in the server's words, and index
//! names that an unconfirmed naming convention only guessed.

use migration_doctor_infer::NamingConvention;
use migration_doctor_schema::{Dialect, ReferentialAction};

use super::builder::{History, linear};
use super::*;

const PARENTS_AND_CHILDREN: &str = "op.create_table('parents', sa.Column('id', sa.Integer, primary_key=True))\nop.create_table('children', sa.Column('id', sa.Integer, primary_key=True), sa.Column('parent_id', sa.Integer), sa.ForeignKeyConstraint(['parent_id'], ['parents.id'], name='fk_children_parent'))";
const CASCADE: &str = "op.drop_constraint('fk_children_parent', 'children', type_='foreignkey')\nop.create_foreign_key('fk_children_parent', 'children', 'parents', ['parent_id'], ['id'], ondelete='CASCADE')";

fn cascade_history() -> History {
    History::new(
        linear(&[("k1", PARENTS_AND_CHILDREN), ("k2", CASCADE)]),
        Dialect::Postgresql,
    )
}

#[test]
fn on_delete_tells_states_apart() {
    let history = cascade_history();
    for at in ["k1", "k2"] {
        let diagnosis = history.database_at(&[at]).diagnose();
        assert_eq!(
            (
                diagnosis.state,
                diagnosis.evidence,
                diagnosis.matched_state()
            ),
            (State::UntrackedSchema, Evidence::Proven, set(&[at])),
            "{diagnosis:#?}"
        );
    }
}

#[test]
fn a_different_on_delete_is_a_difference() {
    let history = cascade_history();
    let diagnosis = history
        .database_at(&["k2"])
        .with_on_delete("children", ReferentialAction::SetNull)
        .rows(&["k2"])
        .diagnose();
    assert_eq!(diagnosis.state, State::Drifted, "{diagnosis:#?}");
    let message = format!("{:?}", diagnosis.findings);
    assert!(
        message.contains("expected ON DELETE CASCADE, found SET NULL"),
        "{message}"
    );
}

#[test]
fn an_expression_in_the_servers_words_is_the_same_expression() {
    let history = History::new(
        linear(&[(
            "x1",
            "op.create_table('people', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.String(50)))\nop.create_index('ix_people_lower_name', 'people', [sa.text('lower(name)')])",
        )]),
        Dialect::Postgresql,
    );
    let same = history
        .database_at(&["x1"])
        .with_index_spelled("people", "ix_people_lower_name", &["lower((name)::text)"])
        .rows(&["x1"])
        .diagnose();
    assert_eq!(same.state, State::Healthy, "{same:#?}");
    let other = history
        .database_at(&["x1"])
        .with_index_spelled("people", "ix_people_lower_name", &["upper((name)::text)"])
        .rows(&["x1"])
        .diagnose();
    assert_eq!(other.state, State::Drifted, "{other:#?}");
}

fn indexed_history() -> History {
    History::with_naming(
        linear(&[(
            "n1",
            "op.create_table('tags', sa.Column('id', sa.Integer, primary_key=True), sa.Column('label', sa.String(20), index=True))",
        )]),
        Dialect::Postgresql,
        NamingConvention::unconfirmed(),
    )
}

#[test]
fn a_guessed_index_name_is_known_by_its_shape() {
    let history = indexed_history();
    // The project's real convention named it otherwise: still healthy,
    // and nothing called unmanaged.
    let renamed = history
        .database_at(&["n1"])
        .without_index("tags", "ix_tags_label")
        .with_index("tags", "idx_tags_label", &["label"])
        .rows(&["n1"])
        .diagnose();
    assert_eq!(renamed.state, State::Healthy, "{renamed:#?}");
    assert!(
        !has(&renamed, FindingCode::UnmanagedObjects),
        "{renamed:#?}"
    );
    // Its presence is still certain: without it the schema differs.
    let missing = history
        .database_at(&["n1"])
        .without_index("tags", "ix_tags_label")
        .rows(&["n1"])
        .diagnose();
    assert_eq!(missing.state, State::Drifted, "{missing:#?}");
}

#[test]
fn a_confirmed_index_name_is_compared_by_name() {
    let history = History::new(
        linear(&[(
            "n1",
            "op.create_table('tags', sa.Column('id', sa.Integer, primary_key=True), sa.Column('label', sa.String(20), index=True))",
        )]),
        Dialect::Postgresql,
    );
    let renamed = history
        .database_at(&["n1"])
        .without_index("tags", "ix_tags_label")
        .with_index("tags", "idx_tags_label", &["label"])
        .rows(&["n1"])
        .diagnose();
    assert_ne!(renamed.state, State::Healthy, "{renamed:#?}");
}
