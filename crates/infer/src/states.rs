//! Expected schemas for a whole revision graph, computed incrementally: the
//! state after a revision is its parents' state (for a merge, the first
//! parent's, with the other branches' own revisions replayed on it in the
//! graph's order) with the revision's own `upgrade()` applied. Each
//! revision's file is interpreted once per revision state, never per query.

use std::collections::BTreeMap;

use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_schema::{Dialect, Schema};

use crate::interpreter::{RevisionOutcome, UnknownOperation, run_upgrade_in};

/// The expected schema after every revision, for one dialect.
#[derive(Debug, Clone)]
pub struct ExpectedSchemas {
    pub dialect: Dialect,
    states: Vec<Option<Schema>>,
    outcomes: Vec<RevisionOutcome>,
    roots: Vec<std::path::PathBuf>,
}

impl ExpectedSchemas {
    /// Interprets every revision of the graph (revisions caught in a cycle
    /// have no state).
    pub fn compute(graph: &RevisionGraph, dialect: Dialect) -> ExpectedSchemas {
        ExpectedSchemas::compute_in(graph, dialect, &[])
    }

    /// Like [`ExpectedSchemas::compute`], also following helpers that the
    /// revisions import from the project's own modules under `roots`.
    pub fn compute_in(
        graph: &RevisionGraph,
        dialect: Dialect,
        roots: &[std::path::PathBuf],
    ) -> ExpectedSchemas {
        let count = graph.len();
        let mut states: Vec<Option<Schema>> = vec![None; count];
        let mut outcomes = vec![RevisionOutcome::default(); count];
        let position = positions(graph);
        for &index in graph.topological() {
            let revision = graph.revision(index);
            let predecessors: Vec<RevisionIndex> = revision
                .parents()
                .iter()
                .chain(revision.dependencies())
                .copied()
                .collect();
            let mut schema = predecessors
                .first()
                .and_then(|first| states[*first].clone())
                .unwrap_or_default();
            if let Some((&first, others)) = predecessors.split_first() {
                replay_branches(graph, &position, dialect, first, others, &mut schema, roots);
            }
            let file = &revision.file;
            outcomes[index] = run_upgrade_in(&file.path, &file.source, dialect, &mut schema, roots);
            states[index] = Some(schema);
        }
        ExpectedSchemas {
            dialect,
            states,
            outcomes,
            roots: roots.to_vec(),
        }
    }

    /// The schema after `index` and all its ancestors.
    pub fn after(&self, index: RevisionIndex) -> Option<&Schema> {
        self.states.get(index).and_then(Option::as_ref)
    }

    /// The schema after several heads applied side by side (two unmerged
    /// branches): the first head's state with the others' own revisions
    /// replayed in the graph's order. `[]` is the empty schema (`base`).
    pub fn after_heads(&self, graph: &RevisionGraph, heads: &[RevisionIndex]) -> Schema {
        let Some((&first, others)) = heads.split_first() else {
            return Schema::default();
        };
        let mut schema = self.after(first).cloned().unwrap_or_default();
        let position = positions(graph);
        replay_branches(
            graph,
            &position,
            self.dialect,
            first,
            others,
            &mut schema,
            &self.roots,
        );
        schema
    }

    /// What interpreting `index` found that it could not follow.
    pub fn unknown_operations(&self, index: RevisionIndex) -> &[UnknownOperation] {
        self.outcomes
            .get(index)
            .map_or(&[], |outcome| &outcome.unknown)
    }

    pub fn outcome(&self, index: RevisionIndex) -> Option<&RevisionOutcome> {
        self.outcomes.get(index)
    }

    /// The unknown operations of `index` and all its ancestors.
    pub fn unknown_operations_up_to(
        &self,
        graph: &RevisionGraph,
        index: RevisionIndex,
    ) -> Vec<UnknownOperation> {
        let members = graph.ancestors(index, true);
        graph
            .topological()
            .iter()
            .filter(|at| members[**at])
            .flat_map(|at| self.unknown_operations(*at).iter().cloned())
            .collect()
    }
}

/// Each revision's place in the graph's order.
fn positions(graph: &RevisionGraph) -> BTreeMap<RevisionIndex, usize> {
    graph
        .topological()
        .iter()
        .enumerate()
        .map(|(at, &index)| (index, at))
        .collect()
}

/// On `schema` (the state after `first`), replays the revisions that
/// `others` apply and `first` does not, oldest first: the state of several
/// branches applied side by side.
fn replay_branches(
    graph: &RevisionGraph,
    position: &BTreeMap<RevisionIndex, usize>,
    dialect: Dialect,
    first: RevisionIndex,
    others: &[RevisionIndex],
    schema: &mut Schema,
    roots: &[std::path::PathBuf],
) {
    if others.is_empty() {
        return;
    }
    let mut applied = graph.ancestors(first, true);
    let mut missing: Vec<RevisionIndex> = Vec::new();
    for &other in others {
        for (at, member) in graph.ancestors(other, true).into_iter().enumerate() {
            if member && !applied[at] {
                applied[at] = true;
                missing.push(at);
            }
        }
    }
    missing.sort_by_key(|at| position.get(at).copied().unwrap_or(usize::MAX));
    for at in missing {
        let file = &graph.revision(at).file;
        run_upgrade_in(&file.path, &file.source, dialect, schema, roots);
    }
}
