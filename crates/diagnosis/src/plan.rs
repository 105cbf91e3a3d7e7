//! The steps a strategy would run: they write only the version table,
//! exactly as alembic makes it, in the configured name and schema.

use migration_doctor_schema::{LiveDatabase, PlanStep};

use crate::vocabulary::Strategy;

/// The steps of `strategy` that stamp `target`; `None` when the strategy
/// writes nothing or has no target.
pub fn plan_for(
    strategy: Strategy,
    live: &LiveDatabase,
    target: Option<&[String]>,
) -> Option<Vec<PlanStep>> {
    let table = live.version_table.place();
    let inserts = |target: &[String]| -> Vec<PlanStep> {
        target
            .iter()
            .map(|revision| PlanStep::InsertVersion {
                table: table.clone(),
                version: Some(revision.clone()),
            })
            .collect()
    };
    match (strategy, target) {
        (Strategy::InitializeAlembicVersion, Some(target)) => {
            let mut steps = vec![PlanStep::CreateVersionTable(table.clone())];
            steps.extend(inserts(target));
            Some(steps)
        }
        (
            Strategy::RepairCorruptedAlembic
            | Strategy::CompletePartialMigration
            | Strategy::StampExistingSchemaToHead,
            Some(target),
        ) => {
            let mut steps = vec![PlanStep::DeleteVersions(table.clone())];
            steps.extend(inserts(target));
            Some(steps)
        }
        _ => None,
    }
}
