//! Operations recorded earlier, applied again (the operations cache, and
//! the branches replayed before a merge).

use super::applier::{Applied, Applier, ApplyError};
use crate::operation::Operation;
use crate::value::ForeignKeySpec;

impl Applier<'_> {
    /// Applies an operation recorded earlier (names already resolved).
    /// Unknown operations, data steps and views are only recorded.
    pub fn replay(&mut self, operation: &Operation) -> Applied {
        match operation {
            Operation::CreateTable {
                table,
                columns,
                primary_key,
            } => self.create_bare_table(table, columns.clone(), primary_key.clone()),
            Operation::DropTable { table } => self.drop_table(table),
            Operation::RenameTable { table, new_name } => self.rename_table(table, new_name),
            Operation::AddColumn {
                table,
                column,
                primary_key,
            } => self.add_bare_column(table, column.clone(), *primary_key),
            Operation::DropColumn { table, column } => self.drop_column(table, column),
            Operation::AlterColumn {
                table,
                column,
                change,
            } => self.alter_column(table, column, change.clone()),
            Operation::CreateIndex {
                table,
                name,
                columns,
                unique,
            } => self.create_index(table, name, columns.clone(), *unique),
            Operation::DropIndex { table, name } => self.drop_index(name, Some(table)),
            Operation::AddUniqueConstraint {
                table,
                name,
                columns,
            } => self.add_unique(table, name.clone(), columns.clone()),
            Operation::AddForeignKey {
                table,
                foreign_key,
                actions,
            } => self.add_foreign_key(
                table,
                &ForeignKeySpec {
                    name: foreign_key.name.clone(),
                    columns: foreign_key.columns.clone(),
                    referred_schema: foreign_key.referred_schema.clone(),
                    referred_table: foreign_key.referred_table.clone(),
                    referred_columns: foreign_key.referred_columns.clone(),
                    actions: actions.clone(),
                },
            ),
            Operation::CreatePrimaryKey { table, columns } => {
                self.create_primary_key(table, columns.clone())
            }
            Operation::DropConstraint {
                table,
                name,
                constraint_kind,
            } => self.drop_constraint(table, name, constraint_kind.as_deref()),
            Operation::NameConstraint {
                table: key,
                columns,
                foreign,
                name,
            } => {
                let table = self.table(key)?;
                let unnamed = if *foreign {
                    table
                        .foreign_keys
                        .iter_mut()
                        .find(|k| k.name.is_none() && &k.columns == columns)
                        .map(|k| &mut k.name)
                } else {
                    table
                        .unique_constraints
                        .iter_mut()
                        .find(|u| u.name.is_none() && &u.columns == columns)
                        .map(|u| &mut u.name)
                };
                let Some(unnamed) = unnamed else {
                    return Err(ApplyError::NoUnnamedConstraint {
                        table: key.to_owned(),
                        columns: columns.join(", "),
                    });
                };
                *unnamed = Some(name.clone());
                self.record(operation.clone());
                Ok(())
            }
            Operation::CreateView { name } => {
                self.schema.views.insert(name.clone());
                self.record(operation.clone());
                Ok(())
            }
            Operation::DropView { name } => {
                self.schema.views.remove(name);
                self.record(operation.clone());
                Ok(())
            }
            Operation::Data(_) | Operation::Unknown(_) => {
                self.record(operation.clone());
                Ok(())
            }
        }
    }
}
