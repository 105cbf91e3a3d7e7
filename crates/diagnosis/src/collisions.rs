//! Collisions: pending revisions replayed on a copy of the live schema. One
//! that creates what exists, or drops what does not, would stop the real
//! `alembic upgrade` there.

use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::{Operation, apply_operation};
use migration_doctor_schema::Schema;

use crate::context::{Context, Notes};
use crate::diagnosis::Collision;
use crate::vocabulary::{FindingCode, Severity};

impl Context<'_> {
    /// Pending revisions (after `current`, in history order) replayed on a
    /// copy of `schema` (the live schema, or as a completion would leave
    /// it): creating what exists, or dropping what does not, would fail in
    /// the real `alembic upgrade`.
    pub fn collisions(&self, current: &[RevisionIndex], schema: &Schema) -> Vec<Collision> {
        let Some(expected) = self.input.expected else {
            return Vec::new();
        };
        let graph = self.input.graph;
        let applied = self.applied_set(current);
        // Against the whole live schema, ignored and uncertain tables
        // included: the real `alembic upgrade` meets them all.
        let mut schema: Schema = schema.clone();
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
                // An operation that cannot be applied here was just reported
                // as a collision, or changes nothing a later one could meet.
                apply_operation(&mut schema, expected.dialect, operation).ok();
            }
        }
        found
    }
}

/// One error finding per collision.
pub(crate) fn report_collisions(notes: &mut Notes, collisions: &[Collision]) {
    for collision in collisions {
        notes.finding(
            Severity::Error,
            FindingCode::Collision,
            format!(
                "pending revision {} would fail: {} — {}; `alembic upgrade` would stop there",
                collision.revision, collision.operation, collision.message
            ),
        );
    }
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
