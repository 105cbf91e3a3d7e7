//! Expected schemas for a whole revision graph, computed incrementally: the
//! state after a revision is its parents' state (for a merge, the first
//! parent's, with the other branches' own revisions replayed on it in the
//! graph's order) with the revision's own `upgrade()` applied. Each
//! revision's file is interpreted once per revision state, never per query.

use std::collections::{BTreeMap, BTreeSet};

use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_schema::{Dialect, Schema, Table, Tables};

use crate::api::run_upgrade_with;
use crate::apply::{Applier, ApplyError};
use crate::cache::{CacheKey, OperationsCache, revision_key};
use crate::models::{BaselineError, run_baseline};
use crate::modules::ModuleCache;
use crate::operation::{Operation, OperationAt, Uncertainty, UnknownOperation};
use crate::outcome::RevisionOutcome;
use crate::setup::ProjectSetup;

/// What the history gives one table at some point: columns and indexes by
/// name, unique constraints and foreign keys by their columns. A live
/// object outside it is one no revision made (a DBA's index, a hand-added
/// column): unmanaged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedObjects {
    pub columns: BTreeSet<String>,
    pub indexes: BTreeSet<String>,
    pub unique_constraints: BTreeSet<Vec<String>>,
    pub foreign_keys: BTreeSet<Vec<String>>,
    /// Indexes whose names are guesses (an unconfirmed naming convention
    /// gave them), by name: they are known by their shape instead.
    pub guessed_index_names: BTreeSet<String>,
    /// The columns and uniqueness of those indexes.
    pub guessed_index_shapes: BTreeSet<(Vec<String>, bool)>,
}

impl ManagedObjects {
    /// Whether the index of `table` named `name` has a guessed name.
    pub fn index_name_is_guess(&self, name: &str) -> bool {
        self.guessed_index_names.contains(name)
    }
}

/// The schema a revision state should have, with what of it is uncertain.
#[derive(Debug, Clone, Default)]
pub struct ExpectedState {
    pub schema: Schema,
    pub uncertainty: Uncertainty,
}

/// The expected schema after every revision, for one dialect.
#[derive(Debug, Clone)]
pub struct ExpectedSchemas {
    pub dialect: Dialect,
    states: Vec<Option<ExpectedState>>,
    outcomes: Vec<RevisionOutcome>,
    /// Every table name any revision (or the baseline) creates, renames or
    /// touches.
    managed: BTreeSet<String>,
    /// Per managed table, every column, index and constraint a revision
    /// (or the baseline) gives it at some point of the history.
    managed_objects: BTreeMap<String, ManagedObjects>,
    /// Tables a revision changes that no revision (nor the baseline) makes.
    assumed: BTreeSet<String>,
    /// The state before the base revisions: empty, or the project's
    /// models when a baseline is configured.
    base: ExpectedState,
    baseline: Option<Result<RevisionOutcome, BaselineError>>,
}

impl ExpectedSchemas {
    /// Interprets every revision of the graph (revisions caught in a cycle
    /// have no state).
    pub fn compute(graph: &RevisionGraph, dialect: Dialect) -> ExpectedSchemas {
        ExpectedSchemas::compute_in(graph, dialect, &ModuleCache::none())
    }

    /// Like [`ExpectedSchemas::compute`], also following helpers that the
    /// revisions import from the project's own modules (found through `modules`).
    pub fn compute_in(
        graph: &RevisionGraph,
        dialect: Dialect,
        modules: &ModuleCache,
    ) -> ExpectedSchemas {
        ExpectedSchemas::compute_from(graph, dialect, modules, &ProjectSetup::default())
    }

    /// Like [`ExpectedSchemas::compute_in`], with what the project adds:
    /// the tables of its models as the state before the base revisions,
    /// and its naming convention.
    pub fn compute_from(
        graph: &RevisionGraph,
        dialect: Dialect,
        modules: &ModuleCache,
        setup: &ProjectSetup,
    ) -> ExpectedSchemas {
        ExpectedSchemas::compute_cached(graph, dialect, modules, setup, None)
    }

    /// Like [`ExpectedSchemas::compute_from`], taking each revision's
    /// operations from `cache` where it holds them for exactly this file
    /// after exactly these revisions (and interpreting the rest).
    pub fn compute_cached(
        graph: &RevisionGraph,
        dialect: Dialect,
        modules: &ModuleCache,
        setup: &ProjectSetup,
        mut cache: Option<&mut OperationsCache>,
    ) -> ExpectedSchemas {
        let count = graph.len();
        let mut keys: Vec<CacheKey> = vec![0; count];
        let mut expected = ExpectedSchemas {
            dialect,
            states: vec![None; count],
            outcomes: vec![RevisionOutcome::default(); count],
            managed: BTreeSet::new(),
            managed_objects: BTreeMap::new(),
            assumed: BTreeSet::new(),
            base: ExpectedState::default(),
            baseline: None,
        };
        if let Some(spec) = &setup.baseline {
            let mut base = ExpectedState::default();
            let read = run_baseline(spec, dialect, &mut base.schema, modules, &setup.naming);
            if let Ok(outcome) = &read {
                follow_uncertainty(&mut base.uncertainty, &Tables::new(), &outcome.operations);
                expected.managed.extend(base.schema.tables.keys().cloned());
                for (name, table) in &base.schema.tables {
                    expected.record_objects(name, table);
                }
                expected.record_guessed_names(outcome, &base.schema);
                expected.base = base;
            }
            expected.baseline = Some(read);
        }
        for &index in graph.topological() {
            let revision = graph.revision(index);
            let predecessors: Vec<RevisionIndex> = revision
                .parents()
                .iter()
                .chain(revision.dependencies())
                .copied()
                .collect();
            let mut state = match predecessors.first() {
                Some(first) => expected.states[*first].clone().unwrap_or_default(),
                None => expected.base.clone(),
            };
            let replayed = match predecessors.split_first() {
                Some((&first, others)) => {
                    expected.replay_branches(graph, first, others, &mut state)
                }
                None => Vec::new(),
            };
            let file = &revision.file;
            // A persistent map: keeping the names before the revision
            // costs nothing unless an unknown operation asks for them.
            let before = state.schema.tables.clone();
            let key = cache.as_ref().map(|cache| {
                let earlier = predecessors.iter().chain(&replayed).map(|&at| keys[at]);
                revision_key(cache.salt(), &file.path, &file.source, earlier)
            });
            let cached = match (&mut cache, key) {
                (Some(cache), Some(key)) => cache
                    .take(key)
                    .filter(|outcome| replays(outcome, &mut state.schema, dialect)),
                _ => None,
            };
            let reused = cached.is_some();
            let outcome = cached.unwrap_or_else(|| {
                run_upgrade_with(
                    &file.path,
                    &file.source,
                    dialect,
                    &mut state.schema,
                    modules,
                    setup,
                )
            });
            if let (Some(cache), Some(key)) = (&mut cache, key) {
                keys[index] = key;
                cache.keep(key, &outcome, reused);
            }
            follow_uncertainty(&mut state.uncertainty, &before, &outcome.operations);
            for table in &outcome.assumed_tables {
                expected.managed.insert(table.clone());
                expected.assumed.insert(table.clone());
            }
            expected.record_guessed_names(&outcome, &state.schema);
            for at in &outcome.operations {
                let touched = at.operation.table().into_iter().chain(match &at.operation {
                    Operation::RenameTable { new_name, .. } => Some(new_name.as_str()),
                    _ => None,
                });
                for table in touched {
                    expected.managed.insert(table.to_owned());
                    if let Some(found) = state.schema.tables.get(table) {
                        expected.record_objects(table, found);
                    }
                }
            }
            expected.outcomes[index] = outcome;
            expected.states[index] = Some(state);
        }
        expected
    }

    /// The schema after `index` and all its ancestors.
    pub fn after(&self, index: RevisionIndex) -> Option<&Schema> {
        self.state(index).map(|state| &state.schema)
    }

    /// The state after `index` and all its ancestors, uncertainty included.
    pub fn state(&self, index: RevisionIndex) -> Option<&ExpectedState> {
        self.states.get(index).and_then(Option::as_ref)
    }

    /// The schema after several heads applied side by side (two unmerged
    /// branches): the first head's state with the others' own revisions
    /// replayed in the graph's order. `[]` is the base state (empty, or the baseline).
    pub fn after_heads(&self, graph: &RevisionGraph, heads: &[RevisionIndex]) -> Schema {
        self.state_after_heads(graph, heads).schema
    }

    /// Like [`ExpectedSchemas::after_heads`], uncertainty included.
    pub fn state_after_heads(
        &self,
        graph: &RevisionGraph,
        heads: &[RevisionIndex],
    ) -> ExpectedState {
        let Some((&first, others)) = heads.split_first() else {
            return self.base.clone();
        };
        let mut state = self.state(first).cloned().unwrap_or_default();
        self.replay_branches(graph, first, others, &mut state);
        state
    }

    /// The state before any revision: empty, or the baseline's tables.
    pub fn base(&self) -> &ExpectedState {
        &self.base
    }

    /// What reading the configured baseline gave: its operations (unknown
    /// ones included), or why it could not be read; `None` without one.
    pub fn baseline(&self) -> Option<&Result<RevisionOutcome, BaselineError>> {
        self.baseline.as_ref()
    }

    /// The operations of one revision, in order.
    pub fn operations(&self, index: RevisionIndex) -> &[OperationAt] {
        self.outcomes
            .get(index)
            .map_or(&[], |outcome| &outcome.operations)
    }

    /// Whether `table` is created, renamed or changed by some revision.
    pub fn is_managed(&self, table: &str) -> bool {
        self.managed.contains(table)
    }

    /// Tables the revisions change but neither they nor the baseline make:
    /// the migrations assume them (made by the models' `create_all`).
    pub fn assumed_tables(&self) -> &BTreeSet<String> {
        &self.assumed
    }

    /// The columns, indexes and constraints the history gives `table` at
    /// some point; `None` for a table no revision manages.
    pub fn managed_objects(&self, table: &str) -> Option<&ManagedObjects> {
        self.managed_objects.get(table)
    }

    /// The indexes `outcome` named by an unconfirmed convention, with
    /// their shapes in `schema`.
    fn record_guessed_names(&mut self, outcome: &RevisionOutcome, schema: &Schema) {
        for (table, index) in &outcome.guessed_index_names {
            let shape = schema.tables.get(table).and_then(|found| {
                found
                    .indexes
                    .iter()
                    .find(|candidate| candidate.name.as_deref() == Some(index.as_str()))
                    .map(|found| (found.columns.clone(), found.unique))
            });
            let objects = self.managed_objects.entry(table.clone()).or_default();
            objects.guessed_index_names.insert(index.clone());
            objects.guessed_index_shapes.extend(shape);
        }
    }

    fn record_objects(&mut self, name: &str, table: &Table) {
        let objects = self.managed_objects.entry(name.to_owned()).or_default();
        objects
            .columns
            .extend(table.columns.iter().map(|column| column.name.clone()));
        objects
            .indexes
            .extend(table.indexes.iter().filter_map(|index| index.name.clone()));
        objects.unique_constraints.extend(
            table
                .unique_constraints
                .iter()
                .map(|unique| unique.columns.clone()),
        );
        objects
            .foreign_keys
            .extend(table.foreign_keys.iter().map(|key| key.columns.clone()));
    }

    /// On `state` (the state after `first`), replays the revisions that
    /// `others` apply and `first` does not, oldest first: the state of
    /// several branches applied side by side.
    fn replay_branches(
        &self,
        graph: &RevisionGraph,
        first: RevisionIndex,
        others: &[RevisionIndex],
        state: &mut ExpectedState,
    ) -> Vec<RevisionIndex> {
        if others.is_empty() {
            return Vec::new();
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
        missing.sort_by_key(|&at| graph.position(at));
        for &at in &missing {
            let before = state.schema.tables.clone();
            let operations = self.operations(at);
            let mut applier = Applier::new(&mut state.schema, self.dialect);
            for recorded in operations {
                // What failed to apply here failed on its own branch too.
                applier.replay(&recorded.operation).ok();
            }
            follow_uncertainty(&mut state.uncertainty, &before, operations);
        }
        missing
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
        let baseline = match &self.baseline {
            Some(Ok(outcome)) => outcome.unknown.as_slice(),
            _ => &[],
        };
        baseline
            .iter()
            .cloned()
            .chain(
                graph
                    .topological()
                    .iter()
                    .filter(|at| members[**at])
                    .flat_map(|at| self.unknown_operations(*at).iter().cloned()),
            )
            .collect()
    }
}

/// Carries `uncertainty` through one revision's operations. An unknown
/// operation may touch the tables it names that exist before or during the
/// revision.
fn follow_uncertainty(uncertainty: &mut Uncertainty, before: &Tables, operations: &[OperationAt]) {
    if !operations
        .iter()
        .any(|at| matches!(at.operation, Operation::Unknown(_)))
    {
        // Without unknown operations the names are never asked for.
        let unasked = BTreeSet::new();
        for at in operations {
            uncertainty.follow(&at.operation, &unasked);
        }
        return;
    }
    let mut existing: BTreeSet<String> = before.keys().cloned().collect();
    for at in operations {
        match &at.operation {
            Operation::CreateTable { table, .. } => {
                existing.insert(table.clone());
            }
            Operation::RenameTable { new_name, .. } => {
                existing.insert(new_name.clone());
            }
            _ => {}
        }
    }
    for at in operations {
        uncertainty.follow(&at.operation, &existing);
    }
}

/// Applies the operations of a cached outcome to `schema`; when one does
/// not apply as it did when it was recorded, leaves `schema` as it was and
/// says so (the revision is then interpreted instead).
fn replays(outcome: &RevisionOutcome, schema: &mut Schema, dialect: Dialect) -> bool {
    let saved = schema.clone();
    let mut applier = Applier::new(schema, dialect);
    let applied = outcome
        .operations
        .iter()
        .all(|recorded| applier.replay(&recorded.operation).is_ok());
    if !applied {
        *schema = saved;
    }
    applied
}

/// Applies one recorded operation to `schema` (a copy of the live schema,
/// say) with `dialect`'s rules; the error says why it cannot apply there.
pub fn apply_operation(
    schema: &mut Schema,
    dialect: Dialect,
    operation: &Operation,
) -> Result<(), ApplyError> {
    Applier::new(schema, dialect).replay(operation)
}
