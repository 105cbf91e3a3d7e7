//! Comparing a live schema with an expected state in every detail the
//! migrations determine: tables, columns, type family, nullability, primary
//! key, unique constraints, indexes and foreign keys. Names alone never make
//! a match.
//!
//! A difference in a table that an unknown operation may have touched is
//! *unverified*: it is listed, and it proves nothing either way. Unique
//! constraints and foreign keys are compared by what they constrain (their
//! columns and targets), because their names are where dialects, drivers and
//! naming conventions differ most; indexes by name, columns and uniqueness.
//! Types are compared by family, and a type the reader could not resolve
//! (`other`) is not compared.

use std::cell::RefCell;
use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use imbl::ordmap::DiffItem;
use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_infer::{ExpectedSchemas, ExpectedState, Uncertainty};

use crate::expression::index_column_key;
use crate::patterns::ObjectPatterns;
use migration_doctor_schema::{ForeignKey, Schema, Table, TypeFamily};

/// How one table differs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableDifference {
    pub table: String,
    pub missing_columns: Vec<String>,
    pub unexpected_columns: Vec<String>,
    /// Types, nullability, keys, indexes and constraints that differ.
    pub details: Vec<String>,
}

impl TableDifference {
    fn is_empty(&self) -> bool {
        self.missing_columns.is_empty()
            && self.unexpected_columns.is_empty()
            && self.details.is_empty()
    }

    fn count(&self) -> usize {
        self.missing_columns.len() + self.unexpected_columns.len() + self.details.len()
    }

    fn phrases(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing_columns.is_empty() {
            out.push(format!(
                "{}: missing columns {}",
                self.table,
                self.missing_columns.join(", ")
            ));
        }
        if !self.unexpected_columns.is_empty() {
            out.push(format!(
                "{}: unexpected columns {}",
                self.table,
                self.unexpected_columns.join(", ")
            ));
        }
        out.extend(
            self.details
                .iter()
                .map(|detail| format!("{}: {detail}", self.table)),
        );
        out
    }
}

/// The comparison of a live schema with one expected state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    pub missing_tables: Vec<String>,
    pub unexpected_tables: Vec<String>,
    /// Tables present on both sides that differ, with certainty.
    pub tables: Vec<TableDifference>,
    /// Differences in uncertain tables, one phrase each: they prove nothing.
    pub unverified: Vec<String>,
}

impl Comparison {
    /// No certain detail differs.
    pub fn agrees(&self) -> bool {
        self.distance() == 0
    }

    /// How many certain differences: every missing or unexpected table,
    /// column, and differing detail counts one.
    pub fn distance(&self) -> usize {
        self.missing_tables.len()
            + self.unexpected_tables.len()
            + self
                .tables
                .iter()
                .map(TableDifference::count)
                .sum::<usize>()
    }

    /// The certain differences, one phrase each.
    pub fn differences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing_tables.is_empty() {
            out.push(format!(
                "missing tables: {}",
                self.missing_tables.join(", ")
            ));
        }
        if !self.unexpected_tables.is_empty() {
            out.push(format!(
                "unexpected tables: {}",
                self.unexpected_tables.join(", ")
            ));
        }
        for table in &self.tables {
            out.extend(table.phrases());
        }
        out
    }
}

/// An object of a table, as the rules below see it.
#[derive(Debug, Clone, Copy)]
pub enum Object<'o> {
    Column(&'o str),
    Index {
        name: &'o str,
        columns: &'o [String],
        unique: bool,
    },
    /// A unique constraint, by its columns.
    Unique(&'o [String]),
    /// A foreign key, by its columns.
    ForeignKey(&'o [String]),
}

/// Which objects of the tables compared are left out: those no revision
/// makes (unmanaged: a warning, never a difference; docs/contract.md,
/// "Evidence") and those the user named (`--ignore TABLE.OBJECT`).
#[derive(Clone, Copy, Default)]
pub struct ObjectRules<'a> {
    /// What the history gives each managed table; without it no object is
    /// taken for unmanaged.
    pub managed: Option<&'a ExpectedSchemas>,
    pub ignore: Option<&'a ObjectPatterns>,
    /// The server names the index that backs a foreign key itself (MySQL
    /// and MariaDB re-create it under a name of their choosing when the
    /// index serving the key goes): such an index is compared by its
    /// columns, its name proves nothing.
    pub server_names_key_indexes: bool,
}

impl ObjectRules<'_> {
    /// Named by an `--ignore` pattern.
    pub fn ignored(&self, table: &str, object: &str) -> bool {
        self.ignore
            .is_some_and(|patterns| patterns.matches(table, object))
    }

    /// Whether an object of `table` on one side is compared: not named by
    /// an `--ignore` pattern (`name`, when it has one) and, on the live side
    /// (`live_side`), not unmanaged.
    fn compared(
        &self,
        table: &str,
        object: Object<'_>,
        name: Option<&str>,
        live_side: bool,
    ) -> bool {
        !(name.is_some_and(|name| self.ignored(table, name))
            || live_side && self.unmanaged(table, object))
    }

    /// A live object on a managed table that no revision gives it.
    pub fn unmanaged(&self, table: &str, object: Object<'_>) -> bool {
        let Some(managed) = self
            .managed
            .and_then(|expected| expected.managed_objects(table))
        else {
            return false;
        };
        match object {
            Object::Column(name) => !managed.columns.contains(name),
            Object::Index {
                name,
                columns,
                unique,
            } => {
                !managed.indexes.contains(name)
                    && !managed
                        .guessed_index_shapes
                        .contains(&(columns.to_vec(), unique))
            }
            Object::Unique(columns) => !managed.unique_constraints.contains(columns),
            Object::ForeignKey(columns) => !managed.foreign_keys.contains(columns),
        }
    }

    /// The unmanaged objects of `live`'s tables that `compared` keeps, each
    /// as `table.name` (a constraint without a name by its columns), and
    /// not ignored by pattern.
    pub fn unmanaged_objects(&self, live: &Schema, compared: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut found = Vec::new();
        for (table_name, table) in &live.tables {
            if !compared(table_name) {
                continue;
            }
            let mut note = |object: Object<'_>, label: String| {
                if !self.ignored(table_name, &label) && self.unmanaged(table_name, object) {
                    found.push(format!("{table_name}.{label}"));
                }
            };
            for column in &table.columns {
                note(Object::Column(&column.name), column.name.clone());
            }
            for index in &table.indexes {
                if let Some(name) = &index.name {
                    let object = Object::Index {
                        name,
                        columns: &index.columns,
                        unique: index.unique,
                    };
                    note(object, name.clone());
                }
            }
            for unique in &table.unique_constraints {
                let label = unique
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("unique({})", unique.columns.join(",")));
                note(Object::Unique(&unique.columns), label);
            }
            for key in &table.foreign_keys {
                let label = key
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("foreign_key({})", key.columns.join(",")));
                note(Object::ForeignKey(&key.columns), label);
            }
        }
        found
    }
}

/// Compares one live schema with many expected states. Tables are shared
/// between the states of a history, so each distinct table version is
/// compared once and its difference reused; [`Comparer::score`] counts a
/// state's differences without building them, so that matching against
/// thousands of states costs little more than the number of distinct table
/// versions.
pub struct Comparer<'a> {
    live: &'a Schema,
    /// Live and expected tables left out of every comparison.
    skip: &'a dyn Fn(&str) -> bool,
    /// Objects of the tables compared that are left out.
    rules: ObjectRules<'a>,
    /// By table version (its address), then by name. The entry holds the
    /// version itself: a table made for one state and dropped after it
    /// must not free its address for another version to be mistaken for it
    /// (states of several heads are built on the fly).
    cache: RefCell<FxHashMap<usize, Cached>>,
    /// What each table version counts in a score, by its address (kept
    /// alive) and name.
    verdicts: RefCell<FxHashMap<usize, Verdicts>>,
    /// The sums of the states after revisions, by revision.
    partials: RefCell<FxHashMap<RevisionIndex, PartialScore>>,
    compared_live: std::cell::OnceCell<usize>,
}

/// A table version, kept alive, with what it counts under each name.
struct Verdicts {
    _version: Arc<Table>,
    by_name: Vec<(String, Verdict)>,
}

/// What one expected table counts in a score.
#[derive(Debug, Clone, Copy)]
enum Verdict {
    /// Left out of the comparison (ignored, unmanaged, another schema's).
    Skipped,
    /// Not in the live schema.
    Missing,
    /// In the live schema, with this many differences.
    Present(usize),
}

/// A table version, kept alive, with its difference from the live table of
/// each name it has (`None`: no difference).
struct Cached {
    _version: Arc<Table>,
    by_name: FxHashMap<String, Option<Arc<TableDifference>>>,
}

/// What a state's tables count, before the live tables it lacks are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PartialScore {
    certain: usize,
    unverified: usize,
    /// Its tables found in the live schema.
    found_live: usize,
}

impl PartialScore {
    fn add(&mut self, counts: PartialScore) {
        self.certain += counts.certain;
        self.unverified += counts.unverified;
        self.found_live += counts.found_live;
    }

    /// Takes out what a table counted before (it is in the sums).
    fn remove(&mut self, counts: PartialScore) {
        self.certain = self.certain.saturating_sub(counts.certain);
        self.unverified = self.unverified.saturating_sub(counts.unverified);
        self.found_live = self.found_live.saturating_sub(counts.found_live);
    }
}

/// How far a state is from the live schema: certain and unverified differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Score {
    pub certain: usize,
    pub unverified: usize,
}

impl<'a> Comparer<'a> {
    pub fn new(live: &'a Schema, skip: &'a dyn Fn(&str) -> bool) -> Comparer<'a> {
        Comparer {
            live,
            skip,
            rules: ObjectRules::default(),
            // Looked up for every table of every state matched: a hash
            // made for small keys, not one made against flooding.
            cache: RefCell::new(FxHashMap::default()),
            verdicts: RefCell::new(FxHashMap::default()),
            partials: RefCell::new(FxHashMap::default()),
            compared_live: std::cell::OnceCell::new(),
        }
    }

    /// Leaves out the objects `rules` names.
    pub fn with_rules(mut self, rules: ObjectRules<'a>) -> Comparer<'a> {
        self.rules = rules;
        self
    }

    /// The tables of both sides in name order, each with its expected and
    /// live version (skipped and schema-qualified expected ones left out).
    fn pairs<'s>(
        &'s self,
        expected: &'s ExpectedState,
    ) -> impl Iterator<Item = (&'s String, Option<&'s Arc<Table>>, Option<&'s Arc<Table>>)> + 's
    {
        let mut left = expected
            .schema
            .tables
            .iter()
            .filter(|(name, _)| !name.contains('.') && !(self.skip)(name))
            .peekable();
        let mut right = self
            .live
            .tables
            .iter()
            .filter(|(name, _)| !(self.skip)(name))
            .peekable();
        std::iter::from_fn(move || match (left.peek(), right.peek()) {
            (None, None) => None,
            (Some(_), None) => left.next().map(|(name, table)| (name, Some(table), None)),
            (None, Some(_)) => right.next().map(|(name, table)| (name, None, Some(table))),
            (Some((a, _)), Some((b, _))) => match a.cmp(b) {
                std::cmp::Ordering::Less => {
                    left.next().map(|(name, table)| (name, Some(table), None))
                }
                std::cmp::Ordering::Greater => {
                    right.next().map(|(name, table)| (name, None, Some(table)))
                }
                std::cmp::Ordering::Equal => {
                    let (name, expected) = left.next()?;
                    let (_, live) = right.next()?;
                    Some((name, Some(expected), Some(live)))
                }
            },
        })
    }

    /// The differences of `state`, counted. Each table version's verdict
    /// is worked out once (by its address) and reused by every state that
    /// shares it; live tables no state has are counted, not listed.
    pub fn score(&self, expected: &ExpectedState) -> Score {
        self.finish(self.partial(expected), &expected.uncertainty)
    }

    /// The score of the state after revision `index`, worked out from the
    /// state of its first parent where their uncertainty is the same: the
    /// parent's sums, less what the tables that changed counted there,
    /// plus what they count now (the persistent maps name the changed
    /// tables without visiting the shared ones). Equal to
    /// [`Comparer::score`] of that state.
    pub fn score_revision(
        &self,
        expected: &ExpectedSchemas,
        graph: &RevisionGraph,
        index: RevisionIndex,
    ) -> Score {
        // The first-parent chain down to a state already summed.
        let mut chain = Vec::new();
        let mut at = Some(index);
        while let Some(revision) = at {
            if self.partials.borrow().contains_key(&revision) {
                break;
            }
            chain.push(revision);
            at = graph.revision(revision).parents().first().copied();
        }
        let mut previous = at;
        for &revision in chain.iter().rev() {
            let Some(state) = expected.state(revision) else {
                previous = None;
                continue;
            };
            let known = previous.and_then(|parent| {
                let partial = *self.partials.borrow().get(&parent)?;
                let before = expected.state(parent)?;
                (before.uncertainty == state.uncertainty).then_some((before, partial))
            });
            let partial = match known {
                Some((before, partial)) => self.partial_from(before, partial, state),
                None => self.partial(state),
            };
            self.partials.borrow_mut().insert(revision, partial);
            previous = Some(revision);
        }
        match (expected.state(index), self.partials.borrow().get(&index)) {
            (Some(state), Some(partial)) => self.finish(*partial, &state.uncertainty),
            _ => self.score(&ExpectedState::default()),
        }
    }

    /// What the tables of `expected` count, summed.
    fn partial(&self, expected: &ExpectedState) -> PartialScore {
        let mut partial = PartialScore::default();
        for (name, table) in &expected.schema.tables {
            partial.add(self.counts(name, table, &expected.uncertainty));
        }
        partial
    }

    /// `partial` (of `before`) carried to `expected`, whose uncertainty is
    /// the same.
    fn partial_from(
        &self,
        before: &ExpectedState,
        mut partial: PartialScore,
        expected: &ExpectedState,
    ) -> PartialScore {
        let uncertainty = &expected.uncertainty;
        for change in before.schema.tables.diff(&expected.schema.tables) {
            match change {
                DiffItem::Add(name, table) => partial.add(self.counts(name, table, uncertainty)),
                DiffItem::Remove(name, table) => {
                    partial.remove(self.counts(name, table, uncertainty));
                }
                DiffItem::Update { old, new } => {
                    partial.remove(self.counts(old.0, old.1, uncertainty));
                    partial.add(self.counts(new.0, new.1, uncertainty));
                }
            }
        }
        partial
    }

    /// What one table counts in a score.
    fn counts(&self, name: &str, table: &Arc<Table>, uncertainty: &Uncertainty) -> PartialScore {
        match self.verdict(name, table) {
            Verdict::Skipped => PartialScore::default(),
            Verdict::Missing if uncertainty.covers(name) => PartialScore {
                unverified: 1,
                ..PartialScore::default()
            },
            Verdict::Missing => PartialScore {
                certain: 1,
                ..PartialScore::default()
            },
            Verdict::Present(count) if uncertainty.covers(name) => PartialScore {
                unverified: count,
                found_live: 1,
                ..PartialScore::default()
            },
            Verdict::Present(count) => PartialScore {
                certain: count,
                found_live: 1,
                ..PartialScore::default()
            },
        }
    }

    /// The score: the tables' sums, and the live tables the state lacks.
    fn finish(&self, partial: PartialScore, uncertainty: &Uncertainty) -> Score {
        let unexpected = self
            .compared_live_tables()
            .saturating_sub(partial.found_live);
        let mut score = Score {
            certain: partial.certain,
            unverified: partial.unverified,
        };
        if uncertainty.open {
            score.unverified += unexpected;
        } else {
            score.certain += unexpected;
        }
        score
    }

    /// How many live tables the comparison keeps.
    fn compared_live_tables(&self) -> usize {
        *self.compared_live.get_or_init(|| {
            self.live
                .tables
                .keys()
                .filter(|name| !(self.skip)(name))
                .count()
        })
    }

    /// What the expected table version `table`, under `name`, counts.
    fn verdict(&self, name: &str, table: &Arc<Table>) -> Verdict {
        let address = Arc::as_ptr(table) as usize;
        if let Some(known) = self.verdicts.borrow().get(&address)
            && let Some((_, verdict)) = known.by_name.iter().find(|(known, _)| known == name)
        {
            return *verdict;
        }
        let verdict = if name.contains('.') || (self.skip)(name) {
            Verdict::Skipped
        } else if !self.live.tables.contains_key(name) {
            Verdict::Missing
        } else {
            Verdict::Present(
                self.table_difference(name, table)
                    .map_or(0, |difference| difference.count()),
            )
        };
        self.verdicts
            .borrow_mut()
            .entry(address)
            .or_insert_with(|| Verdicts {
                _version: table.clone(),
                by_name: Vec::new(),
            })
            .by_name
            .push((name.to_owned(), verdict));
        verdict
    }

    /// The differences of `state`, each named.
    pub fn compare(&self, expected: &ExpectedState) -> Comparison {
        let uncertainty = &expected.uncertainty;
        let mut comparison = Comparison::default();
        for (name, expected_table, live_table) in self.pairs(expected) {
            match (expected_table, live_table) {
                (Some(table), Some(_)) => {
                    let Some(difference) = self.table_difference(name, table) else {
                        continue;
                    };
                    if uncertainty.covers(name) {
                        comparison.unverified.extend(difference.phrases());
                    } else {
                        comparison.tables.push((*difference).clone());
                    }
                }
                (Some(_), None) => {
                    if uncertainty.covers(name) {
                        comparison
                            .unverified
                            .push(format!("table {name} is missing"));
                    } else {
                        comparison.missing_tables.push(name.clone());
                    }
                }
                (None, _) => {
                    if uncertainty.open {
                        comparison
                            .unverified
                            .push(format!("table {name} is not expected"));
                    } else {
                        comparison.unexpected_tables.push(name.clone());
                    }
                }
            }
        }
        comparison
    }

    fn table_difference(&self, name: &str, expected: &Arc<Table>) -> Option<Arc<TableDifference>> {
        let address = Arc::as_ptr(expected) as usize;
        if let Some(known) = self
            .cache
            .borrow()
            .get(&address)
            .and_then(|cached| cached.by_name.get(name))
        {
            return known.clone();
        }
        let live = self.live.tables.get(name)?;
        let difference = compare_table(name, expected, live, &self.rules);
        let difference = (!difference.is_empty()).then(|| Arc::new(difference));
        self.cache
            .borrow_mut()
            .entry(address)
            .or_insert_with(|| Cached {
                _version: expected.clone(),
                by_name: FxHashMap::default(),
            })
            .by_name
            .insert(name.to_owned(), difference.clone());
        difference
    }
}

/// Compares `live` with an expected schema without uncertainty (a plain
/// schema, such as the one `--to-revision` names).
pub fn compare(
    expected: &Schema,
    live: &Schema,
    skip: &(dyn Fn(&str) -> bool + Sync),
) -> Comparison {
    let state = ExpectedState {
        schema: expected.clone(),
        uncertainty: Default::default(),
    };
    Comparer::new(live, skip).compare(&state)
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "NULL allowed" } else { "NOT NULL" }
}

fn compare_table(
    name: &str,
    expected: &Table,
    live: &Table,
    rules: &ObjectRules<'_>,
) -> TableDifference {
    let columns = |table: &Table, live_side: bool| -> BTreeSet<String> {
        table
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|&column| rules.compared(name, Object::Column(column), Some(column), live_side))
            .map(str::to_owned)
            .collect()
    };
    let (expected_columns, live_columns) = (columns(expected, false), columns(live, true));
    let mut difference = TableDifference {
        table: name.to_owned(),
        missing_columns: expected_columns
            .difference(&live_columns)
            .map(|c| (*c).to_owned())
            .collect(),
        unexpected_columns: live_columns
            .difference(&expected_columns)
            .map(|c| (*c).to_owned())
            .collect(),
        details: Vec::new(),
    };
    for column in &expected.columns {
        let Some(found) = live.column(&column.name) else {
            continue;
        };
        if rules.ignored(name, &column.name) {
            continue;
        }
        let comparable = !matches!(column.type_family, TypeFamily::Other(_));
        if comparable && !same_type(column, found) {
            difference.details.push(format!(
                "column {}: expected type {}, found {} ({})",
                column.name, column.type_family, found.type_family, found.native_type
            ));
        }
        if column.nullable != found.nullable {
            difference.details.push(format!(
                "column {}: expected {}, found {}",
                column.name,
                nullability(column.nullable),
                nullability(found.nullable)
            ));
        }
    }
    if expected.primary_key != live.primary_key {
        difference.details.push(format!(
            "primary key: expected ({}), found ({})",
            expected.primary_key.join(", "),
            live.primary_key.join(", ")
        ));
    }
    compare_indexes(name, expected, live, rules, &mut difference);
    compare_constraints(name, expected, live, rules, &mut difference);
    difference
}

/// Indexes: by name, then by what they index.
fn compare_indexes(
    name: &str,
    expected: &Table,
    live: &Table,
    rules: &ObjectRules<'_>,
    difference: &mut TableDifference,
) {
    let named = |table: &Table, live_side: bool| -> BTreeSet<(String, Vec<String>, bool)> {
        table
            .indexes
            .iter()
            .filter_map(|index| {
                let columns: Vec<String> =
                    index.columns.iter().map(|c| index_column_key(c)).collect();
                index
                    .name
                    .clone()
                    .map(|index_name| (index_name, columns, index.unique))
            })
            .filter(|(index_name, columns, unique)| {
                let object = Object::Index {
                    name: index_name,
                    columns,
                    unique: *unique,
                };
                rules.compared(name, object, Some(index_name), live_side)
            })
            .collect()
    };
    let (mut expected_indexes, mut live_indexes) = (named(expected, false), named(live, true));
    // Indexes whose names an unconfirmed naming convention gave: known by
    // their shape, the name proves nothing either way.
    let guessed_names = rules
        .managed
        .and_then(|managed| managed.managed_objects(name))
        .map(|objects| &objects.guessed_index_names);
    if let Some(guessed_names) = guessed_names.filter(|names| !names.is_empty()) {
        let guessed: Vec<(String, Vec<String>, bool)> = expected_indexes
            .iter()
            .filter(|(index, ..)| guessed_names.contains(index))
            .cloned()
            .collect();
        for entry in guessed {
            expected_indexes.remove(&entry);
            let (index, columns, unique) = entry;
            let same_shape = live_indexes
                .iter()
                .find(|(found, found_columns, found_unique)| {
                    *found_columns == columns
                        && *found_unique == unique
                        && (*found == index || !expected_indexes.iter().any(|(e, ..)| e == found))
                })
                .cloned();
            match same_shape {
                Some(found) => {
                    live_indexes.remove(&found);
                }
                None => difference.details.push(format!(
                    "{}index on ({}): expected, not found",
                    if unique { "unique " } else { "" },
                    columns.join(", ")
                )),
            }
        }
    }
    // An index backing a foreign key, found under another name.
    let renamed_key_index = |columns: &[String], unique: bool, other: &Table| {
        rules.server_names_key_indexes
            && !unique
            && live.foreign_keys.iter().any(|key| key.columns == columns)
            && other
                .indexes
                .iter()
                .any(|index| !index.unique && index.columns == columns)
    };
    for (index, columns, unique) in expected_indexes.difference(&live_indexes) {
        let same_name = live_indexes.iter().find(|(name, ..)| name == index);
        if same_name.is_none() && renamed_key_index(columns, *unique, live) {
            continue;
        }
        match same_name {
            Some((_, found_columns, found_unique)) => difference.details.push(format!(
                "index {index}: expected {}({}), found {}({})",
                if *unique { "unique " } else { "" },
                columns.join(", "),
                if *found_unique { "unique " } else { "" },
                found_columns.join(", ")
            )),
            None => difference
                .details
                .push(format!("index {index}: expected, not found")),
        }
    }
    for (index, columns, unique) in live_indexes.difference(&expected_indexes) {
        if renamed_key_index(columns, *unique, expected) {
            continue;
        }
        if !expected_indexes.iter().any(|(name, ..)| name == index) {
            difference
                .details
                .push(format!("index {index}: found, not expected"));
        }
    }
}

/// Unique constraints and foreign keys, by what they constrain.
fn compare_constraints(
    name: &str,
    expected: &Table,
    live: &Table,
    rules: &ObjectRules<'_>,
    difference: &mut TableDifference,
) {
    let uniques = |table: &Table, live_side: bool| -> BTreeSet<Vec<String>> {
        table
            .unique_constraints
            .iter()
            .filter(|unique| {
                let object = Object::Unique(&unique.columns);
                rules.compared(name, object, unique.name.as_deref(), live_side)
            })
            .map(|unique| unique.columns.clone())
            .collect()
    };
    let (expected_uniques, live_uniques) = (uniques(expected, false), uniques(live, true));
    for columns in expected_uniques.difference(&live_uniques) {
        difference.details.push(format!(
            "unique constraint on ({}): expected, not found",
            columns.join(", ")
        ));
    }
    for columns in live_uniques.difference(&expected_uniques) {
        difference.details.push(format!(
            "unique constraint on ({}): found, not expected",
            columns.join(", ")
        ));
    }
    let keys = |table: &Table, live_side: bool| -> BTreeSet<(Vec<String>, String, Vec<String>)> {
        table
            .foreign_keys
            .iter()
            .filter(|key| {
                let object = Object::ForeignKey(&key.columns);
                rules.compared(name, object, key.name.as_deref(), live_side)
            })
            .map(|key| {
                (
                    key.columns.clone(),
                    key.referred_table.clone(),
                    key.referred_columns.clone(),
                )
            })
            .collect()
    };
    let (expected_keys, live_keys) = (keys(expected, false), keys(live, true));
    for (columns, table, referred) in expected_keys.difference(&live_keys) {
        difference.details.push(format!(
            "foreign key ({}) -> {table}({}): expected, not found",
            columns.join(", "),
            referred.join(", ")
        ));
    }
    for (columns, table, referred) in live_keys.difference(&expected_keys) {
        difference.details.push(format!(
            "foreign key ({}) -> {table}({}): found, not expected",
            columns.join(", "),
            referred.join(", ")
        ));
    }
    compare_key_actions(name, expected, live, rules, difference);
}

/// `ON DELETE` and `ON UPDATE` of the foreign keys found on both sides,
/// where both are known. Keys are taken by their target; when one side has
/// several keys on the same target (a key a revision meant to replace but
/// could not be followed dropping), an action found on either side among
/// them matches.
fn compare_key_actions(
    name: &str,
    expected: &Table,
    live: &Table,
    rules: &ObjectRules<'_>,
    difference: &mut TableDifference,
) {
    let same_target = |a: &ForeignKey, b: &ForeignKey| {
        a.columns == b.columns
            && a.referred_table == b.referred_table
            && a.referred_columns == b.referred_columns
    };
    let compatible = |a: &ForeignKey, b: &ForeignKey| {
        !a.on_delete.differs_from(b.on_delete) && !a.on_update.differs_from(b.on_update)
    };
    let mut reported: Vec<&ForeignKey> = Vec::new();
    for key in &expected.foreign_keys {
        if key
            .name
            .as_deref()
            .is_some_and(|key_name| rules.ignored(name, key_name))
            || reported.iter().any(|done| same_target(done, key))
        {
            continue;
        }
        let wanted: Vec<&ForeignKey> = expected
            .foreign_keys
            .iter()
            .filter(|other| same_target(other, key))
            .collect();
        let found: Vec<&ForeignKey> = live
            .foreign_keys
            .iter()
            .filter(|other| same_target(other, key))
            .collect();
        let Some(first_found) = found.first() else {
            continue;
        };
        let any_match = wanted
            .iter()
            .any(|want| found.iter().any(|got| compatible(want, got)));
        reported.push(key);
        if any_match {
            continue;
        }
        for (what, wanted, got) in [
            ("ON DELETE", key.on_delete, first_found.on_delete),
            ("ON UPDATE", key.on_update, first_found.on_update),
        ] {
            if wanted.differs_from(got) {
                difference.details.push(format!(
                    "foreign key ({}) -> {}({}): expected {what} {wanted}, found {got}",
                    key.columns.join(", "),
                    key.referred_table,
                    key.referred_columns.join(", ")
                ));
            }
        }
    }
}

/// Whether a column's expected type is the one found. SQLAlchemy's `Uuid`
/// is `CHAR(32)` on MySQL but MariaDB's native `uuid` from 10.7 on; the
/// expected schema knows the dialect, not the server's version.
fn same_type(
    expected: &migration_doctor_schema::Column,
    found: &migration_doctor_schema::Column,
) -> bool {
    expected.type_family == found.type_family
        || (matches!(expected.native_type.as_str(), "Uuid" | "UUID")
            && expected.type_family == TypeFamily::String { length: Some(32) }
            && found.type_family == TypeFamily::Uuid)
}

#[cfg(test)]
mod tests {
    use migration_doctor_schema::{Column, Index, Schema, Table, TypeFamily};

    use super::*;

    fn table(columns: &[(&str, TypeFamily)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(name, family)| Column {
                    name: (*name).to_owned(),
                    type_family: family.clone(),
                    native_type: String::new(),
                    nullable: true,
                    default: None,
                })
                .collect(),
            ..Table::default()
        }
    }

    /// States of several heads are built for one comparison and dropped:
    /// the comparer keeps each table version it cached alive, so that no
    /// later version can take its address and its cached difference.
    #[test]
    fn a_cached_table_version_outlives_its_state() {
        let mut live = Schema::default();
        live.insert_table("users".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let skip = |_: &str| false;
        let comparer = Comparer::new(&live, &skip);
        let mut agreeing = ExpectedState::default();
        agreeing
            .schema
            .insert_table("users".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let version = agreeing.schema.tables["users"].clone();
        assert_eq!(comparer.score(&agreeing).certain, 0);
        drop(agreeing);
        assert!(Arc::strong_count(&version) >= 2, "the comparer holds it");
        drop(version);
        // Many states made and dropped after it: each is judged on its own.
        for at in 0..200 {
            let mut differing = ExpectedState::default();
            differing.schema.insert_table(
                "users".to_owned(),
                table(&[("id", TypeFamily::Integer), ("x", TypeFamily::Text)]),
            );
            assert_eq!(comparer.score(&differing).certain, 1, "state {at}");
        }
    }

    #[test]
    fn every_detail_decides() {
        let mut expected = Schema::default();
        let mut users = table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]);
        users.indexes.push(Index {
            name: Some("ix_users_email".to_owned()),
            columns: vec!["email".to_owned()],
            unique: false,
        });
        expected.insert_table("users".to_owned(), users);
        let mut live = Schema::default();
        live.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]),
        );
        live.insert_table("audit".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let comparison = compare(&expected, &live, &|name| name == "audit");
        assert!(
            !comparison.agrees(),
            "same names, a missing index: no match"
        );
        assert_eq!(
            comparison.differences(),
            ["users: index ix_users_email: expected, not found"]
        );
        let comparison = compare(&expected, &live, &|_| false);
        assert_eq!(comparison.unexpected_tables, ["audit"]);
        assert_eq!(comparison.distance(), 2);
    }

    #[test]
    fn differences_in_uncertain_tables_are_unverified() {
        let mut state = ExpectedState::default();
        state.schema.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]),
        );
        state.uncertainty.tables.insert("users".to_owned());
        let mut live = Schema::default();
        live.insert_table("users".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let skip = |_: &str| false;
        let comparison = Comparer::new(&live, &skip).compare(&state);
        assert!(comparison.agrees());
        assert_eq!(comparison.unverified, ["users: missing columns email"]);
    }
}
