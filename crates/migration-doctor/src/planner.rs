//! Deciding what a recovery writes, from a diagnosis made under the lock:
//! the strategies that stamp a proven state, `--to-revision` checked against
//! the schema, and refusals for everything else.

use migration_doctor_diagnosis::{
    AnalysisInput, AnalysisOptions, Strategy, analyze, compare, glob_match, plan_for,
};
use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::ExpectedSchemas;
use migration_doctor_live::LiveDatabase;
use migration_doctor_recovery::Decision;

use crate::Project;

/// What a recovery decides with, computed once before the lock.
pub struct RecoveryPlanner {
    pub project: Project,
    pub expected: ExpectedSchemas,
    pub options: AnalysisOptions,
    /// A revision state to stamp instead of the diagnosed one, and whether
    /// to stamp it even when the schema does not match.
    pub to_revision: Option<(Vec<RevisionIndex>, bool)>,
}

impl RecoveryPlanner {
    /// What to write given the database as it is now.
    pub fn decide(&self, live: &LiveDatabase) -> Decision {
        let graph = &self.project.graph;
        let diagnosis = analyze(AnalysisInput {
            graph,
            script_errors: &[],
            expected: Some(&self.expected),
            live,
            options: &self.options,
        });
        if let Some((heads, force)) = &self.to_revision {
            let ids: Vec<String> = {
                let mut ids: Vec<String> = heads
                    .iter()
                    .map(|&i| graph.revision(i).id().to_owned())
                    .collect();
                ids.sort();
                ids
            };
            let schema = self.expected.after_heads(graph, heads);
            let ignore = |name: &str| {
                self.options
                    .ignore_tables
                    .iter()
                    .any(|pattern| glob_match(pattern, name))
            };
            let comparison = compare(&schema, &live.schema, &ignore);
            if !comparison.names_match() && !force {
                return Decision {
                    diagnosis,
                    plan: None,
                    refusal: Some(format!(
                        "the schema does not match {} ({} table or column difference(s)); check by hand, then pass --force to stamp it anyway",
                        ids.join("+"),
                        comparison.name_distance()
                    )),
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
        let writes = matches!(
            diagnosis.strategy,
            Strategy::InitializeAlembicVersion
                | Strategy::RepairCorruptedAlembic
                | Strategy::CompletePartialMigration
        );
        let refusal = match diagnosis.strategy {
            _ if writes => None,
            Strategy::NoActionNeeded | Strategy::NormalMigration => None,
            _ => Some(format!(
                "the database is {} and no revision state is proven, so nothing will be stamped by guessing; \
                 run `migration-doctor diagnose --detailed`, decide which revision the schema is at, then \
                 `migration-doctor recover --to-revision REV`",
                serde_json::to_value(diagnosis.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )),
        };
        Decision {
            plan: if writes { diagnosis.plan.clone() } else { None },
            target: diagnosis.matched_revisions.clone(),
            diagnosis,
            refusal,
        }
    }
}
