//! Completion: how a half-applied revision is finished — the DDL of its
//! missing creations in the revision's order, then the stamp — and what
//! blocks that or keeps it from being proven.

use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::{
    Operation, apply_operation, creates, qualified_table, render_creations,
};
use migration_doctor_schema::Schema;

use crate::compare::Comparer;
use crate::context::{Context, Notes};
use crate::diagnosis::{Completion, ProbeAnswer, ProbeReport, ProbeRequest};
use crate::partial::distinguishing_presence;
use crate::ties::probe_says_applied;
use crate::vocabulary::{Hint, Refusal};

/// A completion worked out: what it runs, the state it stamps, and the live
/// schema as it would leave it (pending revisions are checked against that).
pub(crate) struct Finished {
    pub completion: Completion,
    pub target: Vec<RevisionIndex>,
    pub schema: Schema,
}

impl Context<'_> {
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
    pub fn completion(
        &self,
        current: &[RevisionIndex],
        child: RevisionIndex,
        notes: &mut Notes,
    ) -> Finished {
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
            target: self.set(&target),
            blockers: Vec::new(),
            doubts: Vec::new(),
        };
        let mut completed = live.schema.clone();
        let Some(expected) = self.input.expected else {
            completion
                .blockers
                .push(Refusal::new("no expected schema", None));
            return Finished {
                completion,
                target,
                schema: completed,
            };
        };
        let operations = expected.operations(child);
        let before = self.state_before(child);
        let presences: Vec<Option<bool>> = operations
            .iter()
            .map(|at| distinguishing_presence(&at.operation, &live.schema, &before.schema))
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
                completion.blockers.push(Refusal::new(
                    format!(
                        "{} (line {line}) touches a table left out of the comparison: create it by hand, or stop ignoring it",
                        operation.describe()
                    ),
                    None,
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
                Some(false) => completion.blockers.push(Refusal::new(
                    format!(
                        "{} (line {line}) is missing and does not create anything: run it by hand (`alembic upgrade {}` does not resume a revision), then recover",
                        operation.describe(),
                        completion.revision
                    ),
                    Some(Hint::Recover),
                )),
                None if after_last_present
                    && let Operation::Data(step) = operation
                    && let Some(probe) = &step.probe =>
                {
                    self.check_data_step(probe, step.sql.as_deref(), line, &mut completion, notes);
                }
                None if after_last_present => completion.blockers.push(Refusal::new(
                    format!(
                        "{} (line {line}) cannot be read from the schema and may not have run: run it by hand if it did not, then stamp {}",
                        operation.describe(),
                        completion.revision
                    ),
                    Some(Hint::NameRevision(vec![completion.target.clone()])),
                )),
                None => {}
            }
        }
        for operation in &missing {
            self.check_unique_data(operation, &mut completion, notes);
        }
        match render_creations(&missing, live.dialect) {
            Ok(statements) => completion.statements = statements,
            Err(refused) => completion.blockers.push(Refusal::new(
                format!(
                    "{} cannot be run by the tool: {}; create it by hand, then recover",
                    refused.operation, refused.reason
                ),
                Some(Hint::Recover),
            )),
        }
        for operation in &missing {
            if let Err(why) = apply_operation(&mut completed, live.dialect, operation) {
                completion.blockers.push(Refusal::new(
                    format!("{} cannot be applied: {why}", operation.describe()),
                    None,
                ));
            }
        }
        // The schema the completion leaves must be the child's state in
        // every certain detail: nothing else may be missing or different.
        let skip = |name: &str| self.ignored(name) || !expected.is_managed(name);
        let after = Comparer::new(&completed, &skip)
            .with_rules(self.rules())
            .compare(&self.state_of(&target));
        if !after.agrees() {
            let shown: Vec<String> = after.differences().into_iter().take(5).collect();
            completion.blockers.push(Refusal::new(
                format!(
                    "finished, the schema would still differ from {} ({}): bring those objects in line by hand",
                    self.set(&target),
                    shown.join("; ")
                ),
                None,
            ));
        } else if !after.unverified.is_empty() {
            completion.doubts.push(format!(
                "tables touched by code that could not be followed differ: {}",
                after.unverified.join("; ")
            ));
        }
        Finished {
            completion,
            target,
            schema: completed,
        }
    }

    /// A data step of the half-applied revision that the schema cannot
    /// show, told by its probe: it ran (or rerunning it would change
    /// nothing) and the completion may go on; or rows it would still change
    /// are there, and it is to be run by hand first.
    fn check_data_step(
        &self,
        probe: &migration_doctor_infer::Probe,
        sql: Option<&str>,
        line: usize,
        completion: &mut Completion,
        notes: &mut Notes,
    ) {
        let request = ProbeRequest {
            revision: completion.revision.clone(),
            sql: probe.query.clone(),
        };
        let Some(answer) = self.probe_answer(&request) else {
            notes.probe_requests.insert(request);
            completion
                .doubts
                .push(format!("the data step at line {line} is not checked yet"));
            return;
        };
        let applied = probe_says_applied(&answer, probe);
        notes.report_probe(ProbeReport {
            revision: completion.revision.clone(),
            sql: probe.query.clone(),
            answer: answer.clone(),
            applied,
        });
        // No row left for an UPDATE or DELETE to change: rerunning it would
        // change nothing, so the completion may go on.
        let nothing_left = answer == ProbeAnswer::NoRows && !probe.applied_when_found;
        let ran = if nothing_left { Some(true) } else { applied };
        match (ran, &answer) {
            (Some(true), _) => {}
            (Some(false), _) => completion.blockers.push(Refusal::new(
                match sql {
                    Some(sql) => format!(
                        "the data step at line {line} did not run (its check, {}, says so): run it by hand ({}), then finish the revision",
                        probe.query.trim_end_matches(';'),
                        sql.trim().trim_end_matches(';')
                    ),
                    None => format!(
                        "the data step at line {line} did not run (its check, {}, says so): run it by hand, then finish the revision",
                        probe.query.trim_end_matches(';')
                    ),
                },
                Some(Hint::Complete),
            )),
            (None, ProbeAnswer::Failed(why)) => completion.blockers.push(Refusal::new(
                format!(
                    "whether the data step at line {line} ran could not be checked ({why}): run it by hand if it did not, then stamp {}",
                    completion.target
                ),
                Some(Hint::NameRevision(vec![completion.target.clone()])),
            )),
            (None, _) => {}
        }
    }

    /// A unique index, unique constraint or primary key to create on a
    /// table that exists: rows with the same values would make its DDL fail
    /// (and most often are why the revision stopped). Asks a read-only probe
    /// for such rows; found, they block the completion, named.
    fn check_unique_data(
        &self,
        operation: &Operation,
        completion: &mut Completion,
        notes: &mut Notes,
    ) {
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
        let Some(answer) = self.probe_answer(&request) else {
            notes.probe_requests.insert(request);
            completion.doubts.push(format!(
                "{}: rows with the same values not checked yet",
                operation.describe()
            ));
            return;
        };
        notes.report_probe(ProbeReport {
            revision: completion.revision.clone(),
            sql: sql.clone(),
            answer: answer.clone(),
            applied: None,
        });
        match answer {
            ProbeAnswer::RowsFound => completion.blockers.push(Refusal::new(
                format!(
                    "{} cannot be created: {table} has rows with the same {} (most likely why the revision stopped); \
                     this query lists them: {sql}; change or remove them by hand, then finish the revision",
                    operation.describe(),
                    columns.join(", ")
                ),
                Some(Hint::Complete),
            )),
            ProbeAnswer::Failed(why) => completion.doubts.push(format!(
                "{}: rows with the same values could not be checked ({why})",
                operation.describe()
            )),
            _ => {}
        }
    }
}
