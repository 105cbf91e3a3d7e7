//! What an analysis takes and what it gives back: plain values, with one
//! definition of a sound tracking state (docs/contract.md, "Diagnosis").

use migration_doctor_graph::{RevisionGraph, RevisionSet};
use migration_doctor_infer::ExpectedSchemas;
use migration_doctor_schema::{LiveDatabase, PlanStep};

use crate::compare::Comparison;
use crate::patterns::{ObjectPatterns, TablePatterns};
use crate::vocabulary::{Evidence, Finding, Refusal, State, Strategy, TiePolicy};

/// A revision state close to the live schema, with how it differs.
#[derive(Debug, Clone)]
pub struct ClosestState {
    pub revisions: RevisionSet,
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

/// How a half-applied revision is finished: the DDL of its missing
/// operations, then the stamp. Only operations that create are ever run;
/// anything else blocks the completion, named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub revision: String,
    /// The statements, in the revision's order, each with its undo.
    pub statements: Vec<migration_doctor_infer::DdlStatement>,
    /// The version rows once it is finished.
    pub target: RevisionSet,
    /// Why it cannot be finished by the tool, each with what to do by
    /// hand; empty when it can.
    pub blockers: Vec<Refusal>,
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
    pub answer: ProbeAnswer,
    /// What the answer means: the data step ran, or not; `None` when it
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
    /// Every state that ties, in history order.
    pub candidate_revisions: Vec<RevisionSet>,
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
    pub(crate) fn blank(
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

    /// Whether the tracking state is right and nothing blocks `alembic
    /// upgrade` (docs/contract.md, "sound"): healthy; or fresh or behind
    /// when no migration is expected to have run since; never on refused
    /// evidence (a pending revision would collide).
    ///
    /// `migrations_ran`: the caller ran the migrations after this
    /// diagnosis was made and diagnosed again (`ensure --then`), so only
    /// healthy is sound.
    pub fn is_sound(&self, migrations_ran: bool) -> bool {
        if self.evidence == Evidence::Refused {
            return false;
        }
        match self.state {
            State::Healthy => true,
            State::Fresh | State::Behind => !migrations_ran,
            _ => false,
        }
    }

    /// The matched state as a set of heads.
    pub fn matched_state(&self) -> RevisionSet {
        RevisionSet::from_ids(self.matched_revisions.clone())
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
    /// Columns, indexes and constraints left out (`TABLE.OBJECT` globs).
    pub ignore_objects: ObjectPatterns,
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
