//! The analysis: a pure function of the revision graph, the expected
//! schemas, the live schema and the version rows, ending in exactly one
//! state and one strategy (PRODUCT.md, "States and strategies").

use std::collections::{BTreeMap, BTreeSet};

use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_infer::ExpectedSchemas;
use migration_doctor_live::{LiveDatabase, VersionTable};
use migration_doctor_schema::Schema;
use serde::Serialize;

use crate::compare::{Comparison, compare};
use crate::plan::plan_for;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Fresh,
    Healthy,
    Behind,
    UntrackedSchema,
    PartialMigration,
    CorruptedVersionTable,
    AheadOfScripts,
    Drifted,
    InvalidScripts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    NormalMigration,
    NoActionNeeded,
    InitializeAlembicVersion,
    CompletePartialMigration,
    RepairCorruptedAlembic,
    StampExistingSchemaToHead,
    ManualIntervention,
}

/// What to do when several revision states match the schema equally well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TiePolicy {
    #[default]
    Latest,
    Earliest,
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// A revision state close to the live schema, with how it differs.
#[derive(Debug, Clone, Serialize)]
pub struct ClosestState {
    pub revisions: Vec<String>,
    pub comparison: Comparison,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub state: State,
    pub strategy: Strategy,
    pub current_revisions: Vec<String>,
    pub head_revisions: Vec<String>,
    pub matched_revisions: Vec<String>,
    /// Every state that ties, each as its heads joined with `+` (never part
    /// of a revision id).
    pub candidate_revisions: Vec<String>,
    pub pending_revisions: Vec<String>,
    pub missing_tables: Vec<String>,
    pub unexpected_tables: Vec<String>,
    pub findings: Vec<Finding>,
    pub plan: Option<Vec<String>>,
    /// The comparison with the state the version rows name (or the matched
    /// one when the rows name none).
    #[serde(skip)]
    pub comparison: Option<Comparison>,
    /// The nearest states when none matches.
    #[serde(skip)]
    pub closest: Vec<ClosestState>,
}

/// Options of the analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    pub tie_policy: TiePolicy,
    /// Glob patterns of tables no migration manages.
    pub ignore_tables: Vec<String>,
}

/// Everything the analysis looks at.
pub struct AnalysisInput<'a> {
    pub graph: &'a RevisionGraph,
    /// Problems that make the scripts invalid (empty when sound).
    pub script_errors: &'a [String],
    pub expected: Option<&'a ExpectedSchemas>,
    pub live: &'a LiveDatabase,
    pub options: &'a AnalysisOptions,
}

/// `*` and `?` wildcards, as in shell globs.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn matches(p: &[char], t: &[char]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some('*'), _) => matches(&p[1..], t) || (!t.is_empty() && matches(p, &t[1..])),
            (Some('?'), Some(_)) => matches(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => matches(&p[1..], &t[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches(&p, &t)
}

/// A revision state (its heads) with its comparison to the live schema.
type ScoredState = (Vec<RevisionIndex>, Comparison);

struct Analyzer<'a> {
    input: AnalysisInput<'a>,
    findings: Vec<Finding>,
}

impl Analyzer<'_> {
    fn ids(&self, indexes: &[RevisionIndex]) -> Vec<String> {
        let mut ids: Vec<String> = indexes
            .iter()
            .map(|&i| self.input.graph.revision(i).id().to_owned())
            .collect();
        ids.sort();
        ids
    }

    fn finding(&mut self, severity: Severity, code: &'static str, message: String) {
        self.findings.push(Finding {
            severity,
            code,
            message,
        });
    }

    fn ignored(&self, table: &str) -> bool {
        self.input
            .options
            .ignore_tables
            .iter()
            .any(|pattern| glob_match(pattern, table))
    }

    fn user_tables(&self) -> Vec<String> {
        self.input
            .live
            .schema
            .tables
            .keys()
            .filter(|name| !self.ignored(name))
            .cloned()
            .collect()
    }

    fn schema_of(&self, heads: &[RevisionIndex]) -> Schema {
        match (self.input.expected, heads) {
            (_, []) | (None, _) => Schema::default(),
            (Some(expected), [one]) => expected.after(*one).cloned().unwrap_or_default(),
            (Some(expected), many) => expected.after_heads(self.input.graph, many),
        }
    }

    fn compare_with(&self, heads: &[RevisionIndex]) -> Comparison {
        let schema = self.schema_of(heads);
        let ignore = |name: &str| self.ignored(name);
        compare(&schema, &self.input.live.schema, &ignore)
    }

    /// The states a real alembic can leave: the base, each revision with its
    /// ancestors, each merge point's parents side by side, all heads side by
    /// side, and `extra` (the version rows).
    fn candidate_states(&self, extra: &[RevisionIndex]) -> Vec<Vec<RevisionIndex>> {
        let graph = self.input.graph;
        let mut states: BTreeSet<Vec<RevisionIndex>> = BTreeSet::new();
        states.insert(Vec::new());
        for &index in graph.topological() {
            states.insert(vec![index]);
            let parents = graph.revision(index).parents();
            if parents.len() > 1 {
                let mut parents = parents.to_vec();
                parents.sort_unstable();
                states.insert(parents);
            }
        }
        let mut heads = graph.heads();
        if heads.len() > 1 {
            heads.sort_unstable();
            states.insert(heads);
        }
        if extra.len() > 1 {
            let mut extra = extra.to_vec();
            extra.sort_unstable();
            states.insert(extra);
        }
        states.into_iter().collect()
    }

    /// How many revisions a state applies (its place in the history).
    fn applied(&self, heads: &[RevisionIndex]) -> usize {
        let graph = self.input.graph;
        let mut members = vec![false; graph.len()];
        for &head in heads {
            for (at, member) in graph.ancestors(head, true).into_iter().enumerate() {
                members[at] |= member;
            }
        }
        members.into_iter().filter(|member| *member).count()
    }

    /// States whose names match, best details first; and the closest ones otherwise.
    fn matching(&self, extra: &[RevisionIndex]) -> (Vec<ScoredState>, Vec<ScoredState>) {
        let mut matched = Vec::new();
        let mut others = Vec::new();
        for state in self.candidate_states(extra) {
            let comparison = self.compare_with(&state);
            if comparison.names_match() {
                matched.push((state, comparison));
            } else {
                others.push((state, comparison));
            }
        }
        if let Some(best) = matched.iter().map(|(_, c)| c.detail_distance()).min() {
            matched.retain(|(_, c)| c.detail_distance() == best);
        }
        others.sort_by_key(|(state, comparison)| {
            (comparison.name_distance(), std::cmp::Reverse(state.len()))
        });
        others.truncate(3);
        (matched, others)
    }

    /// The nearest states, named by their heads.
    fn closest_states(&self, closest: Vec<ScoredState>) -> Vec<ClosestState> {
        closest
            .into_iter()
            .map(|(state, comparison)| ClosestState {
                revisions: self.ids(&state),
                comparison,
            })
            .collect()
    }

    /// Picks among tying states by the policy; `None` when refusing.
    fn choose(
        &mut self,
        matched: &[(Vec<RevisionIndex>, Comparison)],
    ) -> Option<Vec<RevisionIndex>> {
        let mut ranked: Vec<(usize, &Vec<RevisionIndex>)> = matched
            .iter()
            .map(|(state, _)| (self.applied(state), state))
            .collect();
        ranked.sort();
        let chosen = match self.input.options.tie_policy {
            _ if ranked.len() == 1 => ranked.first().map(|(_, state)| (*state).clone()),
            TiePolicy::Latest => ranked.last().map(|(_, state)| (*state).clone()),
            TiePolicy::Earliest => ranked.first().map(|(_, state)| (*state).clone()),
            TiePolicy::Refuse => None,
        };
        if ranked.len() > 1 {
            let described: Vec<String> = ranked
                .iter()
                .map(|(_, state)| {
                    if state.is_empty() {
                        "base".to_owned()
                    } else {
                        self.ids(state).join("+")
                    }
                })
                .collect();
            let message = match (&chosen, self.input.options.tie_policy) {
                (Some(chosen), TiePolicy::Latest) => format!(
                    "the schema matches {} revision states equally ({}), which differ only in data migrations; \
                     the latest, {}, was chosen (--on-tie earliest or refuse to change that)",
                    ranked.len(),
                    described.join(", "),
                    self.ids(chosen).join("+")
                ),
                (Some(chosen), _) => format!(
                    "the schema matches {} revision states equally ({}); the earliest, {}, was chosen",
                    ranked.len(),
                    described.join(", "),
                    self.ids(chosen).join("+")
                ),
                (None, _) => format!(
                    "the schema matches {} revision states equally ({}) and --on-tie refuse is set; \
                     choose one with `recover --to-revision REV`",
                    ranked.len(),
                    described.join(", ")
                ),
            };
            self.finding(Severity::Warning, "tie", message);
        }
        chosen
    }
}

/// Reads the version rows: the revisions they name when they are valid, or
/// findings explaining why they are not.
fn read_rows(
    analyzer: &mut Analyzer<'_>,
    rows: &[Option<String>],
) -> (Vec<RevisionIndex>, bool, bool) {
    let graph = analyzer.input.graph;
    let mut known = Vec::new();
    let mut corrupt = false;
    let mut unknown_ids = false;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        let Some(value) = row else {
            analyzer.finding(
                Severity::Error,
                "null_version",
                "the version table holds a NULL version_num".to_owned(),
            );
            corrupt = true;
            continue;
        };
        *seen.entry(value.clone()).or_default() += 1;
        let trimmed = value.trim();
        if trimmed.is_empty() {
            analyzer.finding(
                Severity::Error,
                "blank_version",
                "the version table holds an empty version_num".to_owned(),
            );
            corrupt = true;
            continue;
        }
        if trimmed != value {
            analyzer.finding(
                Severity::Error,
                "padded_version",
                format!("version_num {value:?} has surrounding spaces; alembic compares it exactly and will not find {trimmed}"),
            );
            corrupt = true;
        }
        if value.chars().count() > 32 {
            analyzer.finding(
                Severity::Error,
                "version_too_long",
                format!(
                    "version_num {value:?} is longer than the 32 characters alembic's table holds"
                ),
            );
            corrupt = true;
        }
        match graph.index_of(trimmed) {
            Some(index) if trimmed == value => {
                if !known.contains(&index) {
                    known.push(index);
                }
            }
            Some(_) => {}
            None => {
                let near = graph.similar_ids(trimmed);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" (nearest known: {})", near.join(", "))
                };
                analyzer.finding(
                    Severity::Error,
                    "unknown_revision",
                    format!(
                        "the version table names revision {trimmed}, which no script declares{hint}"
                    ),
                );
                corrupt = true;
                unknown_ids = true;
            }
        }
    }
    for (value, count) in seen {
        if count > 1 {
            analyzer.finding(
                Severity::Error,
                "duplicate_version",
                format!("version_num {value} appears {count} times"),
            );
            corrupt = true;
        }
    }
    for &a in &known {
        for &b in &known {
            if a != b && graph.ancestors(b, true)[a] {
                analyzer.finding(
                    Severity::Error,
                    "overlapping_heads",
                    format!(
                        "the version table names both {} and its descendant {}; alembic keeps only heads",
                        graph.revision(a).id(),
                        graph.revision(b).id()
                    ),
                );
                corrupt = true;
            }
        }
    }
    (known, corrupt, unknown_ids)
}

/// Decides the state, the matched revisions and the strategy.
pub fn analyze(input: AnalysisInput<'_>) -> Diagnosis {
    let mut analyzer = Analyzer {
        input,
        findings: Vec::new(),
    };
    let graph = analyzer.input.graph;
    let head_indexes = graph.heads();
    let head_revisions = analyzer.ids(&head_indexes);
    let live = analyzer.input.live;
    let rows: Vec<Option<String>> = live
        .version_table
        .contents()
        .map(|c| c.rows.clone())
        .unwrap_or_default();
    let current_revisions: Vec<String> = {
        let mut shown: Vec<String> = rows
            .iter()
            .map(|row| row.clone().unwrap_or_else(|| "NULL".to_owned()))
            .collect();
        shown.sort();
        shown
    };
    let mut diagnosis = Diagnosis {
        state: State::InvalidScripts,
        strategy: Strategy::ManualIntervention,
        current_revisions,
        head_revisions,
        matched_revisions: Vec::new(),
        candidate_revisions: Vec::new(),
        pending_revisions: Vec::new(),
        missing_tables: Vec::new(),
        unexpected_tables: Vec::new(),
        findings: Vec::new(),
        plan: None,
        comparison: None,
        closest: Vec::new(),
    };

    if !analyzer.input.script_errors.is_empty() {
        for error in analyzer.input.script_errors {
            analyzer.finding(Severity::Error, "invalid_scripts", error.clone());
        }
        diagnosis.findings = analyzer.findings;
        return diagnosis;
    }
    if let Some(expected) = analyzer.input.expected {
        let unknown: usize = (0..graph.len())
            .map(|index| expected.unknown_operations(index).len())
            .sum();
        if unknown > 0 {
            analyzer.finding(
                Severity::Info,
                "unknown_operations",
                format!("{unknown} operation(s) in the migrations could not be followed statically; the expected schema may be incomplete there (`schema` lists them)"),
            );
        }
    }

    let user_tables = analyzer.user_tables();
    let finish = |mut analyzer: Analyzer<'_>,
                  mut diagnosis: Diagnosis,
                  state: State,
                  strategy: Strategy,
                  target: Option<Vec<RevisionIndex>>| {
        diagnosis.state = state;
        diagnosis.strategy = strategy;
        if let Some(target) = &target {
            diagnosis.matched_revisions = analyzer.ids(target);
        }
        diagnosis.plan = plan_for(
            strategy,
            live,
            target.as_ref().map(|t| analyzer.ids(t)).as_deref(),
        );
        diagnosis.findings = std::mem::take(&mut analyzer.findings);
        diagnosis
    };

    // No version table.
    let Some(contents) = live.version_table.contents() else {
        if user_tables.is_empty() {
            diagnosis.pending_revisions = analyzer.ids(graph.topological());
            return finish(
                analyzer,
                diagnosis,
                State::Fresh,
                Strategy::NormalMigration,
                None,
            );
        }
        analyzer.finding(
            Severity::Error,
            "version_table_missing",
            format!(
                "{} user table(s) exist but there is no {} table",
                user_tables.len(),
                version_table_name(live)
            ),
        );
        return untracked_or_corrupt(
            analyzer,
            diagnosis,
            State::UntrackedSchema,
            Strategy::InitializeAlembicVersion,
            &[],
            finish,
        );
    };

    if contents.version_num().is_none() {
        analyzer.finding(
            Severity::Error,
            "wrong_shape",
            format!(
                "the version table {} has no version_num column",
                contents.name
            ),
        );
        let (matched, closest) = analyzer.matching(&[]);
        diagnosis.candidate_revisions = matched
            .iter()
            .map(|(s, _)| state_label(&analyzer.ids(s)))
            .collect();
        diagnosis.closest = analyzer.closest_states(closest);
        return finish(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::ManualIntervention,
            None,
        );
    }
    if contents.rows.is_empty() {
        if user_tables.is_empty() {
            analyzer.finding(
                Severity::Info,
                "empty_version_table",
                "the version table is empty and there are no user tables: the database is at base"
                    .to_owned(),
            );
            diagnosis.pending_revisions = analyzer.ids(graph.topological());
            return finish(
                analyzer,
                diagnosis,
                State::Fresh,
                Strategy::NormalMigration,
                None,
            );
        }
        analyzer.finding(
            Severity::Error,
            "empty_version_table",
            "the version table is empty but user tables exist".to_owned(),
        );
        return untracked_or_corrupt(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            &[],
            finish,
        );
    }

    let (current, corrupt, unknown_ids) = read_rows(&mut analyzer, &contents.rows);
    if corrupt {
        if unknown_ids && current.is_empty() {
            // Objects no revision creates, and ids no script knows: a newer release ran.
            let beyond_head = analyzer.compare_with(&graph.heads());
            if !beyond_head.unexpected_tables.is_empty()
                || beyond_head
                    .tables
                    .iter()
                    .any(|t| !t.unexpected_columns.is_empty())
            {
                diagnosis.unexpected_tables = beyond_head.unexpected_tables.clone();
                diagnosis.missing_tables = beyond_head.missing_tables.clone();
                analyzer.finding(
                    Severity::Error,
                    "ahead_of_scripts",
                    "the database has objects no revision creates and a version the scripts do not know: a newer release of the application probably migrated it; deploy that release's migrations, or check before stamping".to_owned(),
                );
                diagnosis.comparison = Some(beyond_head);
                return finish(
                    analyzer,
                    diagnosis,
                    State::AheadOfScripts,
                    Strategy::ManualIntervention,
                    None,
                );
            }
        }
        return untracked_or_corrupt(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            &current,
            finish,
        );
    }

    // Valid rows: does the schema agree with them?
    let comparison = analyzer.compare_with(&current);
    let mut sorted_current = current.clone();
    sorted_current.sort_unstable();
    let mut sorted_heads = graph.heads();
    sorted_heads.sort_unstable();
    if comparison.names_match() {
        if comparison.detail_distance() > 0 {
            analyzer.finding(
                Severity::Warning,
                "details_differ",
                format!("tables and columns agree with the version rows, but {} detail(s) differ (types, nullability, keys or indexes); --detailed lists them", comparison.detail_distance()),
            );
        }
        diagnosis.comparison = Some(comparison);
        let applied = applied_set(graph, &current);
        diagnosis.pending_revisions = graph
            .topological()
            .iter()
            .filter(|index| !applied[**index])
            .map(|&index| graph.revision(index).id().to_owned())
            .collect();
        let (state, strategy) = if diagnosis.pending_revisions.is_empty() {
            (State::Healthy, Strategy::NoActionNeeded)
        } else {
            (State::Behind, Strategy::NormalMigration)
        };
        diagnosis.matched_revisions = analyzer.ids(&current);
        diagnosis.findings = std::mem::take(&mut analyzer.findings);
        diagnosis.state = state;
        diagnosis.strategy = strategy;
        return diagnosis;
    }

    diagnosis.missing_tables = comparison.missing_tables.clone();
    diagnosis.unexpected_tables = comparison.unexpected_tables.clone();
    let (matched, closest) = analyzer.matching(&current);
    diagnosis.candidate_revisions = matched
        .iter()
        .map(|(s, _)| state_label(&analyzer.ids(s)))
        .collect();
    let against_rows = comparison.name_differences().join("; ");
    diagnosis.comparison = Some(comparison);
    if !matched.is_empty() {
        let chosen = analyzer.choose(&matched);
        let current_ids = analyzer.ids(&current).join("+");
        if let Some(chosen) = &chosen {
            let earlier = chosen
                .iter()
                .all(|&c| current.iter().any(|&r| graph.ancestors(r, true)[c]));
            let (code, message) = if earlier {
                (
                    "missing_objects",
                    format!(
                        "the version rows say {current_ids}, but the schema matches {}: objects expected at {current_ids} are missing ({against_rows}); a migration did not complete",
                        analyzer.ids(chosen).join("+")
                    ),
                )
            } else {
                (
                    "schema_ahead_of_version",
                    format!(
                        "the version rows say {current_ids}, but the schema matches {} ({against_rows}); the rows were not updated (or were stamped wrongly)",
                        analyzer.ids(chosen).join("+")
                    ),
                )
            };
            analyzer.finding(Severity::Error, code, message);
        }
        let strategy = if chosen.is_some() {
            Strategy::CompletePartialMigration
        } else {
            Strategy::ManualIntervention
        };
        return finish(
            analyzer,
            diagnosis,
            State::PartialMigration,
            strategy,
            chosen,
        );
    }

    // Between a revision and one of its children: part of a revision applied.
    for &revision in &current {
        for &child in graph.revision(revision).children() {
            let before = analyzer.schema_of(&current);
            let mut after_heads: Vec<RevisionIndex> =
                current.iter().copied().filter(|&r| r != revision).collect();
            after_heads.push(child);
            let after = analyzer.schema_of(&after_heads);
            let (present, missing) = partly_applied(&before, &after, &live.schema);
            if !present.is_empty() && !missing.is_empty() {
                analyzer.finding(
                    Severity::Error,
                    "partly_applied",
                    format!(
                        "revision {} is partly applied (DDL that is not transactional stopped halfway): present {}; missing {}",
                        graph.revision(child).id(),
                        present.join(", "),
                        missing.join(", ")
                    ),
                );
                diagnosis.closest = analyzer.closest_states(closest);
                return finish(
                    analyzer,
                    diagnosis,
                    State::PartialMigration,
                    Strategy::ManualIntervention,
                    None,
                );
            }
        }
    }

    analyzer.finding(
        Severity::Error,
        "no_matching_revision",
        format!("the schema matches no revision state ({against_rows}); it changed in ways no revision explains"),
    );
    diagnosis.closest = analyzer.closest_states(closest);
    finish(
        analyzer,
        diagnosis,
        State::Drifted,
        Strategy::ManualIntervention,
        None,
    )
}

/// Untracked or corrupted: recoverable when the schema matches a state.
fn untracked_or_corrupt<F>(
    mut analyzer: Analyzer<'_>,
    mut diagnosis: Diagnosis,
    state: State,
    strategy: Strategy,
    rows: &[RevisionIndex],
    finish: F,
) -> Diagnosis
where
    F: FnOnce(Analyzer<'_>, Diagnosis, State, Strategy, Option<Vec<RevisionIndex>>) -> Diagnosis,
{
    let (matched, closest) = analyzer.matching(rows);
    diagnosis.candidate_revisions = matched
        .iter()
        .map(|(s, _)| state_label(&analyzer.ids(s)))
        .collect();
    if let Some((_, comparison)) = matched.first() {
        diagnosis.comparison = Some(comparison.clone());
    }
    if matched.is_empty() {
        if let Some((state_heads, comparison)) = closest.first() {
            diagnosis.missing_tables = comparison.missing_tables.clone();
            diagnosis.unexpected_tables = comparison.unexpected_tables.clone();
            let near = if state_heads.is_empty() {
                "base".to_owned()
            } else {
                analyzer.ids(state_heads).join("+")
            };
            analyzer.finding(
                Severity::Error,
                "no_matching_revision",
                format!("the schema matches no revision state exactly (closest: {near}); stamping would be a guess"),
            );
        }
        diagnosis.closest = analyzer.closest_states(closest);
        return finish(
            analyzer,
            diagnosis,
            state,
            Strategy::ManualIntervention,
            None,
        );
    }
    let chosen = analyzer.choose(&matched);
    let strategy = if chosen.is_some() {
        strategy
    } else {
        Strategy::ManualIntervention
    };
    finish(analyzer, diagnosis, state, strategy, chosen)
}

fn applied_set(graph: &RevisionGraph, heads: &[RevisionIndex]) -> Vec<bool> {
    let mut members = vec![false; graph.len()];
    for &head in heads {
        for (at, member) in graph.ancestors(head, true).into_iter().enumerate() {
            members[at] |= member;
        }
    }
    members
}

/// What a revision adds (tables, columns) that the live schema has, and what it lacks.
fn partly_applied(before: &Schema, after: &Schema, live: &Schema) -> (Vec<String>, Vec<String>) {
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for (name, table) in &after.tables {
        match before.tables.get(name) {
            None => {
                if live.tables.contains_key(name) {
                    present.push(format!("table {name}"));
                } else {
                    missing.push(format!("table {name}"));
                }
            }
            Some(old) => {
                for column in &table.columns {
                    if old.column(&column.name).is_none() {
                        let exists = live
                            .tables
                            .get(name)
                            .is_some_and(|t| t.column(&column.name).is_some());
                        if exists {
                            present.push(format!("column {name}.{}", column.name));
                        } else {
                            missing.push(format!("column {name}.{}", column.name));
                        }
                    }
                }
                for index in &table.indexes {
                    let Some(index_name) = &index.name else {
                        continue;
                    };
                    if !old
                        .indexes
                        .iter()
                        .any(|i| i.name.as_ref() == Some(index_name))
                    {
                        let exists = live.tables.get(name).is_some_and(|t| {
                            t.indexes
                                .iter()
                                .any(|i| i.name.as_ref() == Some(index_name))
                        });
                        if exists {
                            present.push(format!("index {index_name}"));
                        } else {
                            missing.push(format!("index {index_name}"));
                        }
                    }
                }
            }
        }
    }
    (present, missing)
}

fn version_table_name(live: &LiveDatabase) -> String {
    match &live.version_table {
        VersionTable::Absent { name, .. } => name.clone(),
        VersionTable::Present(contents) => contents.name.clone(),
    }
}

/// A state as text: its heads joined with `+`, or `base`.
fn state_label(ids: &[String]) -> String {
    if ids.is_empty() {
        "base".to_owned()
    } else {
        ids.join("+")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_for_ignored_tables() {
        assert!(glob_match("audit_*", "audit_log"));
        assert!(glob_match("tmp_?", "tmp_1"));
        assert!(!glob_match("tmp_?", "tmp_12"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("audit_*", "users"));
        assert!(glob_match("*_bak", "users_bak"));
    }

    #[test]
    fn state_labels() {
        assert_eq!(state_label(&[]), "base");
        assert_eq!(state_label(&["a1".to_owned(), "b2".to_owned()]), "a1+b2");
    }
}
