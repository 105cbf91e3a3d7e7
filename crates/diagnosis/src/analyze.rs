//! The analysis: a pure function of the revision graph, the expected
//! schemas, the live schema, the version rows and the answers of data
//! probes, ending in exactly one state, one strategy and one evidence level
//! (PRODUCT.md, "States and strategies" and "Evidence").
//!
//! The evidence policy, in one place:
//! - a revision state *agrees* with the live schema when no certain detail
//!   differs (differences in tables that unknown operations may have touched
//!   are unverified, and prove nothing);
//! - among agreeing states the candidates are those with the fewest
//!   unverified differences;
//! - `proven`: one candidate with no unverified difference, or a chain of
//!   candidates that differ only by revisions whose data steps the probes
//!   settle (or which do nothing), and every version row explained;
//! - `needs_confirmation`: a tie that probes cannot settle (unknown
//!   operations, data steps without a probe, candidates on different
//!   branches), a candidate whose uncertain tables differ, version rows
//!   naming revisions the scripts do not have;
//! - `refused`: no state agrees, or a pending revision would collide with
//!   the live schema.

use std::collections::{BTreeMap, BTreeSet};

use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_infer::{
    ExpectedSchemas, ExpectedState, Operation, apply_operation, creates, qualified_table,
    render_creations,
};
use migration_doctor_schema::{LiveDatabase, PlanStep, VersionTable};

use crate::patterns::TablePatterns;
use migration_doctor_schema::{Schema, TypeFamily};

use crate::compare::{Comparer, Comparison, Score};
use crate::plan::plan_for;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    NormalMigration,
    NoActionNeeded,
    InitializeAlembicVersion,
    CompletePartialMigration,
    RepairCorruptedAlembic,
    StampExistingSchemaToHead,
    ManualIntervention,
}

impl State {
    /// The state's name in PRODUCT.md (`untracked_schema`, …).
    pub fn name(self) -> &'static str {
        match self {
            State::Fresh => "fresh",
            State::Healthy => "healthy",
            State::Behind => "behind",
            State::UntrackedSchema => "untracked_schema",
            State::PartialMigration => "partial_migration",
            State::CorruptedVersionTable => "corrupted_version_table",
            State::AheadOfScripts => "ahead_of_scripts",
            State::Drifted => "drifted",
            State::InvalidScripts => "invalid_scripts",
        }
    }
}

impl Strategy {
    /// Every strategy, in PRODUCT.md's order.
    pub const ALL: [Strategy; 7] = [
        Strategy::NormalMigration,
        Strategy::NoActionNeeded,
        Strategy::InitializeAlembicVersion,
        Strategy::CompletePartialMigration,
        Strategy::RepairCorruptedAlembic,
        Strategy::StampExistingSchemaToHead,
        Strategy::ManualIntervention,
    ];

    /// The strategy a PRODUCT.md name stands for.
    pub fn from_name(name: &str) -> Option<Strategy> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == name)
    }

    /// The strategy's name in PRODUCT.md (`initialize_alembic_version`, …).
    pub fn name(self) -> &'static str {
        match self {
            Strategy::NormalMigration => "normal_migration",
            Strategy::NoActionNeeded => "no_action_needed",
            Strategy::InitializeAlembicVersion => "initialize_alembic_version",
            Strategy::CompletePartialMigration => "complete_partial_migration",
            Strategy::RepairCorruptedAlembic => "repair_corrupted_alembic",
            Strategy::StampExistingSchemaToHead => "stamp_existing_schema_to_head",
            Strategy::ManualIntervention => "manual_intervention",
        }
    }
}

/// How strong the evidence for a diagnosis is, and so who may act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// Unattended writes (`ensure`) may act on it.
    Proven,
    /// Only a person, naming the candidate, may act on it.
    NeedsConfirmation,
    /// Nobody may act on it.
    Refused,
}

impl Evidence {
    /// The level's name in PRODUCT.md (`proven`, …).
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Proven => "proven",
            Evidence::NeedsConfirmation => "needs_confirmation",
            Evidence::Refused => "refused",
        }
    }
}

/// How a person picks among candidates that tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TiePolicy {
    Latest,
    Earliest,
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a finding is about: a stable code (its name in the JSON contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingCode {
    InvalidScripts,
    UnknownOperations,
    UnmanagedObjects,
    VersionTableMissing,
    WrongShape,
    EmptyVersionTable,
    UnknownRevisionAfterRollback,
    AheadOfScripts,
    Unverified,
    MissingObjects,
    SchemaAheadOfVersion,
    PartlyApplied,
    NoMatchingRevision,
    Collision,
    Tie,
    NullVersion,
    BlankVersion,
    PaddedVersion,
    VersionTooLong,
    UnknownRevision,
    DuplicateVersion,
    OverlappingHeads,
    LookAlikeVersionTable,
}

impl FindingCode {
    pub fn name(self) -> &'static str {
        match self {
            FindingCode::InvalidScripts => "invalid_scripts",
            FindingCode::UnknownOperations => "unknown_operations",
            FindingCode::UnmanagedObjects => "unmanaged_objects",
            FindingCode::VersionTableMissing => "version_table_missing",
            FindingCode::WrongShape => "wrong_shape",
            FindingCode::EmptyVersionTable => "empty_version_table",
            FindingCode::UnknownRevisionAfterRollback => "unknown_revision_after_rollback",
            FindingCode::AheadOfScripts => "ahead_of_scripts",
            FindingCode::Unverified => "unverified",
            FindingCode::MissingObjects => "missing_objects",
            FindingCode::SchemaAheadOfVersion => "schema_ahead_of_version",
            FindingCode::PartlyApplied => "partly_applied",
            FindingCode::NoMatchingRevision => "no_matching_revision",
            FindingCode::Collision => "collision",
            FindingCode::Tie => "tie",
            FindingCode::NullVersion => "null_version",
            FindingCode::BlankVersion => "blank_version",
            FindingCode::PaddedVersion => "padded_version",
            FindingCode::VersionTooLong => "version_too_long",
            FindingCode::UnknownRevision => "unknown_revision",
            FindingCode::DuplicateVersion => "duplicate_version",
            FindingCode::OverlappingHeads => "overlapping_heads",
            FindingCode::LookAlikeVersionTable => "look_alike_version_table",
        }
    }
}

/// What a person can do about a finding, for a front end to render in its
/// own terms (the command line as the flag or command to use).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Leave these tables out of every comparison (empty: the tables in
    /// question, named in the message).
    IgnoreTables(Vec<String>),
    /// A person names the revision state, one of these candidates.
    NameRevision(Vec<String>),
    /// Run the recovery once the cause is fixed by hand.
    Recover,
    /// Finish the half-applied revision (its missing creations, then the stamp).
    Complete,
    /// See the operations that could not be followed.
    ListUnknownOperations,
    /// See the full comparison with the closest states.
    Detailed,
    /// Stamp the named state although the schema disagrees.
    Force,
    /// Read this table as the version table (env.py names it).
    VersionTable(String),
}

/// Why a recovery writes nothing, and what a person can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// In words, without any front end's flags or commands.
    pub message: String,
    pub hint: Option<Hint>,
}

impl Refusal {
    pub fn new(message: impl Into<String>, hint: Option<Hint>) -> Refusal {
        Refusal {
            message: message.into(),
            hint,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    /// The finding in words, without any front end's flags or commands.
    pub message: String,
    pub hint: Option<Hint>,
}

/// A revision state close to the live schema, with how it differs.
#[derive(Debug, Clone)]
pub struct ClosestState {
    pub revisions: Vec<String>,
    pub distance: usize,
    pub comparison: Comparison,
}

/// A revision partly applied, operation by operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialRevision {
    pub revision: String,
    pub present: Vec<String>,
    pub missing: Vec<String>,
    /// Operations whose effect cannot be read from the schema (data steps,
    /// unknown operations, constraints that are not compared).
    pub unverifiable: Vec<String>,
}

/// How a half-applied revision is finished (`recover --complete`): the
/// DDL of its missing operations, then the stamp. Only operations that
/// create are ever run; anything else blocks the completion, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub revision: String,
    /// The statements, in the revision's order, each with its undo.
    pub statements: Vec<migration_doctor_infer::DdlStatement>,
    /// The version rows once it is finished.
    pub target: Vec<String>,
    /// Why it cannot be finished by the tool, each with what to do by
    /// hand; empty when it can.
    pub blockers: Vec<String>,
    /// Why finishing it is not proven (a person may confirm); empty when it is.
    pub doubts: Vec<String>,
}

/// A pending revision that would fail against the live schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub revision: String,
    pub operation: String,
    pub message: String,
}

/// A probe the analysis needs answered before it can settle a tie.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProbeRequest {
    pub revision: String,
    pub sql: String,
}

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeAnswer {
    RowsFound,
    NoRows,
    Failed(String),
}

/// The answer to one [`ProbeRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    pub request: ProbeRequest,
    pub answer: ProbeAnswer,
}

/// A probe as the diagnosis reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeReport {
    pub revision: String,
    pub sql: String,
    /// `rows found`, `no rows`, or `failed: …`.
    pub result: String,
    /// What the answer means: the data step ran, or not; `null` when it
    /// cannot tell (nothing left to change, or the probe failed).
    pub applied: Option<bool>,
}

#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub state: State,
    pub strategy: Strategy,
    pub evidence: Evidence,
    pub current_revisions: Vec<String>,
    pub head_revisions: Vec<String>,
    pub matched_revisions: Vec<String>,
    /// Every state that ties, each as its heads joined with `+` (never part
    /// of a revision id), in history order.
    pub candidate_revisions: Vec<String>,
    pub pending_revisions: Vec<String>,
    pub missing_tables: Vec<String>,
    pub unexpected_tables: Vec<String>,
    /// Revisions of the judged states with operations that could not be
    /// followed, in history order.
    pub uncertain_revisions: Vec<String>,
    /// Revisions of the judged states that move data, in history order.
    pub data_revisions: Vec<String>,
    pub probes: Vec<ProbeReport>,
    pub partial: Vec<PartialRevision>,
    /// How the half-applied revision would be finished, when there is one.
    pub completion: Option<Completion>,
    pub collisions: Vec<Collision>,
    pub findings: Vec<Finding>,
    /// The steps as SQL of the database's dialect.
    pub plan: Option<Vec<String>>,
    /// What a recovery would write, as typed steps.
    pub steps: Option<Vec<PlanStep>>,
    /// Probes the analysis wants answered; run them and analyse again.
    pub probe_requests: Vec<ProbeRequest>,
    /// The comparison with the state the version rows name (or the matched
    /// one when the rows name none).
    pub comparison: Option<Comparison>,
    /// The nearest states when none agrees.
    pub closest: Vec<ClosestState>,
}

impl Diagnosis {
    /// A diagnosis that says nothing yet beyond its verdict and the rows.
    fn blank(
        state: State,
        strategy: Strategy,
        evidence: Evidence,
        current_revisions: Vec<String>,
        head_revisions: Vec<String>,
    ) -> Diagnosis {
        Diagnosis {
            state,
            strategy,
            evidence,
            current_revisions,
            head_revisions,
            matched_revisions: Vec::new(),
            candidate_revisions: Vec::new(),
            pending_revisions: Vec::new(),
            missing_tables: Vec::new(),
            unexpected_tables: Vec::new(),
            uncertain_revisions: Vec::new(),
            data_revisions: Vec::new(),
            probes: Vec::new(),
            partial: Vec::new(),
            completion: None,
            collisions: Vec::new(),
            findings: Vec::new(),
            plan: None,
            steps: None,
            probe_requests: Vec::new(),
            comparison: None,
            closest: Vec::new(),
        }
    }

    /// A database that does not exist yet (a SQLite file before its first
    /// migration): fresh, every revision pending.
    pub fn not_created(head_revisions: Vec<String>, pending_revisions: Vec<String>) -> Diagnosis {
        Diagnosis {
            pending_revisions,
            ..Diagnosis::blank(
                State::Fresh,
                Strategy::NormalMigration,
                Evidence::Proven,
                Vec::new(),
                head_revisions,
            )
        }
    }
}

/// Options of the analysis.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// How a person picks among tying candidates; `None` leaves a tie for
    /// a person to settle by naming the revision.
    pub tie_policy: Option<TiePolicy>,
    /// Tables no migration manages.
    pub ignore_tables: TablePatterns,
}

/// Everything the analysis looks at.
pub struct AnalysisInput<'a> {
    pub graph: &'a RevisionGraph,
    /// Problems that make the scripts invalid (empty when sound).
    pub script_errors: &'a [String],
    pub expected: Option<&'a ExpectedSchemas>,
    pub live: &'a LiveDatabase,
    pub options: &'a AnalysisOptions,
    /// Answers to the probes an earlier analysis asked for.
    pub probes: &'a [ProbeResult],
}

/// A revision state (its heads) with its comparison to the live schema.
struct Scored {
    heads: Vec<RevisionIndex>,
    comparison: Comparison,
}

/// The outcome of matching the live schema against every revision state.
struct Matching {
    /// Agreeing states with the fewest unverified differences, in history order.
    candidates: Vec<Scored>,
    /// The nearest states when none agrees.
    closest: Vec<Scored>,
}

/// How the tie among candidates was settled.
struct Settlement {
    chosen: Option<Vec<RevisionIndex>>,
    evidence: Evidence,
    /// Why a person must confirm (empty when proven).
    reason: String,
}

/// What a revision between two tying candidates tells.
enum Between {
    /// It ran (its data steps' probes say so) or it changes nothing visible.
    Applied,
    /// A probe says it did not run.
    NotApplied,
    Unsettled(String),
}

struct Analyzer<'a> {
    input: AnalysisInput<'a>,
    comparer: &'a Comparer<'a>,
    findings: Vec<Finding>,
    probe_requests: BTreeSet<ProbeRequest>,
    probe_reports: Vec<ProbeReport>,
    /// Candidate states the decision weighed: their revisions are reported
    /// among the uncertain and data revisions.
    judged: Vec<Vec<RevisionIndex>>,
    /// The live schema as a completion would leave it: pending revisions
    /// are checked for collisions against it.
    completed: Option<Schema>,
}

impl Analyzer<'_> {
    fn graph(&self) -> &RevisionGraph {
        self.input.graph
    }

    /// Revision ids, in history order.
    fn ids(&self, indexes: &[RevisionIndex]) -> Vec<String> {
        let graph = self.input.graph;
        let mut sorted: Vec<RevisionIndex> = indexes.to_vec();
        sorted.sort_by_key(|&index| graph.position(index));
        sorted
            .iter()
            .map(|&i| graph.revision(i).id().to_owned())
            .collect()
    }

    /// A state as text: its heads joined with `+`, or `base`.
    fn label(&self, heads: &[RevisionIndex]) -> String {
        state_label(&self.ids(heads))
    }

    fn finding(&mut self, severity: Severity, code: FindingCode, message: String) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            hint: None,
        });
    }

    fn hinted(&mut self, severity: Severity, code: FindingCode, message: String, hint: Hint) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            hint: Some(hint),
        });
    }

    /// The caller's answer to `request`, when it ran it.
    fn probe_answer(&self, request: &ProbeRequest) -> Option<ProbeAnswer> {
        self.input
            .probes
            .iter()
            .find(|result| result.request == *request)
            .map(|result| result.answer.clone())
    }

    fn ignored(&self, table: &str) -> bool {
        self.input.options.ignore_tables.matches(table)
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

    fn state_of(&self, heads: &[RevisionIndex]) -> ExpectedState {
        match (self.input.expected, heads) {
            (Some(expected), []) => expected.base().clone(),
            (None, _) => ExpectedState::default(),
            (Some(expected), [one]) => expected.state(*one).cloned().unwrap_or_default(),
            (Some(expected), many) => expected.state_after_heads(self.input.graph, many),
        }
    }

    fn compare_with(&self, heads: &[RevisionIndex]) -> Comparison {
        self.comparer.compare(&self.state_of(heads))
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

    /// The states one revision further than `heads`: each revision not yet
    /// applied whose parents (and dependencies) all are, added to it.
    fn one_revision_further(&self, heads: &[RevisionIndex]) -> Vec<Vec<RevisionIndex>> {
        let graph = self.input.graph;
        let applied = self.applied_set(heads);
        let mut out = Vec::new();
        for index in 0..graph.len() {
            if applied[index] {
                continue;
            }
            let revision = graph.revision(index);
            let before: Vec<RevisionIndex> = revision
                .parents()
                .iter()
                .chain(revision.dependencies())
                .copied()
                .collect();
            if !before.iter().all(|&at| applied[at]) {
                continue;
            }
            let mut next: Vec<RevisionIndex> = heads
                .iter()
                .copied()
                .filter(|head| !graph.ancestors(index, false)[*head])
                .collect();
            next.push(index);
            next.sort_unstable();
            out.push(next);
        }
        out
    }

    /// Every revision a state applies.
    fn applied_set(&self, heads: &[RevisionIndex]) -> Vec<bool> {
        applied_set(self.input.graph, heads)
    }

    fn applied_count(&self, heads: &[RevisionIndex]) -> usize {
        self.applied_set(heads).into_iter().filter(|m| *m).count()
    }

    /// Matches the live schema against every state: each is scored (counted,
    /// from differences cached per table version), and only the candidates
    /// and the closest are compared in full.
    fn matching(&self, extra: &[RevisionIndex]) -> Matching {
        let mut agreeing = Vec::new();
        let mut others = Vec::new();
        let mut seen: BTreeSet<Vec<RevisionIndex>> = BTreeSet::new();
        for heads in self.candidate_states(extra) {
            seen.insert(heads.clone());
            let score = self.comparer.score(&self.state_of(&heads));
            if score.certain == 0 {
                agreeing.push((heads, score));
            } else {
                others.push((heads, score));
            }
        }
        // With branches, a real alembic can also leave any mix of them (one
        // branch further than another), which the list above does not hold.
        // From each agreeing state, the states one more revision away on
        // any branch are tried too, as long as they agree: a state that
        // agrees alone must not pass for proven while a mix agrees as well.
        let mut pending: Vec<Vec<RevisionIndex>> =
            agreeing.iter().map(|(heads, _)| heads.clone()).collect();
        while let Some(heads) = pending.pop() {
            if seen.len() >= MAX_BRANCH_MIXES {
                break;
            }
            for next in self.one_revision_further(&heads) {
                if !seen.insert(next.clone()) {
                    continue;
                }
                let score = self.comparer.score(&self.state_of(&next));
                if score.certain == 0 {
                    pending.push(next.clone());
                    agreeing.push((next, score));
                }
            }
        }
        if let Some(fewest) = agreeing.iter().map(|(_, score)| score.unverified).min() {
            agreeing.retain(|(_, score)| score.unverified == fewest);
        }
        agreeing.sort_by_key(|(heads, _)| self.applied_count(heads));
        others.sort_by_key(|(heads, score)| {
            (
                score.certain,
                score.unverified,
                std::cmp::Reverse(heads.len()),
            )
        });
        others.truncate(3);
        let full = |(heads, _): (Vec<RevisionIndex>, Score)| Scored {
            comparison: self.compare_with(&heads),
            heads,
        };
        Matching {
            candidates: agreeing.into_iter().map(full).collect(),
            closest: others.into_iter().map(full).collect(),
        }
    }

    fn closest_states(&self, closest: &[Scored]) -> Vec<ClosestState> {
        closest
            .iter()
            .map(|scored| ClosestState {
                revisions: self.ids(&scored.heads),
                distance: scored.comparison.distance(),
                comparison: scored.comparison.clone(),
            })
            .collect()
    }

    /// What one revision between tying candidates tells, asking for the
    /// probes it needs.
    fn between(&mut self, revision: RevisionIndex, shown: Shown) -> Between {
        let Some(expected) = self.input.expected else {
            return Between::Unsettled("no expected schema".to_owned());
        };
        let id = self.input.graph.revision(revision).id().to_owned();
        let operations = expected.operations(revision);
        if operations
            .iter()
            .any(|at| matches!(at.operation, Operation::Unknown(_)))
        {
            return Between::Unsettled(format!(
                "{id} has operations that could not be followed statically"
            ));
        }
        // A schema change between two states that both agree nets to
        // nothing the comparison sees (a server default, a constraint made
        // and dropped again): whether it ran cannot be told.
        // Tables the user told us to ignore are left out of this as they
        // are of the comparison.
        if let Some(at) = operations.iter().find(|at| {
            shown == Shown::No
                && !matches!(at.operation, Operation::Data(_))
                && !at
                    .operation
                    .table()
                    .is_some_and(|table| self.ignored(table))
        }) {
            return Between::Unsettled(format!(
                "{id} changes the schema in a way the comparison does not tell apart (line {})",
                at.line
            ));
        }
        let mut all_applied = true;
        for at in operations {
            let Operation::Data(step) = &at.operation else {
                continue;
            };
            let Some(probe) = &step.probe else {
                return Between::Unsettled(format!(
                    "{id} moves data in a way no read-only query can check (line {})",
                    at.line
                ));
            };
            let request = ProbeRequest {
                revision: id.clone(),
                sql: probe.query.clone(),
            };
            let Some(answer) = self.probe_answer(&request) else {
                self.probe_requests.insert(request);
                all_applied = false;
                continue;
            };
            // Rows left to change prove an UPDATE or DELETE did not run; none
            // left proves nothing (it ran, or had nothing to do). An INSERT's
            // row proves it ran, its absence that it did not.
            let applied = match (&answer, probe.applied_when_found) {
                (ProbeAnswer::RowsFound, true) => Some(true),
                (ProbeAnswer::NoRows, true) | (ProbeAnswer::RowsFound, false) => Some(false),
                (ProbeAnswer::NoRows, false) | (ProbeAnswer::Failed(_), _) => None,
            };
            if !self
                .probe_reports
                .iter()
                .any(|report| report.revision == id && report.sql == probe.query)
            {
                self.probe_reports.push(ProbeReport {
                    revision: id.clone(),
                    sql: probe.query.clone(),
                    result: match &answer {
                        ProbeAnswer::RowsFound => "rows found".to_owned(),
                        ProbeAnswer::NoRows => "no rows".to_owned(),
                        ProbeAnswer::Failed(why) => format!("failed: {why}"),
                    },
                    applied,
                });
            }
            match applied {
                Some(true) => {}
                Some(false) => return Between::NotApplied,
                None => {
                    return Between::Unsettled(match answer {
                        ProbeAnswer::Failed(_) => {
                            format!("the probe of {id}'s data step (line {}) failed", at.line)
                        }
                        _ => format!(
                            "{id}'s data step (line {}) finds nothing left to change: it ran, or had nothing to do",
                            at.line
                        ),
                    });
                }
            }
        }
        if all_applied {
            Between::Applied
        } else {
            Between::Unsettled(format!("{id}'s data steps are not probed yet"))
        }
    }

    /// Settles the candidates: one is proven, or a person must choose.
    fn settle(&mut self, candidates: &[Scored]) -> Settlement {
        self.judged
            .extend(candidates.iter().map(|scored| scored.heads.clone()));
        let Some(first) = candidates.first() else {
            return Settlement {
                chosen: None,
                evidence: Evidence::Refused,
                reason: String::new(),
            };
        };
        if candidates.len() == 1 {
            if first.comparison.unverified.is_empty() {
                return Settlement {
                    chosen: Some(first.heads.clone()),
                    evidence: Evidence::Proven,
                    reason: String::new(),
                };
            }
            return Settlement {
                chosen: Some(first.heads.clone()),
                evidence: Evidence::NeedsConfirmation,
                reason: format!(
                    "{} agrees in every certain detail, but tables that code which could not be followed touches differ ({})",
                    self.label(&first.heads),
                    first.comparison.unverified.join("; ")
                ),
            };
        }
        // A chain of candidates, each applying everything the previous one
        // does, is settled revision by revision.
        let sets: Vec<Vec<bool>> = candidates
            .iter()
            .map(|scored| self.applied_set(&scored.heads))
            .collect();
        let chain = sets
            .windows(2)
            .all(|pair| pair[0].iter().zip(&pair[1]).all(|(a, b)| !*a || *b));
        let mut reason = if chain {
            String::new()
        } else {
            "the candidates lie on different branches".to_owned()
        };
        let mut reached = 0;
        if chain {
            let order = self.input.graph.topological().to_vec();
            'walk: for next in 1..candidates.len() {
                let between: Vec<RevisionIndex> = order
                    .iter()
                    .copied()
                    .filter(|&at| sets[next][at] && !sets[reached][at])
                    .collect();
                for revision in between {
                    match self.between(revision, Shown::No) {
                        Between::Applied => {}
                        Between::NotApplied => break 'walk,
                        Between::Unsettled(why) => {
                            reason = why;
                            break 'walk;
                        }
                    }
                }
                reached = next;
            }
        }
        if reason.is_empty() {
            return Settlement {
                chosen: Some(candidates[reached].heads.clone()),
                evidence: Evidence::Proven,
                reason: String::new(),
            };
        }
        let chosen = match self.input.options.tie_policy {
            Some(TiePolicy::Latest) => candidates.last().map(|scored| scored.heads.clone()),
            Some(TiePolicy::Earliest) => Some(first.heads.clone()),
            Some(TiePolicy::Refuse) | None => None,
        };
        Settlement {
            chosen,
            evidence: Evidence::NeedsConfirmation,
            reason,
        }
    }

    /// Reports a tie among candidates, saying truthfully what separates them.
    fn report_tie(&mut self, candidates: &[Scored], settlement: &Settlement) {
        if candidates.len() < 2 {
            if settlement.evidence == Evidence::NeedsConfirmation && !settlement.reason.is_empty() {
                let candidate = candidates
                    .first()
                    .map(|scored| self.label(&scored.heads))
                    .unwrap_or_default();
                let message = format!("{}; a person must confirm {candidate}", settlement.reason);
                self.hinted(
                    Severity::Warning,
                    FindingCode::Unverified,
                    message,
                    Hint::NameRevision(vec![candidate]),
                );
            }
            return;
        }
        let labels: Vec<String> = candidates
            .iter()
            .map(|scored| self.label(&scored.heads))
            .collect();
        let message = match (&settlement.chosen, settlement.evidence) {
            (Some(chosen), Evidence::Proven) if self.probe_reports.is_empty() => format!(
                "the schema matches {} revision states in every detail ({}); the revisions between them have no operation at all, so the states are the same and {} (the latest) stands for them",
                labels.len(),
                labels.join(", "),
                self.label(chosen)
            ),
            (Some(chosen), Evidence::Proven) => format!(
                "the schema matches {} revision states in every detail ({}); the revisions between them only move data, and their probes settle it at {}",
                labels.len(),
                labels.join(", "),
                self.label(chosen)
            ),
            (Some(chosen), _) => format!(
                "the schema matches {} revision states in every detail ({}) and nothing proves which ({}); {} was chosen by the tie policy, for a person to confirm",
                labels.len(),
                labels.join(", "),
                settlement.reason,
                self.label(chosen)
            ),
            (None, _) => format!(
                "the schema matches {} revision states in every detail ({}) and nothing proves which ({}); a person names one",
                labels.len(),
                labels.join(", "),
                settlement.reason
            ),
        };
        let severity = if settlement.evidence == Evidence::Proven {
            Severity::Info
        } else {
            Severity::Warning
        };
        if settlement.evidence == Evidence::Proven {
            self.finding(severity, FindingCode::Tie, message);
        } else {
            self.hinted(
                severity,
                FindingCode::Tie,
                message,
                Hint::NameRevision(labels),
            );
        }
    }

    /// Each operation of `revision`: its effect present in the live schema,
    /// missing, or not readable from a schema.
    fn explain(&self, revision: RevisionIndex) -> PartialRevision {
        let id = self.input.graph.revision(revision).id().to_owned();
        let mut partial = PartialRevision {
            revision: id,
            present: Vec::new(),
            missing: Vec::new(),
            unverifiable: Vec::new(),
        };
        let Some(expected) = self.input.expected else {
            return partial;
        };
        let live = &self.input.live.schema;
        let mut missing_tables: BTreeSet<&str> = BTreeSet::new();
        for at in expected.operations(revision) {
            let operation = &at.operation;
            if let Some(table) = operation.table()
                && (self.ignored(table) || missing_tables.contains(table))
            {
                continue;
            }
            let description = operation.describe();
            match presence(operation, live) {
                Some(true) => partial.present.push(description),
                Some(false) => {
                    if let Operation::CreateTable { table, .. } = operation {
                        missing_tables.insert(table);
                    }
                    partial.missing.push(description)
                }
                None => partial.unverifiable.push(description),
            }
        }
        partial
    }

    /// How `child` (half-applied on top of the rows' state `current`)
    /// would be finished: its missing operations in the order the revision
    /// runs them, as DDL of the live dialect; what blocks that; and what
    /// keeps it from being proven. Also the state after it, and the live
    /// schema as the completion would leave it.
    ///
    /// Alembic runs a revision's operations in order and stops at the
    /// first that fails: what ran before it is there (on databases without
    /// transactional DDL), nothing after it is. So every operation before
    /// the last present one ran — data steps included — and every missing
    /// one comes after it; an operation that cannot be read from a schema
    /// after the last present one may or may not have run, and blocks.
    fn completion(
        &mut self,
        current: &[RevisionIndex],
        child: RevisionIndex,
    ) -> (Completion, Vec<RevisionIndex>, Schema) {
        let graph = self.input.graph;
        let live = self.input.live;
        let parents = graph.revision(child).parents();
        let mut target: Vec<RevisionIndex> = current
            .iter()
            .copied()
            .filter(|head| !parents.contains(head))
            .collect();
        target.push(child);
        let mut completion = Completion {
            revision: graph.revision(child).id().to_owned(),
            statements: Vec::new(),
            target: self.ids(&target),
            blockers: Vec::new(),
            doubts: Vec::new(),
        };
        let mut completed = live.schema.clone();
        let Some(expected) = self.input.expected else {
            completion.blockers.push("no expected schema".to_owned());
            return (completion, target, completed);
        };
        let operations = expected.operations(child);
        let presences: Vec<Option<bool>> = operations
            .iter()
            .map(|at| presence(&at.operation, &live.schema))
            .collect();
        let last_present = presences.iter().rposition(|found| *found == Some(true));
        let first_missing = presences.iter().position(|found| *found == Some(false));
        let mut missing: Vec<&Operation> = Vec::new();
        for (at, (operation_at, found)) in operations.iter().zip(&presences).enumerate() {
            let operation = &operation_at.operation;
            let line = operation_at.line;
            let after_last_present = last_present.is_none_or(|last| at > last);
            if let Some(table) = operation.table()
                && self.ignored(table)
            {
                completion.blockers.push(format!(
                    "{} (line {line}) touches a table left out of the comparison: create it by hand, or stop ignoring it",
                    operation.describe()
                ));
                continue;
            }
            match found {
                Some(true) if first_missing.is_some_and(|first| at > first) => {
                    completion.doubts.push(format!(
                        "{} (line {line}) is there although an earlier operation of the revision is not: the revision did not simply stop halfway",
                        operation.describe()
                    ));
                }
                Some(true) => {}
                Some(false) if creates(operation) => missing.push(operation),
                Some(false) => completion.blockers.push(format!(
                    "{} (line {line}) is missing and does not create anything: run it by hand (`alembic upgrade {}` does not resume a revision), then `migration-doctor recover`",
                    operation.describe(),
                    completion.revision
                )),
                None if after_last_present => completion.blockers.push(format!(
                    "{} (line {line}) cannot be read from the schema and may not have run: run it by hand if it did not, then stamp {} (`migration-doctor recover --to-revision {}`)",
                    operation.describe(),
                    completion.revision,
                    completion.revision
                )),
                None => {}
            }
        }
        for operation in &missing {
            self.check_unique_data(operation, &mut completion);
        }
        match render_creations(&missing, live.dialect) {
            Ok(statements) => completion.statements = statements,
            Err(refused) => completion.blockers.push(format!(
                "{} cannot be run by the tool: {}; create it by hand, then `migration-doctor recover`",
                refused.operation, refused.reason
            )),
        }
        for operation in &missing {
            if let Err(why) = apply_operation(&mut completed, live.dialect, operation) {
                completion
                    .blockers
                    .push(format!("{} cannot be applied: {why}", operation.describe()));
            }
        }
        // The schema the completion leaves must be the child's state in
        // every certain detail: nothing else may be missing or different.
        let skip = |name: &str| self.ignored(name) || !expected.is_managed(name);
        let after = Comparer::new(&completed, &skip).compare(&self.state_of(&target));
        if !after.agrees() {
            let shown: Vec<String> = after.differences().into_iter().take(5).collect();
            completion.blockers.push(format!(
                "finished, the schema would still differ from {} ({}): bring those objects in line by hand",
                self.label(&target),
                shown.join("; ")
            ));
        } else if !after.unverified.is_empty() {
            completion.doubts.push(format!(
                "tables touched by code that could not be followed differ: {}",
                after.unverified.join("; ")
            ));
        }
        (completion, target, completed)
    }

    /// A unique index, unique constraint or primary key to create on a
    /// table that exists: rows with the same values would make its DDL fail
    /// (and most often are why the revision stopped). Asks a read-only probe
    /// for such rows; found, they block the completion, named.
    fn check_unique_data(&mut self, operation: &Operation, completion: &mut Completion) {
        let (table, columns) = match operation {
            Operation::CreateIndex {
                table,
                columns,
                unique: true,
                ..
            }
            | Operation::AddUniqueConstraint { table, columns, .. }
            | Operation::CreatePrimaryKey { table, columns } => (table, columns),
            _ => return,
        };
        let live = self.input.live;
        if !live.schema.tables.contains_key(table) || columns.is_empty() {
            return;
        }
        let dialect = live.dialect;
        if columns.iter().any(|column| column.contains(['(', ' '])) {
            completion.doubts.push(format!(
                "{}: whether rows repeat its expression is not checked",
                operation.describe()
            ));
            return;
        }
        let quoted: Vec<String> = columns.iter().map(|column| dialect.quote(column)).collect();
        let from = qualified_table(table, dialect);
        let not_null: Vec<String> = quoted
            .iter()
            .map(|column| format!("{column} IS NOT NULL"))
            .collect();
        let sql = format!(
            "SELECT {} FROM {from} WHERE {} GROUP BY {} HAVING COUNT(*) > 1",
            quoted.join(", "),
            not_null.join(" AND "),
            quoted.join(", ")
        );
        let request = ProbeRequest {
            revision: completion.revision.clone(),
            sql: sql.clone(),
        };
        let answer = self.probe_answer(&request);
        let result = match &answer {
            Some(ProbeAnswer::RowsFound) => "rows found".to_owned(),
            Some(ProbeAnswer::NoRows) => "no rows".to_owned(),
            Some(ProbeAnswer::Failed(why)) => format!("failed: {why}"),
            None => {
                self.probe_requests.insert(request);
                completion.doubts.push(format!(
                    "{}: rows with the same values not checked yet",
                    operation.describe()
                ));
                return;
            }
        };
        self.probe_reports.push(ProbeReport {
            revision: completion.revision.clone(),
            sql: sql.clone(),
            result,
            applied: None,
        });
        match answer {
            Some(ProbeAnswer::RowsFound) => completion.blockers.push(format!(
                "{} cannot be created: {table} has rows with the same {} (most likely why the revision stopped); \
                 resolve them by hand (`{sql}` lists them), then `migration-doctor recover --complete`",
                operation.describe(),
                columns.join(", ")
            )),
            Some(ProbeAnswer::Failed(why)) => completion.doubts.push(format!(
                "{}: rows with the same values could not be checked ({why})",
                operation.describe()
            )),
            _ => {}
        }
    }

    /// Pending revisions (after `current`, in history order) replayed on a
    /// copy of the live schema: creating what exists, or dropping what does
    /// not, would fail in the real `alembic upgrade`.
    fn collisions(&self, current: &[RevisionIndex]) -> Vec<Collision> {
        let Some(expected) = self.input.expected else {
            return Vec::new();
        };
        let graph = self.input.graph;
        let applied = self.applied_set(current);
        // Against the whole live schema, ignored and uncertain tables
        // included: the real `alembic upgrade` meets them all.
        let mut schema: Schema = self
            .completed
            .clone()
            .unwrap_or_else(|| self.input.live.schema.clone());
        let mut found = Vec::new();
        for &index in graph.topological() {
            if applied[index] {
                continue;
            }
            let id = graph.revision(index).id().to_owned();
            for at in expected.operations(index) {
                let operation = &at.operation;
                if matches!(operation, Operation::Unknown(_)) {
                    break;
                }
                if let Some(message) = collision(operation, &schema) {
                    found.push(Collision {
                        revision: id.clone(),
                        operation: operation.describe(),
                        message: format!("{message} (line {})", at.line),
                    });
                }
                let _ = apply_operation(&mut schema, expected.dialect, operation);
            }
        }
        found
    }

    /// Revisions applied in `states` with unknown operations, and with data
    /// steps, in history order.
    fn uncertain_and_data(&self, states: &[&[RevisionIndex]]) -> (Vec<String>, Vec<String>) {
        let Some(expected) = self.input.expected else {
            return (Vec::new(), Vec::new());
        };
        let graph = self.input.graph;
        let mut members = vec![false; graph.len()];
        for heads in states {
            for (at, member) in self.applied_set(heads).into_iter().enumerate() {
                members[at] |= member;
            }
        }
        let (mut uncertain, mut data) = (Vec::new(), Vec::new());
        for &index in graph.topological() {
            if !members[index] {
                continue;
            }
            let operations = expected.operations(index);
            let id = graph.revision(index).id().to_owned();
            if operations
                .iter()
                .any(|at| matches!(at.operation, Operation::Unknown(_)))
            {
                uncertain.push(id.clone());
            }
            if operations
                .iter()
                .any(|at| matches!(at.operation, Operation::Data(_)))
            {
                data.push(id);
            }
        }
        (uncertain, data)
    }
}

/// Names for a message: all of them, or the first twenty and how many more.
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// Whether an operation's effect can be seen in `live`: `Some(true)` when it
/// is there, `Some(false)` when it is not, `None` when a schema cannot tell.
fn presence(operation: &Operation, live: &Schema) -> Option<bool> {
    let table = |name: &str| live.tables.get(name);
    let has_column =
        |name: &str, column: &str| table(name).is_some_and(|t| t.column(column).is_some());
    Some(match operation {
        Operation::CreateTable { table: name, .. } => table(name).is_some(),
        Operation::DropTable { table: name } => table(name).is_none(),
        Operation::RenameTable {
            table: old,
            new_name,
        } => table(new_name).is_some() && table(old).is_none(),
        Operation::AddColumn {
            table: name,
            column,
            ..
        } => has_column(name, &column.name),
        Operation::DropColumn {
            table: name,
            column,
        } => table(name).is_some() && !has_column(name, column),
        Operation::AlterColumn {
            table: name,
            column,
            change,
        } => {
            let current = change.new_name.as_deref().unwrap_or(column);
            let Some(found) = table(name).and_then(|t| t.column(current)) else {
                return Some(false);
            };
            let nullable_ok = change
                .nullable
                .is_none_or(|nullable| found.nullable == nullable);
            let type_ok = match &change.type_family {
                Some(TypeFamily::Other(_)) | None => true,
                Some(family) => *family == found.type_family,
            };
            nullable_ok && type_ok
        }
        Operation::CreateIndex {
            table: name,
            name: index,
            ..
        } => table(name).is_some_and(|t| {
            t.indexes
                .iter()
                .any(|i| i.name.as_deref() == Some(index.as_str()))
        }),
        Operation::DropIndex {
            table: name,
            name: index,
        } => !table(name).is_some_and(|t| {
            t.indexes
                .iter()
                .any(|i| i.name.as_deref() == Some(index.as_str()))
        }),
        Operation::AddUniqueConstraint {
            table: name,
            columns,
            ..
        } => table(name).is_some_and(|t| {
            t.unique_constraints.iter().any(|u| &u.columns == columns)
                || t.indexes.iter().any(|i| i.unique && &i.columns == columns)
        }),
        Operation::AddForeignKey {
            table: name,
            foreign_key,
            ..
        } => table(name).is_some_and(|t| {
            t.foreign_keys.iter().any(|key| {
                key.columns == foreign_key.columns
                    && key.referred_table == foreign_key.referred_table
            })
        }),
        Operation::CreatePrimaryKey {
            table: name,
            columns,
        } => table(name).is_some_and(|t| &t.primary_key == columns),
        Operation::NameConstraint {
            table: name,
            foreign,
            name: constraint,
            ..
        } => table(name).is_some_and(|t| {
            let named = |found: &Option<String>| found.as_deref() == Some(constraint.as_str());
            if *foreign {
                t.foreign_keys.iter().any(|key| named(&key.name))
            } else {
                t.unique_constraints
                    .iter()
                    .any(|unique| named(&unique.name))
            }
        }),
        _ => return None,
    })
}

/// Why `operation` would fail on `schema`, if it would: it creates a table,
/// column or index that exists, or drops one that does not.
fn collision(operation: &Operation, schema: &Schema) -> Option<String> {
    let table = |name: &str| schema.tables.get(name);
    match operation {
        Operation::CreateTable { table: name, .. } if table(name).is_some() => {
            Some(format!("table {name} already exists"))
        }
        Operation::AddColumn {
            table: name,
            column,
            ..
        } if table(name).is_some_and(|t| t.column(&column.name).is_some()) => {
            Some(format!("column {name}.{} already exists", column.name))
        }
        Operation::CreateIndex {
            table: name,
            name: index,
            ..
        } if table(name).is_some_and(|t| {
            t.indexes
                .iter()
                .any(|i| i.name.as_deref() == Some(index.as_str()))
        }) =>
        {
            Some(format!("index {index} already exists on {name}"))
        }
        Operation::DropTable { table: name } if table(name).is_none() => {
            Some(format!("table {name} does not exist"))
        }
        Operation::DropColumn {
            table: name,
            column,
        } if table(name).is_some_and(|t| t.column(column).is_none()) => {
            Some(format!("column {name}.{column} does not exist"))
        }
        Operation::DropIndex {
            table: name,
            name: index,
        } if table(name).is_some_and(|t| {
            !t.indexes
                .iter()
                .any(|i| i.name.as_deref() == Some(index.as_str()))
        }) =>
        {
            Some(format!("index {index} does not exist on {name}"))
        }
        _ => None,
    }
}

/// What the schema shows of a revision between two states: nothing (the
/// two states tie, so its schema changes net to nothing visible), or its
/// schema changes (the rows lag behind a state that has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    No,
    SchemaChanges,
}

/// How many states the search through mixes of branches may try.
const MAX_BRANCH_MIXES: usize = 4096;

fn applied_set(graph: &RevisionGraph, heads: &[RevisionIndex]) -> Vec<bool> {
    let mut members = vec![false; graph.len()];
    for &head in heads {
        for (at, member) in graph.ancestors(head, true).into_iter().enumerate() {
            members[at] |= member;
        }
    }
    members
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

/// Reads the version rows: the revisions they name when they are valid, or
/// findings explaining why they are not.
/// The version rows as read.
struct Rows {
    known: Vec<RevisionIndex>,
    corrupt: bool,
    unknown_ids: bool,
    /// Rows naming a revision and its descendant.
    overlapping: bool,
    /// Overlap is the only thing wrong.
    only_overlap: bool,
}

fn read_rows(analyzer: &mut Analyzer<'_>, rows: &[Option<String>]) -> Rows {
    let graph = analyzer.input.graph;
    let mut known = Vec::new();
    let mut corrupt = false;
    let mut unknown_ids = false;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        let Some(value) = row else {
            analyzer.finding(
                Severity::Error,
                FindingCode::NullVersion,
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
                FindingCode::BlankVersion,
                "the version table holds an empty version_num".to_owned(),
            );
            corrupt = true;
            continue;
        }
        if trimmed != value {
            analyzer.finding(
                Severity::Error,
                FindingCode::PaddedVersion,
                format!("version_num {value:?} has surrounding spaces; alembic compares it exactly and will not find {trimmed}"),
            );
            corrupt = true;
        }
        if value.chars().count() > 32 {
            analyzer.finding(
                Severity::Error,
                FindingCode::VersionTooLong,
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
                    FindingCode::UnknownRevision,
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
                FindingCode::DuplicateVersion,
                format!("version_num {value} appears {count} times"),
            );
            corrupt = true;
        }
    }
    let corrupt_before_overlap = corrupt;
    let mut overlapping = false;
    for &a in &known {
        for &b in &known {
            if a != b && graph.ancestors(b, true)[a] {
                overlapping = true;
                analyzer.finding(
                    Severity::Error,
                    FindingCode::OverlappingHeads,
                    format!(
                        "the version table names both {} and its descendant {}; alembic keeps only heads, so the rows will be repaired to the descendants",
                        graph.revision(a).id(),
                        graph.revision(b).id()
                    ),
                );
                corrupt = true;
            }
        }
    }
    Rows {
        known,
        corrupt,
        unknown_ids,
        overlapping,
        only_overlap: !corrupt_before_overlap,
    }
}

/// Decides the state, the evidence, the matched revisions and the strategy.
pub fn analyze(input: AnalysisInput<'_>) -> Diagnosis {
    let options = input.options;
    let expected = input.expected;
    // Ignored tables and tables no revision manages are left out of every
    // comparison: they are evidence of nothing.
    let skip = |name: &str| {
        options.ignore_tables.matches(name)
            || expected.is_some_and(|expected| !expected.is_managed(name))
    };
    let live = input.live;
    let comparer = Comparer::new(&live.schema, &skip);
    let mut analyzer = Analyzer {
        input,
        comparer: &comparer,
        findings: Vec::new(),
        probe_requests: BTreeSet::new(),
        probe_reports: Vec::new(),
        judged: Vec::new(),
        completed: None,
    };
    let graph = analyzer.input.graph;
    let head_revisions = analyzer.ids(&graph.heads());
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
    let mut diagnosis = Diagnosis::blank(
        State::InvalidScripts,
        Strategy::ManualIntervention,
        Evidence::Refused,
        current_revisions,
        head_revisions,
    );

    if !analyzer.input.script_errors.is_empty() {
        for error in analyzer.input.script_errors {
            analyzer.finding(Severity::Error, FindingCode::InvalidScripts, error.clone());
        }
        diagnosis.findings = analyzer.findings;
        return diagnosis;
    }
    if let Some(expected) = expected {
        let unknown: usize = (0..graph.len())
            .map(|index| expected.unknown_operations(index).len())
            .sum();
        if unknown > 0 {
            analyzer.hinted(
                Severity::Info,
                FindingCode::UnknownOperations,
                format!("{unknown} operation(s) in the migrations could not be followed statically; differences in the tables they touch are unverified"),
                Hint::ListUnknownOperations,
            );
        }
    }
    let unmanaged: Vec<String> = analyzer
        .user_tables()
        .into_iter()
        .filter(|name| expected.is_some_and(|expected| !expected.is_managed(name)))
        .collect();
    if !unmanaged.is_empty() {
        analyzer.hinted(
            Severity::Warning,
            FindingCode::UnmanagedObjects,
            format!(
                "table(s) no revision creates or changes: {}; they are left out of the comparison",
                name_list(&unmanaged)
            ),
            Hint::IgnoreTables(unmanaged.clone()),
        );
    }
    // A table shaped like alembic's version table under another name: most
    // often env.py sets `version_table`, and this run was not told.
    let look_alikes: Vec<String> = unmanaged
        .iter()
        .filter(|name| {
            live.schema.tables.get(*name).is_some_and(|table| {
                table.columns.len() == 1 && table.columns[0].name == "version_num"
            })
        })
        .cloned()
        .collect();
    for name in &look_alikes {
        analyzer.hinted(
            Severity::Warning,
            FindingCode::LookAlikeVersionTable,
            format!(
                "table {name} is shaped like alembic's version table (one version_num column); if env.py names it as the version table, this run reads {} instead",
                version_table_name(live)
            ),
            Hint::VersionTable(name.clone()),
        );
    }
    let unmanaged_set: BTreeSet<&str> = unmanaged.iter().map(String::as_str).collect();
    let managed_tables: Vec<String> = analyzer
        .user_tables()
        .into_iter()
        .filter(|name| !unmanaged_set.contains(name.as_str()))
        .collect();

    // No version table.
    let Some(contents) = live.version_table.contents() else {
        if managed_tables.is_empty() {
            return fresh(analyzer, diagnosis);
        }
        analyzer.finding(
            Severity::Error,
            FindingCode::VersionTableMissing,
            format!(
                "{} user table(s) exist but there is no {} table",
                managed_tables.len(),
                version_table_name(live)
            ),
        );
        // Another table may be the real version table: never create a
        // second one unattended.
        let elsewhere = !look_alikes.is_empty();
        return by_matching(
            analyzer,
            diagnosis,
            State::UntrackedSchema,
            Strategy::InitializeAlembicVersion,
            &[],
            elsewhere,
        );
    };

    if contents.version_num().is_none() {
        analyzer.hinted(
            Severity::Error,
            FindingCode::WrongShape,
            format!(
                "the version table {} has no version_num column; drop or rename it by hand",
                contents.name
            ),
            Hint::Recover,
        );
        let matching = analyzer.matching(&[]);
        diagnosis.candidate_revisions = matching
            .candidates
            .iter()
            .map(|scored| analyzer.label(&scored.heads))
            .collect();
        diagnosis.closest = analyzer.closest_states(&matching.closest);
        return finish(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::ManualIntervention,
            Evidence::Refused,
            None,
        );
    }
    if contents.rows.is_empty() {
        if managed_tables.is_empty() {
            analyzer.finding(
                Severity::Info,
                FindingCode::EmptyVersionTable,
                "the version table is empty and there are no user tables: the database is at base"
                    .to_owned(),
            );
            return fresh(analyzer, diagnosis);
        }
        analyzer.finding(
            Severity::Error,
            FindingCode::EmptyVersionTable,
            "the version table is empty but user tables exist".to_owned(),
        );
        return by_matching(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            &[],
            false,
        );
    }

    let rows = read_rows(&mut analyzer, &contents.rows);
    if rows.corrupt {
        // Ancestor and descendant side by side: alembic keeps the descendants.
        if rows.overlapping && !rows.unknown_ids && rows.only_overlap {
            let descendants: Vec<RevisionIndex> = rows
                .known
                .iter()
                .copied()
                .filter(|&a| {
                    !rows
                        .known
                        .iter()
                        .any(|&b| a != b && graph.ancestors(b, true)[a])
                })
                .collect();
            let comparison = analyzer.compare_with(&descendants);
            if comparison.agrees() {
                let evidence = if comparison.unverified.is_empty() {
                    Evidence::Proven
                } else {
                    Evidence::NeedsConfirmation
                };
                diagnosis.candidate_revisions = vec![analyzer.label(&descendants)];
                diagnosis.comparison = Some(comparison);
                return finish(
                    analyzer,
                    diagnosis,
                    State::CorruptedVersionTable,
                    Strategy::RepairCorruptedAlembic,
                    evidence,
                    Some(descendants),
                );
            }
        }
        if rows.unknown_ids {
            analyzer.hinted(
                Severity::Warning,
                FindingCode::UnknownRevisionAfterRollback,
                "an id the scripts do not have is most often written by a newer release of the application that was rolled back; deploy that release's migrations, or confirm by hand the state the schema shows; it is never rewritten unattended".to_owned(),
                Hint::NameRevision(Vec::new()),
            );
            if !unmanaged.is_empty() {
                let matching = analyzer.matching(&rows.known);
                diagnosis.candidate_revisions = matching
                    .candidates
                    .iter()
                    .map(|scored| analyzer.label(&scored.heads))
                    .collect();
                // Objects no revision creates, and ids no script knows: a newer release ran.
                diagnosis.unexpected_tables = unmanaged.clone();
                analyzer.finding(
                    Severity::Error,
                    FindingCode::AheadOfScripts,
                    format!(
                        "the database has tables no revision creates ({}) and a version the scripts do not know: a newer release of the application probably migrated it; deploy that release's migrations{}",
                        name_list(&unmanaged),
                        if diagnosis.candidate_revisions.is_empty() {
                            String::new()
                        } else {
                            format!(
                                " (without those tables the schema matches {})",
                                diagnosis.candidate_revisions.join(", ")
                            )
                        }
                    ),
                );
                diagnosis.closest = analyzer.closest_states(&matching.closest);
                return finish(
                    analyzer,
                    diagnosis,
                    State::AheadOfScripts,
                    Strategy::ManualIntervention,
                    Evidence::Refused,
                    None,
                );
            }
        }
        let unknown_ids = rows.unknown_ids;
        return by_matching(
            analyzer,
            diagnosis,
            State::CorruptedVersionTable,
            Strategy::RepairCorruptedAlembic,
            &rows.known,
            unknown_ids,
        );
    }

    // Valid rows: does the schema agree with them?
    let current = rows.known;
    let comparison = analyzer.compare_with(&current);
    // A child of the rows' revision partly applied, computed once: it turns
    // unverified differences into a half-applied child rather than harmless
    // drift, and explains the schema before any match that is not proven.
    let half = half_applied(&analyzer, &current);
    let half_applied_child = !comparison.unverified.is_empty() && half.is_some();
    // The rows' own state tying with other states that agree as well (one
    // after a revision that does nothing): the rows stand. A half-applied
    // child explains unverified differences only where the rows' state is
    // the one state that agrees.
    let rows_among_best = comparison.agrees() && half_applied_child && {
        let mut rows_state = current.clone();
        rows_state.sort_unstable();
        let candidates = analyzer.matching(&current).candidates;
        candidates.len() > 1
            && candidates.iter().any(|scored| {
                let mut heads = scored.heads.clone();
                heads.sort_unstable();
                heads == rows_state
            })
    };
    if comparison.agrees() && (!half_applied_child || rows_among_best) {
        if !comparison.unverified.is_empty() {
            analyzer.hinted(
                Severity::Warning,
                FindingCode::Unverified,
                format!(
                    "the schema agrees with the version rows in every certain detail; tables touched by code that could not be followed differ, which proves nothing either way: {}",
                    comparison.unverified.join("; ")
                ),
                Hint::IgnoreTables(Vec::new()),
            );
        }
        diagnosis.comparison = Some(comparison);
        let applied = analyzer.applied_set(&current);
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
        let collisions = analyzer.collisions(&current);
        let evidence = if collisions.is_empty() {
            Evidence::Proven
        } else {
            report_collisions(&mut analyzer, &collisions);
            Evidence::Refused
        };
        diagnosis.collisions = collisions;
        diagnosis.matched_revisions = analyzer.ids(&current);
        let (uncertain, data) = analyzer.uncertain_and_data(&[&current]);
        diagnosis.uncertain_revisions = uncertain;
        diagnosis.data_revisions = data;
        diagnosis.findings = std::mem::take(&mut analyzer.findings);
        diagnosis.state = state;
        diagnosis.strategy = strategy;
        diagnosis.evidence = evidence;
        return diagnosis;
    }

    diagnosis.missing_tables = comparison.missing_tables.clone();
    diagnosis.unexpected_tables = comparison.unexpected_tables.clone();
    let against_rows = comparison.differences().join("; ");
    diagnosis.comparison = Some(comparison);
    let matching = analyzer.matching(&current);
    diagnosis.candidate_revisions = matching
        .candidates
        .iter()
        .map(|scored| analyzer.label(&scored.heads))
        .collect();
    // A child of the rows' revision partly applied explains the schema
    // better than a match that is not proven.
    let settlement = (!matching.candidates.is_empty())
        .then(|| analyzer.settle(&matching.candidates))
        .filter(|settlement| settlement.evidence == Evidence::Proven || half.is_none());
    if let Some(settlement) = settlement {
        analyzer.report_tie(&matching.candidates, &settlement);
        let current_ids = analyzer.label(&current);
        let mut evidence = settlement.evidence;
        if let Some(chosen) = &settlement.chosen {
            let applied_rows = analyzer.applied_set(&current);
            let applied_chosen = analyzer.applied_set(chosen);
            let earlier = applied_chosen
                .iter()
                .zip(&applied_rows)
                .all(|(chosen, row)| !*chosen || *row);
            let (code, message) = if earlier {
                (
                    FindingCode::MissingObjects,
                    format!(
                        "the version rows say {current_ids}, but the schema matches {}: objects expected at {current_ids} are missing ({against_rows}); a migration did not complete",
                        analyzer.label(chosen)
                    ),
                )
            } else {
                (
                    FindingCode::SchemaAheadOfVersion,
                    format!(
                        "the version rows say {current_ids}, but the schema matches {} ({against_rows}); the rows were not updated (or were stamped wrongly)",
                        analyzer.label(chosen)
                    ),
                )
            };
            analyzer.finding(Severity::Error, code, message);
            // Stamping past the rows skips the revisions in between for
            // good: each must show it ran (its schema does; its data steps
            // and unknown operations must too), or a person confirms.
            if evidence == Evidence::Proven {
                let ahead: Vec<RevisionIndex> = graph
                    .topological()
                    .iter()
                    .copied()
                    .filter(|&index| applied_chosen[index] && !applied_rows[index])
                    .collect();
                for revision in ahead {
                    let reason = match analyzer.between(revision, Shown::SchemaChanges) {
                        Between::Applied => continue,
                        Between::NotApplied => format!(
                            "{}'s schema changes are there but a probe says its data step did not run",
                            graph.revision(revision).id()
                        ),
                        Between::Unsettled(why) => why,
                    };
                    evidence = Evidence::NeedsConfirmation;
                    analyzer.hinted(
                        Severity::Warning,
                        FindingCode::Unverified,
                        format!(
                            "stamping {} would skip what nothing shows ran: {reason}",
                            analyzer.label(chosen)
                        ),
                        Hint::NameRevision(vec![analyzer.label(chosen)]),
                    );
                    break;
                }
            }
            // The revisions the rows claim beyond the match, operation by operation.
            for &index in graph.topological() {
                if applied_rows[index] && !applied_chosen[index] {
                    let partial = analyzer.explain(index);
                    if !partial.present.is_empty() && !partial.missing.is_empty() {
                        diagnosis.partial.push(partial);
                    }
                }
            }
        }
        let strategy = if settlement.chosen.is_some() {
            Strategy::CompletePartialMigration
        } else {
            Strategy::ManualIntervention
        };
        return finish(
            analyzer,
            diagnosis,
            State::PartialMigration,
            strategy,
            evidence,
            settlement.chosen,
        );
    }

    // Between a revision and one of its children: part of a revision
    // applied. Finished by running its missing creations when nothing else
    // is missing and the result is the child's state in every detail.
    if let Some((child, partial)) = half {
        let live_dialect = analyzer.input.live.dialect;
        let (completion, target, completed) = analyzer.completion(&current, child);
        let finishable = completion.blockers.is_empty();
        if finishable {
            diagnosis.partial.push(partial);
        } else {
            report_partial(&mut analyzer, &mut diagnosis, partial);
        }
        diagnosis.closest = analyzer.closest_states(&matching.closest);
        let evidence = match (finishable, completion.doubts.is_empty()) {
            (false, _) => Evidence::Refused,
            (true, true) => Evidence::Proven,
            (true, false) => Evidence::NeedsConfirmation,
        };
        if finishable {
            analyzer.completed = Some(completed);
            analyzer.hinted(
                Severity::Error,
                FindingCode::PartlyApplied,
                format!(
                    "revision {} is partly applied (DDL that is not transactional stopped halfway) and can be finished: \
                     its {} missing operation(s) all create, and with them the schema is that revision's in every detail{}",
                    completion.revision,
                    completion.statements.iter().map(|statement| statement.operations.len()).sum::<usize>(),
                    if completion.doubts.is_empty() {
                        String::new()
                    } else {
                        format!(" (a person must confirm: {})", completion.doubts.join("; "))
                    }
                ),
                Hint::Complete,
            );
        } else {
            analyzer.finding(
                Severity::Error,
                FindingCode::PartlyApplied,
                format!(
                    "revision {} cannot be finished by the tool: {}",
                    completion.revision,
                    completion.blockers.join("; ")
                ),
            );
        }
        let strategy = if finishable {
            Strategy::CompletePartialMigration
        } else {
            Strategy::ManualIntervention
        };
        let revision = completion.revision.clone();
        let statements = completion.statements.clone();
        diagnosis.completion = Some(completion);
        let mut diagnosis = finish(
            analyzer,
            diagnosis,
            State::PartialMigration,
            strategy,
            evidence,
            finishable.then_some(target),
        );
        if let Some(stamp) = diagnosis.steps.take() {
            let mut steps: Vec<PlanStep> = statements
                .into_iter()
                .map(|statement| PlanStep::CompleteRevision {
                    revision: revision.clone(),
                    operations: statement.operations,
                    sql: statement.sql,
                    undo: statement.undo,
                })
                .collect();
            steps.extend(stamp);
            diagnosis.plan = Some(steps.iter().map(|step| step.sql(live_dialect)).collect());
            diagnosis.steps = Some(steps);
        }
        return diagnosis;
    }

    analyzer.hinted(
        Severity::Error,
        FindingCode::NoMatchingRevision,
        format!("the version rows are valid but the schema matches no revision state ({against_rows}); recovery only writes the version table and cannot fix this: bring the schema back in line by hand, or leave objects that are not the migrations' business out of the comparison"),
        Hint::IgnoreTables(Vec::new()),
    );
    diagnosis.closest = analyzer.closest_states(&matching.closest);
    finish(
        analyzer,
        diagnosis,
        State::Drifted,
        Strategy::ManualIntervention,
        Evidence::Refused,
        None,
    )
}

/// No user tables the migrations manage, and no version rows.
fn fresh(mut analyzer: Analyzer<'_>, mut diagnosis: Diagnosis) -> Diagnosis {
    let graph = analyzer.graph();
    diagnosis.pending_revisions = analyzer.ids(graph.topological());
    let collisions = analyzer.collisions(&[]);
    let evidence = if collisions.is_empty() {
        Evidence::Proven
    } else {
        report_collisions(&mut analyzer, &collisions);
        Evidence::Refused
    };
    diagnosis.collisions = collisions;
    finish(
        analyzer,
        diagnosis,
        State::Fresh,
        Strategy::NormalMigration,
        evidence,
        None,
    )
}

fn report_collisions(analyzer: &mut Analyzer<'_>, collisions: &[Collision]) {
    for collision in collisions {
        analyzer.finding(
            Severity::Error,
            FindingCode::Collision,
            format!(
                "pending revision {} would fail: {} — {}; `alembic upgrade` would stop there",
                collision.revision, collision.operation, collision.message
            ),
        );
    }
}

fn report_partial(
    analyzer: &mut Analyzer<'_>,
    diagnosis: &mut Diagnosis,
    partial: PartialRevision,
) {
    analyzer.hinted(
        Severity::Error,
        FindingCode::PartlyApplied,
        format!(
            "revision {} is partly applied (DDL that is not transactional stopped halfway): present {}; missing {}; it is never stamped as applied while an operation is missing: create the missing objects (or drop the present ones) by hand, then recover",
            partial.revision,
            partial.present.join(", "),
            partial.missing.join(", ")
        ),
        Hint::Recover,
    );
    diagnosis.partial.push(partial);
}

/// A child of a row's revision with some operations present and some missing.
fn half_applied(
    analyzer: &Analyzer<'_>,
    current: &[RevisionIndex],
) -> Option<(RevisionIndex, PartialRevision)> {
    let graph = analyzer.graph();
    for &revision in current {
        for &child in graph.revision(revision).children() {
            let partial = analyzer.explain(child);
            if !partial.present.is_empty() && !partial.missing.is_empty() {
                return Some((child, partial));
            }
        }
    }
    None
}

/// Untracked or corrupted: recoverable when the schema matches a state.
fn by_matching(
    mut analyzer: Analyzer<'_>,
    mut diagnosis: Diagnosis,
    state: State,
    strategy: Strategy,
    rows: &[RevisionIndex],
    // Version rows unknown to the scripts, or a version table that may be
    // elsewhere: the match is never proof for an unattended write.
    unconfirmed: bool,
) -> Diagnosis {
    let matching = analyzer.matching(rows);
    diagnosis.candidate_revisions = matching
        .candidates
        .iter()
        .map(|scored| analyzer.label(&scored.heads))
        .collect();
    if matching.candidates.is_empty() {
        if let Some(nearest) = matching.closest.first() {
            diagnosis.missing_tables = nearest.comparison.missing_tables.clone();
            diagnosis.unexpected_tables = nearest.comparison.unexpected_tables.clone();
            let differences = nearest.comparison.differences();
            let shown: Vec<&String> = differences.iter().take(5).collect();
            analyzer.finding(
                Severity::Error,
                FindingCode::NoMatchingRevision,
                format!(
                    "the schema matches no revision state in every detail (closest: {}, differing in {}{}); stamping would be a guess",
                    analyzer.label(&nearest.heads),
                    shown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
                    if differences.len() > 5 { "; …" } else { "" }
                ),
            );
            let heads = nearest.heads.clone();
            if let Some((_, partial)) = half_applied(&analyzer, &heads) {
                report_partial(&mut analyzer, &mut diagnosis, partial);
            }
        }
        diagnosis.closest = analyzer.closest_states(&matching.closest);
        return finish(
            analyzer,
            diagnosis,
            state,
            Strategy::ManualIntervention,
            Evidence::Refused,
            None,
        );
    }
    let settlement = analyzer.settle(&matching.candidates);
    analyzer.report_tie(&matching.candidates, &settlement);
    let mut evidence = settlement.evidence;
    if unconfirmed && evidence == Evidence::Proven {
        evidence = Evidence::NeedsConfirmation;
    }
    if let Some(chosen) = &settlement.chosen
        && let Some(scored) = matching
            .candidates
            .iter()
            .find(|scored| &scored.heads == chosen)
    {
        diagnosis.comparison = Some(scored.comparison.clone());
    }
    let strategy = if settlement.chosen.is_some() {
        strategy
    } else {
        Strategy::ManualIntervention
    };
    finish(
        analyzer,
        diagnosis,
        state,
        strategy,
        evidence,
        settlement.chosen,
    )
}

/// Fills in what every ending shares: the target and its plan, the pending
/// revisions after it, collisions, the judged revisions, probes, findings.
fn finish(
    mut analyzer: Analyzer<'_>,
    mut diagnosis: Diagnosis,
    state: State,
    strategy: Strategy,
    mut evidence: Evidence,
    target: Option<Vec<RevisionIndex>>,
) -> Diagnosis {
    let graph = analyzer.graph();
    diagnosis.state = state;
    diagnosis.strategy = strategy;
    if let Some(target) = &target {
        diagnosis.matched_revisions = analyzer.ids(target);
        let applied = analyzer.applied_set(target);
        diagnosis.pending_revisions = graph
            .topological()
            .iter()
            .filter(|index| !applied[**index])
            .map(|&index| graph.revision(index).id().to_owned())
            .collect();
        let collisions = analyzer.collisions(target);
        if !collisions.is_empty() {
            report_collisions(&mut analyzer, &collisions);
            evidence = Evidence::Refused;
        }
        diagnosis.collisions = collisions;
        let mut states: Vec<&[RevisionIndex]> = vec![target];
        states.extend(analyzer.judged.iter().map(Vec::as_slice));
        let (uncertain, data) = analyzer.uncertain_and_data(&states);
        diagnosis.uncertain_revisions = uncertain;
        diagnosis.data_revisions = data;
    } else if !analyzer.judged.is_empty() {
        let states: Vec<&[RevisionIndex]> = analyzer.judged.iter().map(Vec::as_slice).collect();
        let (uncertain, data) = analyzer.uncertain_and_data(&states);
        diagnosis.uncertain_revisions = uncertain;
        diagnosis.data_revisions = data;
    }
    diagnosis.evidence = evidence;
    let live = analyzer.input.live;
    diagnosis.steps = plan_for(
        strategy,
        live,
        target.as_ref().map(|t| analyzer.ids(t)).as_deref(),
    );
    diagnosis.plan = diagnosis
        .steps
        .as_ref()
        .map(|steps| steps.iter().map(|step| step.sql(live.dialect)).collect());
    diagnosis.probes = std::mem::take(&mut analyzer.probe_reports);
    diagnosis.probe_requests = std::mem::take(&mut analyzer.probe_requests)
        .into_iter()
        .collect();
    diagnosis.findings = std::mem::take(&mut analyzer.findings);
    diagnosis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_labels() {
        assert_eq!(state_label(&[]), "base");
        assert_eq!(state_label(&["a1".to_owned(), "b2".to_owned()]), "a1+b2");
    }
}
