//! Columns: added (with the keys, index and constraints they declare
//! inline), dropped and altered.

use migration_doctor_schema::{Column, TypeFamily};

use std::sync::Arc;

use super::applier::{Applied, Applier, ApplyError, ColumnDefinition};
use crate::dialect;
use crate::keys::bare_name;
use crate::operation::{ColumnChange, Operation};
use crate::value::ColumnSpec;

impl Applier<'_> {
    pub fn add_column(&mut self, key: &str, spec: &ColumnSpec) -> Applied {
        let definition = self.definition_of(spec);
        self.add_column_from(key, definition)
    }

    /// `ADD COLUMN` with the keys, index and constraints it declares inline.
    pub fn add_column_from(&mut self, key: &str, definition: ColumnDefinition) -> Applied {
        let name = definition.column.name.clone();
        self.add_bare_column(key, definition.column, definition.primary_key)?;
        if definition.index {
            let bare = bare_name(key).to_owned();
            let index = self.index_name(key, &bare, std::slice::from_ref(&name));
            self.create_index(key, &index, vec![name.clone()], definition.unique)?;
        } else if definition.unique {
            self.add_unique(key, None, vec![name.clone()])?;
        }
        for foreign_key in &definition.foreign_keys {
            let mut foreign_key = foreign_key.clone();
            foreign_key.columns = vec![name.clone()];
            self.add_foreign_key(key, &foreign_key)?;
        }
        Ok(())
    }

    pub fn add_bare_column(&mut self, key: &str, mut column: Column, primary_key: bool) -> Applied {
        column.name = self.clip(&column.name);
        let name = column.name.clone();
        let limit = dialect::max_columns(self.dialect);
        let table = self.table(key)?;
        if table.columns.len() >= limit {
            return Err(ApplyError::TooManyColumns {
                table: key.to_owned(),
                limit,
            });
        }
        if table.column(&name).is_some() {
            return Err(ApplyError::ColumnExists {
                table: key.to_owned(),
                column: name.to_owned(),
            });
        }
        table.columns.push(column.clone());
        if primary_key {
            table.primary_key.push(name);
        }
        self.record(Operation::AddColumn {
            table: key.to_owned(),
            column,
            primary_key,
        });
        Ok(())
    }

    pub fn drop_column(&mut self, key: &str, name: &str) -> Applied {
        let clipped = self.clip(name);
        let name = clipped.as_str();
        let dialect = self.dialect;
        let table = self.table(key)?;
        let before = table.columns.len();
        table.columns.retain(|column| column.name != name);
        if table.columns.len() == before {
            return Err(ApplyError::ColumnMissing {
                table: key.to_owned(),
                column: name.to_owned(),
            });
        }
        // Whatever covers the column goes with it, as the databases do:
        // PostgreSQL drops every key and index that names it, whole; MySQL
        // and MariaDB take the column out of them (an index left without
        // columns goes); SQLite's batch rebuild keeps the rest of the
        // primary key and drops the indexes.
        let whole = dialect::drop_column_takes_whole_keys(dialect);
        let primary_key_goes = dialect::drop_column_drops_primary_key(dialect);
        if primary_key_goes && table.primary_key.iter().any(|column| column == name) {
            table.primary_key.clear();
        } else {
            table.primary_key.retain(|column| column != name);
        }
        if whole {
            table
                .indexes
                .retain(|index| !index.columns.iter().any(|column| column == name));
            table
                .unique_constraints
                .retain(|unique| !unique.columns.iter().any(|column| column == name));
        } else {
            for index in &mut table.indexes {
                index.columns.retain(|column| column != name);
            }
            table.indexes.retain(|index| !index.columns.is_empty());
            for unique in &mut table.unique_constraints {
                unique.columns.retain(|column| column != name);
            }
            table
                .unique_constraints
                .retain(|unique| !unique.columns.is_empty());
        }
        table
            .foreign_keys
            .retain(|key| !key.columns.iter().any(|column| column == name));
        self.record(Operation::DropColumn {
            table: key.to_owned(),
            column: name.to_owned(),
        });
        Ok(())
    }

    pub fn alter_column(&mut self, key: &str, name: &str, mut change: ColumnChange) -> Applied {
        let clipped = self.clip(name);
        let name = clipped.as_str();
        change.new_name = change.new_name.map(|new_name| self.clip(&new_name));
        let recorded = Operation::AlterColumn {
            table: key.to_owned(),
            column: name.to_owned(),
            change: change.clone(),
        };
        let ColumnChange {
            nullable,
            type_family: new_type,
            native_type: native,
            new_name,
        } = change;
        let new_name = new_name.as_deref();
        let dialect = self.dialect;
        let table = self.table(key)?;
        let column = table
            .columns
            .iter_mut()
            .find(|column| column.name == name)
            .ok_or_else(|| ApplyError::ColumnMissing {
                table: key.to_owned(),
                column: name.to_owned(),
            })?;
        if let Some(nullable) = nullable {
            column.nullable = nullable;
        }
        // PostgreSQL: `ALTER COLUMN … TYPE trialstate` with an enum type that
        // already exists keeps that type's labels (alembic does not add
        // labels; checked with alembic 1.20).
        let keeps_enum = dialect::alter_type_keeps_enum_labels(dialect)
            && matches!(new_type, Some(TypeFamily::Enum { .. }))
            && matches!(column.type_family, TypeFamily::Enum { .. });
        if let Some(family) = new_type
            && !keeps_enum
        {
            column.type_family = family;
        }
        if let Some(native) = native {
            column.native_type = native;
        }
        if let Some(new_name) = new_name {
            column.name = new_name.to_owned();
            let rename = |columns: &mut Vec<String>| {
                for column in columns.iter_mut() {
                    if column == name {
                        *column = new_name.to_owned();
                    }
                }
            };
            rename(&mut table.primary_key);
            table
                .indexes
                .iter_mut()
                .for_each(|index| rename(&mut index.columns));
            table
                .unique_constraints
                .iter_mut()
                .for_each(|unique| rename(&mut unique.columns));
            table
                .foreign_keys
                .iter_mut()
                .for_each(|key| rename(&mut key.columns));
            let bare = bare_name(key).to_owned();
            let referring = self.tables_where(|other| {
                other
                    .foreign_keys
                    .iter()
                    .any(|key| key.referred_table == bare)
            });
            for other_key in referring {
                let Some(other) = self.schema.tables.get_mut(&other_key) else {
                    continue;
                };
                for foreign_key in &mut Arc::make_mut(other).foreign_keys {
                    if foreign_key.referred_table == bare {
                        for column in &mut foreign_key.referred_columns {
                            if column == name {
                                *column = new_name.to_owned();
                            }
                        }
                    }
                }
            }
        }
        self.record(recorded);
        Ok(())
    }
}
