//! Ties and probes: several states agree with the schema. A chain of them
//! (each applying everything the one before does) is settled revision by
//! revision: a revision without visible effect, or whose data steps the
//! read-only probes show ran, moves the proof one state on; anything that
//! cannot be told leaves the choice to a person.

use migration_doctor_graph::{RevisionIndex, RevisionSet};
use migration_doctor_infer::Operation;

use crate::context::{Context, Notes, set_list};
use crate::diagnosis::{ProbeAnswer, ProbeReport, ProbeRequest};
use crate::matching::{MAX_STATES, Matching, Scored};
use crate::vocabulary::{Evidence, FindingCode, Hint, Severity, TiePolicy};

/// How the tie among candidates was settled.
pub(crate) struct Settlement {
    pub chosen: Option<Vec<RevisionIndex>>,
    pub evidence: Evidence,
    /// Why a person must confirm (empty when proven).
    pub reason: String,
}

/// What a revision between two tying candidates tells.
pub(crate) enum Between {
    /// It ran (`proven`: its data steps' probes say so) or it changes
    /// nothing visible.
    Applied {
        proven: bool,
    },
    /// A probe says it did not run.
    NotApplied,
    /// Its data steps find nothing left to change: it ran, or had nothing
    /// to do; running it again changes nothing.
    NothingLeft,
    /// Its probes are asked for: the next analysis, with their answers,
    /// can tell.
    Unprobed(String),
    Unsettled(String),
}

/// What the schema shows of a revision between two states: nothing (the
/// two states tie, so its schema changes net to nothing visible), or its
/// schema changes (the rows lag behind a state that has them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    No,
    SchemaChanges,
}

impl Context<'_> {
    /// What one revision between tying candidates tells, asking for the
    /// probes it needs.
    pub fn between(&self, revision: RevisionIndex, shown: Shown, notes: &mut Notes) -> Between {
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
        let mut nothing_left = false;
        let mut proven = false;
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
                notes.probe_requests.insert(request);
                all_applied = false;
                continue;
            };
            let applied = probe_says_applied(&answer, probe);
            notes.report_probe(ProbeReport {
                revision: id.clone(),
                sql: probe.query.clone(),
                answer: answer.clone(),
                applied,
            });
            match (applied, &answer) {
                (Some(true), _) => proven = true,
                (Some(false), _) => return Between::NotApplied,
                (None, ProbeAnswer::Failed(_)) => {
                    return Between::Unsettled(format!(
                        "the probe of {id}'s data step (line {}) failed",
                        at.line
                    ));
                }
                (None, _) => nothing_left = true,
            }
        }
        match (all_applied, nothing_left) {
            (false, _) => Between::Unprobed(format!("{id}'s data steps are not probed yet")),
            (true, true) => Between::NothingLeft,
            (true, false) => Between::Applied { proven },
        }
    }

    /// Settles the candidates: one is proven, or a person must choose.
    /// Nothing is proven where not every reachable state was weighed.
    pub fn settle(&self, matching: &Matching, notes: &mut Notes) -> Settlement {
        let mut settlement = self.settle_candidates(&matching.candidates, notes);
        if !matching.exhaustive && settlement.evidence == Evidence::Proven {
            settlement.evidence = Evidence::NeedsConfirmation;
            settlement.reason = format!(
                "the history allows more than {MAX_STATES} states of its branches side by side, and not all were compared"
            );
        }
        settlement
    }

    fn settle_candidates(&self, candidates: &[Scored], notes: &mut Notes) -> Settlement {
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
                    self.set(&first.heads),
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
            let graph = self.input.graph;
            let order = graph.topological().to_vec();
            // Data steps that find nothing left to change: the tie is
            // settled at the earliest state before them (alembic reruns
            // them, changing nothing now; docs/contract.md, "Evidence"),
            // unless a later step that surely ran shows they ran too.
            let mut nothing_left: Vec<RevisionIndex> = Vec::new();
            'walk: for next in 1..candidates.len() {
                let between: Vec<RevisionIndex> = order
                    .iter()
                    .copied()
                    .filter(|&at| sets[next][at] && !sets[reached][at])
                    .collect();
                for revision in between {
                    match self.between(revision, Shown::No, notes) {
                        Between::Applied { proven: false } => {}
                        Between::Applied { proven: true } => {
                            let ancestors = graph.ancestors(revision, true);
                            if nothing_left.iter().all(|&earlier| ancestors[earlier]) {
                                nothing_left.clear();
                            } else {
                                reason = format!(
                                    "{} ran, but whether the data steps beside it did cannot be told",
                                    graph.revision(revision).id()
                                );
                                break 'walk;
                            }
                        }
                        Between::NotApplied => break 'walk,
                        // Walk on to ask for every probe in one round; the
                        // tie stays open until their answers come.
                        Between::Unprobed(why) => {
                            if reason.is_empty() {
                                reason = why;
                            }
                            nothing_left.push(revision);
                        }
                        Between::NothingLeft => {
                            if !nothing_left.contains(&revision) {
                                nothing_left.push(revision);
                            }
                        }
                        Between::Unsettled(why) => {
                            reason = why;
                            break 'walk;
                        }
                    }
                }
                if nothing_left.is_empty() {
                    reached = next;
                }
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
    pub fn report_tie(&self, candidates: &[Scored], settlement: &Settlement, notes: &mut Notes) {
        if candidates.len() < 2 {
            if settlement.evidence == Evidence::NeedsConfirmation && !settlement.reason.is_empty() {
                let candidate = candidates
                    .first()
                    .map(|scored| self.set(&scored.heads))
                    .unwrap_or_default();
                let message = format!("{}; a person must confirm {candidate}", settlement.reason);
                notes.hinted(
                    Severity::Warning,
                    FindingCode::Unverified,
                    message,
                    Hint::NameRevision(vec![candidate]),
                );
            }
            return;
        }
        let labels: Vec<RevisionSet> = candidates
            .iter()
            .map(|scored| self.set(&scored.heads))
            .collect();
        let message = match (&settlement.chosen, settlement.evidence) {
            (Some(chosen), Evidence::Proven) if notes.probe_reports.is_empty() => format!(
                "the schema matches {} revision states in every detail ({}); the revisions between them have no operation at all, so the states are the same and {} (the latest) stands for them",
                labels.len(),
                set_list(&labels),
                self.set(chosen)
            ),
            (Some(chosen), Evidence::Proven) => format!(
                "the schema matches {} revision states in every detail ({}); the revisions between them only move data, and their probes settle it at {}",
                labels.len(),
                set_list(&labels),
                self.set(chosen)
            ),
            (Some(chosen), _) => format!(
                "the schema matches {} revision states in every detail ({}) and nothing proves which ({}); {} was chosen by the tie policy, for a person to confirm",
                labels.len(),
                set_list(&labels),
                settlement.reason,
                self.set(chosen)
            ),
            (None, _) => format!(
                "the schema matches {} revision states in every detail ({}) and nothing proves which ({}); stamping one is your decision",
                labels.len(),
                set_list(&labels),
                settlement.reason
            ),
        };
        let severity = if settlement.evidence == Evidence::Proven {
            Severity::Info
        } else {
            Severity::Warning
        };
        if settlement.evidence == Evidence::Proven {
            notes.finding(severity, FindingCode::Tie, message);
        } else {
            notes.hinted(
                severity,
                FindingCode::Tie,
                message,
                Hint::NameRevision(labels),
            );
        }
    }
}

/// What a data step's probe answer proves of the step. Rows left to change
/// prove an UPDATE or DELETE did not run; none left proves nothing (it ran,
/// or had nothing to do). An INSERT's row proves it ran, its absence that it
/// did not. A failed probe proves nothing.
pub(crate) fn probe_says_applied(
    answer: &ProbeAnswer,
    probe: &migration_doctor_infer::Probe,
) -> Option<bool> {
    match (answer, probe.applied_when_found) {
        (ProbeAnswer::RowsFound, true) => Some(true),
        (ProbeAnswer::NoRows, true) | (ProbeAnswer::RowsFound, false) => Some(false),
        (ProbeAnswer::NoRows, false) | (ProbeAnswer::Failed(_), _) => None,
    }
}
