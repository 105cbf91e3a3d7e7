//! Deciding what a recovery writes, from a diagnosis made under the lock,
//! by one policy for every front end (docs/contract.md, "Evidence"):
//! - unattended callers (`ensure`, the library's ensure functions) write
//!   only on `proven` evidence;
//! - a person (`recover`, `interactive`) may also write on
//!   `needs_confirmation` evidence, but only a candidate they named: by
//!   `--to-revision`, or among tying candidates by an explicit `--on-tie`;
//! - nobody writes on `refused` evidence.

use migration_doctor_diagnosis::{
    AnalysisInput, AnalysisOptions, Comparer, Diagnosis, Evidence, Hint, ObjectRules, ProbeResult,
    Refusal, RevisionSet, State, Strategy, analyze, plan_for,
};
use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::ExpectedSchemas;
use migration_doctor_live::LiveDatabase;
use migration_doctor_recovery::Decision;

use std::sync::Arc;

use migration_doctor_graph::RevisionGraph;

/// Who is asking for the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Attendance {
    /// No person will look before the write: `ensure`, library ensure.
    #[default]
    Unattended,
    /// A person confirmed (or will confirm) the plan: `recover`, `interactive`.
    Attended,
}

/// What a recovery decides with, computed once before the lock.
pub struct RecoveryPlanner<'a> {
    pub graph: &'a RevisionGraph,
    pub expected: Arc<ExpectedSchemas>,
    pub options: AnalysisOptions,
    /// A revision state to stamp instead of the diagnosed one, and whether
    /// to stamp it even when the schema does not match.
    pub to_revision: Option<(Vec<RevisionIndex>, bool)>,
    pub attendance: Attendance,
    /// Finish a half-applied revision by running its missing creations
    /// (`recover --complete`, `ensure --complete-partial`); without it
    /// nothing but the version table is ever written.
    pub complete: bool,
}

fn state_name(state: State) -> &'static str {
    state.name()
}

impl RecoveryPlanner<'_> {
    /// The diagnosis of the database as it is now.
    pub fn diagnose(&self, live: &LiveDatabase, probes: &[ProbeResult]) -> Diagnosis {
        analyze(AnalysisInput {
            graph: self.graph,
            script_errors: &[],
            expected: Some(&self.expected),
            live,
            options: &self.options,
            probes,
        })
    }

    /// What to write given the database as it is now.
    pub fn decide(&self, live: &LiveDatabase, probes: &[ProbeResult]) -> Decision {
        let graph = self.graph;
        let diagnosis = self.diagnose(live, probes);
        if let Some((heads, force)) = &self.to_revision {
            let named = RevisionSet::of(graph, heads);
            let ids: Vec<String> = named.ids().to_vec();
            let state = self.expected.state_after_heads(graph, heads);
            let skip = |name: &str| {
                self.options.ignore_tables.matches(name) || !self.expected.is_managed(name)
            };
            let rules = ObjectRules {
                managed: Some(&self.expected),
                ignore: Some(&self.options.ignore_objects),
                server_names_key_indexes: live.dialect == migration_doctor_schema::Dialect::Mysql,
            };
            let comparison = Comparer::new(&live.schema, &skip)
                .with_rules(rules)
                .compare(&state);
            if !comparison.agrees() && !force {
                let shown: Vec<String> = comparison.differences().into_iter().take(5).collect();
                return Decision {
                    diagnosis,
                    plan: None,
                    refusal: Some(Refusal::new(
                        format!(
                            "the schema does not match {} in every detail ({} difference(s): {}); check by hand",
                            named,
                            comparison.distance(),
                            shown.join("; ")
                        ),
                        Some(Hint::Force),
                    )),
                    target: ids,
                };
            }
            // Code naming a state unattended (the familiar entry points'
            // `stamp_existing_schema_to_head`) gets it only when proven.
            let proven_there =
                diagnosis.evidence == Evidence::Proven && diagnosis.matched_revisions == ids;
            if self.attendance == Attendance::Unattended && !proven_there && !force {
                return Decision {
                    refusal: Some(Refusal::new(
                        format!(
                            "the schema does not prove {} (the diagnosis is {}, evidence {}, at {}); an unattended stamp needs proof, \
                         and `alembic upgrade heads` runs what is pending",
                            named,
                            state_name(diagnosis.state),
                            diagnosis.evidence.name(),
                            if diagnosis.matched_revisions.is_empty() {
                                "no revision".to_owned()
                            } else {
                                diagnosis.matched_state().to_string()
                            }
                        ),
                        Some(Hint::Detailed),
                    )),
                    diagnosis,
                    plan: None,
                    target: ids,
                };
            }
            let strategy = if live.version_table.contents().is_none() {
                Strategy::InitializeAlembicVersion
            } else {
                Strategy::StampExistingSchemaToHead
            };
            return Decision {
                plan: plan_for(strategy, live, Some(&ids)),
                diagnosis,
                refusal: None,
                target: ids,
            };
        }
        let refusal = self
            .refusal(&diagnosis)
            .or_else(|| self.completion_refusal(&diagnosis));
        let writes = refusal.is_none()
            && matches!(
                diagnosis.strategy,
                Strategy::InitializeAlembicVersion
                    | Strategy::RepairCorruptedAlembic
                    | Strategy::CompletePartialMigration
            );
        Decision {
            plan: if writes {
                diagnosis.steps.clone()
            } else {
                None
            },
            target: diagnosis.matched_revisions.clone(),
            diagnosis,
            refusal,
        }
    }

    /// Finishing a half-applied revision writes user objects: only when
    /// asked for.
    fn completion_refusal(&self, diagnosis: &Diagnosis) -> Option<Refusal> {
        let completion = diagnosis.completion.as_ref()?;
        if self.complete || diagnosis.strategy != Strategy::CompletePartialMigration {
            return None;
        }
        let operations: usize = completion
            .statements
            .iter()
            .map(|statement| statement.operations.len())
            .sum();
        Some(Refusal::new(
            format!(
                "revision {} is half-applied; finishing it runs {} DDL statement(s) for its {operations} missing operation(s) before the stamp, \
                 and DDL on user objects runs only when asked for",
                completion.revision,
                completion.statements.len()
            ),
            Some(Hint::Complete),
        ))
    }

    /// Why nothing may be written on this diagnosis, if so.
    pub fn refusal(&self, diagnosis: &Diagnosis) -> Option<Refusal> {
        let state = state_name(diagnosis.state);
        match diagnosis.evidence {
            Evidence::Proven => match diagnosis.strategy {
                Strategy::ManualIntervention => Some(Refusal::new(
                    format!(
                        "the database is {state} and recovery, which writes only the version table, cannot fix it"
                    ),
                    Some(Hint::Detailed),
                )),
                _ => None,
            },
            Evidence::NeedsConfirmation => {
                let chose_among_ties = self.attendance == Attendance::Attended
                    && self.options.tie_policy.is_some()
                    && diagnosis.candidate_revisions.len() > 1
                    && !diagnosis.matched_revisions.is_empty();
                if chose_among_ties {
                    return None;
                }
                let mut candidates = diagnosis.candidate_revisions.clone();
                if candidates.is_empty() && !diagnosis.matched_revisions.is_empty() {
                    candidates.push(diagnosis.matched_state());
                }
                let who = match self.attendance {
                    Attendance::Unattended => {
                        "an unattended run writes only what the schema proves"
                    }
                    Attendance::Attended => "a person must name the revision",
                };
                Some(Refusal::new(
                    format!(
                        "the database is {state}, but the evidence needs confirmation (candidates: {}) and {who}",
                        candidates
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some(Hint::NameRevision(candidates)),
                ))
            }
            Evidence::Refused => {
                if let Some(first) = diagnosis.collisions.first() {
                    return Some(Refusal::new(
                        format!(
                            "pending revision {} would fail against this database ({}: {}); `alembic upgrade` would stop there. \
                             Fix the object by hand, or stamp the revision the schema really is at",
                            first.revision, first.operation, first.message
                        ),
                        Some(Hint::NameRevision(Vec::new())),
                    ));
                }
                match diagnosis.state {
                    State::Drifted => Some(Refusal::new(
                        "the version rows are valid but the schema differs from them in ways no revision explains; \
                         recovery writes only the version table and cannot fix that: bring the schema back in line by hand, \
                         or leave objects that are not the migrations' business out of the comparison",
                        Some(Hint::IgnoreTables(Vec::new())),
                    )),
                    _ => Some(Refusal::new(
                        format!(
                            "the database is {state} and no revision state is proven, so nothing will be stamped by guessing; \
                             decide which revision the schema is at"
                        ),
                        Some(Hint::NameRevision(Vec::new())),
                    )),
                }
            }
            _ => Some(Refusal::new("unknown evidence level", None)),
        }
    }
}
