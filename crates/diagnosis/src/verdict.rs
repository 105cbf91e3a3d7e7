//! The end of every analysis: the verdict (state, strategy, evidence, the
//! state to stamp) filled in with what every ending shares — the plan, the
//! pending revisions after the target, collisions, the revisions of the
//! states judged, probes and findings.

use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::Operation;
use migration_doctor_schema::Schema;

use crate::collisions::report_collisions;
use crate::context::{Context, Notes};
use crate::diagnosis::Diagnosis;
use crate::plan::plan_for;
use crate::vocabulary::{Evidence, State, Strategy};

/// How an analysis ends.
pub(crate) struct Verdict {
    pub state: State,
    pub strategy: Strategy,
    pub evidence: Evidence,
    /// The state a recovery stamps, when there is one.
    pub target: Option<Vec<RevisionIndex>>,
    /// Candidate states the decision weighed: their revisions are reported
    /// among the uncertain and data revisions.
    pub judged: Vec<Vec<RevisionIndex>>,
    /// The live schema as a completion would leave it: pending revisions
    /// are checked for collisions against it instead of the live one.
    pub completed: Option<Schema>,
}

impl Verdict {
    /// A verdict with nothing to stamp, nothing weighed.
    pub fn bare(state: State, strategy: Strategy, evidence: Evidence) -> Verdict {
        Verdict {
            state,
            strategy,
            evidence,
            target: None,
            judged: Vec::new(),
            completed: None,
        }
    }

    /// Nothing may be written: a person must act.
    pub fn refused(state: State) -> Verdict {
        Verdict::bare(state, Strategy::ManualIntervention, Evidence::Refused)
    }

    pub fn stamping(mut self, target: Option<Vec<RevisionIndex>>) -> Verdict {
        self.target = target;
        self
    }

    pub fn judging(mut self, judged: Vec<Vec<RevisionIndex>>) -> Verdict {
        self.judged = judged;
        self
    }
}

/// Fills in what every ending shares.
pub(crate) fn finish(
    context: &Context<'_>,
    mut notes: Notes,
    mut diagnosis: Diagnosis,
    verdict: Verdict,
) -> Diagnosis {
    let Verdict {
        state,
        strategy,
        mut evidence,
        target,
        judged,
        completed,
    } = verdict;
    diagnosis.state = state;
    diagnosis.strategy = strategy;
    let mut states: Vec<&[RevisionIndex]> = Vec::new();
    if let Some(target) = &target {
        diagnosis.matched_revisions = context.ids(target);
        diagnosis.pending_revisions = context.pending_after(target);
        let against = completed.as_ref().unwrap_or(&context.live().schema);
        let collisions = context.collisions(target, against);
        if !collisions.is_empty() {
            report_collisions(&mut notes, &collisions);
            evidence = Evidence::Refused;
        }
        diagnosis.collisions = collisions;
        states.push(target);
    }
    states.extend(judged.iter().map(Vec::as_slice));
    if !states.is_empty() {
        let (uncertain, data) = uncertain_and_data(context, &states);
        diagnosis.uncertain_revisions = uncertain;
        diagnosis.data_revisions = data;
    }
    diagnosis.evidence = evidence;
    let live = context.live();
    diagnosis.steps = plan_for(
        strategy,
        live,
        target.as_ref().map(|t| context.ids(t)).as_deref(),
    );
    diagnosis.plan = diagnosis
        .steps
        .as_ref()
        .map(|steps| steps.iter().map(|step| step.sql(live.dialect)).collect());
    diagnosis.probes = notes.probe_reports;
    diagnosis.probe_requests = notes.probe_requests.into_iter().collect();
    diagnosis.findings = notes.findings;
    diagnosis
}

/// Revisions applied in `states` with unknown operations, and with data
/// steps, in history order.
pub(crate) fn uncertain_and_data(
    context: &Context<'_>,
    states: &[&[RevisionIndex]],
) -> (Vec<String>, Vec<String>) {
    let Some(expected) = context.expected() else {
        return (Vec::new(), Vec::new());
    };
    let graph = context.graph();
    let mut members = vec![false; graph.len()];
    for heads in states {
        for (at, member) in context.applied_set(heads).into_iter().enumerate() {
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
