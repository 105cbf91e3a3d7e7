//! Unit tests of the decision: one or more per state, finding code and
//! evidence rule; each builds its input in a few lines (no database, no
//! Python) and runs in milliseconds.

mod builder;
mod dialect_details;
mod half_applied;
mod states;
mod ties;
mod version_rows;

use migration_doctor_schema::Dialect;

use crate::{Diagnosis, Evidence, FindingCode, RevisionSet, State, Strategy};
use builder::{History, linear};

pub(super) const USERS: &str = "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.String(100), nullable=False))";
pub(super) const POSTS: &str = "op.create_table('posts', sa.Column('id', sa.Integer, primary_key=True), sa.Column('title', sa.String(200)))";
pub(super) const NAME: &str = "op.add_column('users', sa.Column('name', sa.String(50)))";

/// users, then posts, then a column on users.
pub(super) fn three() -> History {
    History::new(
        linear(&[("a1", USERS), ("a2", POSTS), ("a3", NAME)]),
        Dialect::Sqlite,
    )
}

pub(super) fn codes(diagnosis: &Diagnosis) -> Vec<FindingCode> {
    diagnosis
        .findings
        .iter()
        .map(|finding| finding.code)
        .collect()
}

pub(super) fn has(diagnosis: &Diagnosis, code: FindingCode) -> bool {
    codes(diagnosis).contains(&code)
}

pub(super) fn verdict(diagnosis: &Diagnosis) -> (State, Strategy, Evidence) {
    (diagnosis.state, diagnosis.strategy, diagnosis.evidence)
}

pub(super) fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|id| (*id).to_owned()).collect()
}

pub(super) fn set(list: &[&str]) -> RevisionSet {
    RevisionSet::from_ids(ids(list))
}
