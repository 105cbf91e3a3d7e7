//! Partial application: a revision explained operation by operation — which
//! of its effects the live schema shows, which it lacks, and which a schema
//! cannot show.

use std::collections::BTreeSet;

use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::{ExpectedState, Operation};
use migration_doctor_schema::{Dialect, Schema, TypeFamily};

use crate::context::{Context, Notes};
use crate::diagnosis::PartialRevision;
use crate::vocabulary::{FindingCode, Hint, Severity};

impl Context<'_> {
    /// Each operation of `revision`: its effect present in the live schema,
    /// missing, or not readable from a schema.
    pub fn explain(&self, revision: RevisionIndex) -> PartialRevision {
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
        let before = self.state_before(revision);
        let mut missing_tables: BTreeSet<&str> = BTreeSet::new();
        for at in expected.operations(revision) {
            let operation = &at.operation;
            if let Some(table) = operation.table()
                && (self.ignored(table) || missing_tables.contains(table))
            {
                continue;
            }
            let description = operation.describe();
            match distinguishing_presence(operation, live, &before.schema) {
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

    /// The state just before `revision`: its parents and dependencies applied.
    pub fn state_before(&self, revision: RevisionIndex) -> ExpectedState {
        let found = self.input.graph.revision(revision);
        let before: Vec<RevisionIndex> = found
            .parents()
            .iter()
            .chain(found.dependencies())
            .copied()
            .collect();
        self.state_of(&self.canonical(&before))
    }

    /// A child of a row's revision with some operations present and some missing.
    pub fn half_applied(
        &self,
        current: &[RevisionIndex],
    ) -> Option<(RevisionIndex, PartialRevision)> {
        let graph = self.graph();
        for &revision in current {
            for &child in graph.revision(revision).children() {
                let partial = self.explain(child);
                if !partial.present.is_empty() && !partial.missing.is_empty() {
                    return Some((child, partial));
                }
            }
        }
        None
    }
}

/// Reports a half-applied revision that the tool cannot finish.
pub(crate) fn report_partial(notes: &mut Notes, partial: &PartialRevision, dialect: Dialect) {
    notes.hinted(
        Severity::Error,
        FindingCode::PartlyApplied,
        format!(
            "revision {} is partly applied ({}): present {}; missing {}; it is never stamped as applied while an operation is missing: create the missing objects (or drop the present ones) by hand, then recover",
            partial.revision,
            how_partly(dialect),
            partial.present.join(", "),
            partial.missing.join(", ")
        ),
        Hint::Recover,
    );
}

/// How a revision comes to be partly applied on `dialect`.
pub(crate) fn how_partly(dialect: Dialect) -> &'static str {
    if migration_doctor_infer::dialect::transactional_ddl(dialect) {
        "DDL is transactional here, so a failing revision leaves nothing behind: part of it was applied by hand, or it ran outside its transaction (autocommit_block)"
    } else {
        "MySQL and MariaDB commit each DDL statement on its own, so a revision that fails stops halfway"
    }
}

/// Whether an operation's effect shows that it ran: as [`presence`], but an
/// effect the state before the revision already had (re-creating a foreign
/// key it dropped, setting a nullability that was already so) proves
/// nothing either way.
pub(crate) fn distinguishing_presence(
    operation: &Operation,
    live: &Schema,
    before: &Schema,
) -> Option<bool> {
    let found = presence(operation, live);
    if found == Some(true) && presence(operation, before) == Some(true) {
        return None;
    }
    found
}

/// Whether an operation's effect can be seen in `live`: `Some(true)` when it
/// is there, `Some(false)` when it is not, `None` when a schema cannot tell.
pub(crate) fn presence(operation: &Operation, live: &Schema) -> Option<bool> {
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
