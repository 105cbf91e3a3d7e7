//! Batch blocks (`with op.batch_alter_table(...)`) that rebuild their
//! table: the names a naming convention gives its unnamed constraints, and
//! the indexes alembic re-creates on the new table.

use migration_doctor_schema::Index;

use super::applier::Applier;
use crate::keys::bare_name;
use crate::naming::{Named, NamingConvention};
use crate::operation::Operation;

/// See [`Applier::batch_start`].
pub struct BatchStart {
    indexes: Vec<Index>,
    log_len: usize,
}

impl Applier<'_> {
    /// The start of a batch block that rebuilds its table with a naming
    /// convention: alembic reflects the table into metadata with that
    /// convention, so its unnamed unique constraints and foreign keys get
    /// the convention's names (and keep them in the rebuilt table).
    pub fn name_unnamed_constraints(&mut self, key: &str, naming: &NamingConvention) {
        let dialect = self.dialect;
        let bare = bare_name(key).to_owned();
        let Some(table) = self.schema.tables.get(key) else {
            return;
        };
        let mut named = Vec::new();
        for unique in table.unique_constraints.iter().filter(|u| u.name.is_none()) {
            let subject = Named {
                table: &bare,
                columns: &unique.columns,
                referred_table: None,
                referred_columns: &[],
            };
            if let Some(name) = naming.name("uq", &subject, dialect) {
                named.push((unique.columns.clone(), false, name));
            }
        }
        for key in table.foreign_keys.iter().filter(|k| k.name.is_none()) {
            let subject = Named {
                table: &bare,
                columns: &key.columns,
                referred_table: Some(&key.referred_table),
                referred_columns: &key.referred_columns,
            };
            if let Some(name) = naming.name("fk", &subject, dialect) {
                named.push((key.columns.clone(), true, name));
            }
        }
        for (columns, foreign, name) in named {
            // The constraint was just found on the table: naming it applies.
            self.replay(&Operation::NameConstraint {
                table: key.to_owned(),
                columns,
                foreign,
                name,
            })
            .ok();
        }
    }

    /// What a table rebuilt by a batch block starts with: its indexes, and
    /// where the block's operations begin in the log.
    pub fn batch_start(&self, key: &str) -> BatchStart {
        BatchStart {
            indexes: self
                .schema
                .tables
                .get(key)
                .map(|table| table.indexes.clone())
                .unwrap_or_default(),
            log_len: self.log.len(),
        }
    }

    /// The end of a batch block that rebuilds its table: alembic re-creates
    /// the table's earlier indexes on the new table unless the block dropped
    /// them by name, so an index a dropped column took with it comes back
    /// when the block adds the column again.
    pub fn recreate_batch_indexes(&mut self, key: &str, start: BatchStart) {
        let dropped_by_name: Vec<String> = self.log[start.log_len.min(self.log.len())..]
            .iter()
            .filter_map(|at| match &at.operation {
                Operation::DropIndex { name, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        for index in start.indexes {
            let Some(name) = index.name else { continue };
            let Some(table) = self.schema.tables.get(key) else {
                return;
            };
            let restorable = !dropped_by_name.contains(&name)
                && !table
                    .indexes
                    .iter()
                    .any(|existing| existing.name.as_deref() == Some(name.as_str()))
                && index
                    .columns
                    .iter()
                    .all(|column| table.column(column).is_some());
            if restorable {
                // Cannot fail: the table and columns exist and the name is free.
                self.create_index(key, &name, index.columns, index.unique)
                    .ok();
            }
        }
    }
}
