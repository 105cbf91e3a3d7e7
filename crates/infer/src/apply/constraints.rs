//! Constraints: unique constraints, foreign keys and primary keys, added
//! and dropped, with the names each dialect gives unnamed ones.

use migration_doctor_schema::{ForeignKey, Index, UniqueConstraint};

use super::applier::{Applied, Applier, ApplyError};
use crate::dialect;
use crate::keys::bare_name;
use crate::naming::Named;
use crate::operation::Operation;
use crate::value::ForeignKeySpec;

impl Applier<'_> {
    pub fn add_unique(&mut self, key: &str, name: Option<String>, columns: Vec<String>) -> Applied {
        let columns = self.clip_all(&columns);
        let dialect = self.dialect;
        let bare = bare_name(key).to_owned();
        let given_name = name.is_some();
        let mut guessed = None;
        let name = name.or_else(|| {
            self.naming.name(
                "uq",
                &Named {
                    table: &bare,
                    columns: &columns,
                    referred_table: None,
                    referred_columns: &[],
                },
                dialect,
            )
        });
        let table = self.table(key)?;
        let name =
            name.or_else(|| dialect::unique_constraint_name(dialect, table, &bare, &columns));
        if dialect::unique_constraints_are_indexes(dialect) {
            // A MySQL unique constraint is its unique index, which can
            // serve a foreign key in place of the index InnoDB made for it.
            if !given_name && let Some(name) = &name {
                guessed = Some(name.clone());
            }
            dialect::mysql::drop_implicit_key_indexes(table, &columns);
            table.indexes.push(Index {
                name: name.clone(),
                columns: columns.clone(),
                unique: true,
            });
        }
        table.unique_constraints.push(UniqueConstraint {
            name: name.clone(),
            columns: columns.clone(),
        });
        if let Some(guessed) = guessed {
            self.guess_name_unless_confirmed(key, &guessed);
        }
        self.record(Operation::AddUniqueConstraint {
            table: key.to_owned(),
            name,
            columns,
        });
        Ok(())
    }

    pub fn add_foreign_key(&mut self, key: &str, spec: &ForeignKeySpec) -> Applied {
        let spec = &ForeignKeySpec {
            columns: self.clip_all(&spec.columns),
            referred_table: self.clip(&spec.referred_table),
            referred_columns: self.clip_all(&spec.referred_columns),
            ..spec.clone()
        };
        let dialect = self.dialect;
        let bare = bare_name(key).to_owned();
        let given = spec.name.clone().or_else(|| {
            self.naming.name(
                "fk",
                &Named {
                    table: &bare,
                    columns: &spec.columns,
                    referred_table: Some(&spec.referred_table),
                    referred_columns: &spec.referred_columns,
                },
                dialect,
            )
        });
        let table = self.table(key)?;
        let name = given
            .clone()
            .or_else(|| dialect::foreign_key_name(dialect, table, &bare, &spec.columns));
        if dialect::makes_foreign_key_indexes(dialect) {
            // InnoDB indexes the referencing columns when no index starts with them.
            let covered = table.primary_key.starts_with(&spec.columns)
                || table
                    .indexes
                    .iter()
                    .any(|index| index.columns.starts_with(&spec.columns));
            if !covered {
                // InnoDB names the index after the constraint's own name,
                // else after the column; a replayed operation (a merge's
                // other branch) carries InnoDB's generated name, which is
                // no name of the constraint's own.
                let index_name = given
                    .clone()
                    .filter(|name| !dialect::mysql::is_generated_key_name(&bare, name))
                    .unwrap_or_else(|| dialect::mysql::index_name(table, &spec.columns));
                table.indexes.push(Index {
                    name: Some(index_name),
                    columns: spec.columns.clone(),
                    unique: false,
                });
            }
        }
        let (on_delete, on_update) = spec.actions.compared();
        let foreign_key = ForeignKey {
            name,
            columns: spec.columns.clone(),
            referred_schema: spec.referred_schema.clone(),
            referred_table: spec.referred_table.clone(),
            referred_columns: spec.referred_columns.clone(),
            on_delete,
            on_update,
        };
        table.foreign_keys.push(foreign_key.clone());
        self.record(Operation::AddForeignKey {
            table: key.to_owned(),
            foreign_key,
            actions: spec.actions.clone(),
        });
        Ok(())
    }

    pub fn create_primary_key(&mut self, key: &str, columns: Vec<String>) -> Applied {
        let columns = self.clip_all(&columns);
        let table = self.table(key)?;
        for column in &mut table.columns {
            if columns.contains(&column.name) {
                column.nullable = false;
            }
        }
        table.primary_key = columns.clone();
        self.record(Operation::CreatePrimaryKey {
            table: key.to_owned(),
            columns,
        });
        Ok(())
    }

    /// `drop_constraint(name, table, type_=…)`: whatever constraint of that
    /// name the table has.
    pub fn drop_constraint(&mut self, key: &str, name: &str, kind: Option<&str>) -> Applied {
        let dialect = self.dialect;
        let table = self.table(key)?;
        let named = |candidate: &Option<String>| candidate.as_deref() == Some(name);
        let before =
            table.unique_constraints.len() + table.foreign_keys.len() + table.indexes.len();
        let recorded = Operation::DropConstraint {
            table: key.to_owned(),
            name: name.to_owned(),
            constraint_kind: kind.map(str::to_owned),
        };
        match kind {
            Some("primary") => {
                table.primary_key.clear();
                self.record(recorded);
                return Ok(());
            }
            Some("check") => {
                self.record(recorded);
                return Ok(());
            }
            Some("foreignkey") => table.foreign_keys.retain(|key| !named(&key.name)),
            Some("unique") => {
                table
                    .unique_constraints
                    .retain(|unique| !named(&unique.name));
                if dialect::unique_constraints_are_indexes(dialect) {
                    table.indexes.retain(|index| !named(&index.name));
                }
            }
            _ => {
                table
                    .unique_constraints
                    .retain(|unique| !named(&unique.name));
                table.foreign_keys.retain(|key| !named(&key.name));
                if dialect::unique_constraints_are_indexes(dialect) {
                    table.indexes.retain(|index| !named(&index.name));
                }
            }
        }
        let after = table.unique_constraints.len() + table.foreign_keys.len() + table.indexes.len();
        if before == after && kind.is_some() {
            return Err(ApplyError::ConstraintMissing {
                table: key.to_owned(),
                constraint: name.to_owned(),
            });
        }
        self.record(recorded);
        Ok(())
    }
}
