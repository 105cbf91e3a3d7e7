//! Tables: created (with what `CREATE TABLE` declares inline), dropped
//! and renamed.

use migration_doctor_schema::{Column, Table};

use std::sync::Arc;

use super::applier::{Applied, Applier, ApplyError, ColumnDefinition};
use crate::dialect;
use crate::keys::bare_name;
use crate::operation::Operation;
use crate::value::{ColumnSpec, ConstraintSpec, ForeignKeySpec};

impl Applier<'_> {
    pub fn create_table(
        &mut self,
        key: &str,
        columns: &[ColumnSpec],
        constraints: &[ConstraintSpec],
    ) -> Applied {
        let definitions: Vec<ColumnDefinition> = columns
            .iter()
            .map(|spec| self.definition_of(spec))
            .collect();
        self.create_table_from(key, definitions, constraints)
    }

    /// `CREATE TABLE` with its inline keys, indexes and constraints.
    pub fn create_table_from(
        &mut self,
        key: &str,
        columns: Vec<ColumnDefinition>,
        constraints: &[ConstraintSpec],
    ) -> Applied {
        if self.schema.tables.contains_key(key) {
            return Err(ApplyError::TableExists(key.to_owned()));
        }
        let explicit_pk = constraints.iter().find_map(|constraint| match constraint {
            ConstraintSpec::PrimaryKey { columns, .. } => Some(columns.clone()),
            _ => None,
        });
        let primary_key = explicit_pk.unwrap_or_else(|| {
            columns
                .iter()
                .filter(|definition| definition.primary_key)
                .map(|definition| definition.column.name.clone())
                .collect()
        });
        let bare_columns: Vec<Column> = columns
            .iter()
            .map(|definition| {
                let mut column = definition.column.clone();
                // A key column is NOT NULL, except on SQLite when the
                // migration says `nullable=True` (SQLAlchemy then writes no
                // NOT NULL, and SQLite adds none).
                let stays_nullable = dialect::key_column_may_stay_nullable(self.dialect)
                    && definition.nullable_given;
                if primary_key.contains(&column.name) && !stays_nullable {
                    column.nullable = false;
                }
                column
            })
            .collect();
        // PostgreSQL makes one index for the key and the unique constraints
        // of one `CREATE TABLE` that repeat its columns (or each other's):
        // the repetitions are not made.
        let merges_repeats = dialect::merges_repeated_unique_keys(self.dialect);
        let mut unique_column_sets: Vec<Vec<String>> = vec![primary_key.clone()];
        let mut repeats_a_key = |columns: &[String]| {
            let repeated = merges_repeats && unique_column_sets.iter().any(|made| made == columns);
            unique_column_sets.push(columns.to_vec());
            repeated
        };
        self.create_bare_table(key, bare_columns, primary_key)?;
        let bare = bare_name(key).to_owned();
        for definition in &columns {
            let name = definition.column.name.clone();
            // `index=True` makes an index, unique with `unique=True` (and
            // then no separate constraint), as SQLAlchemy's `Column` does.
            if definition.index {
                let index = self.index_name(key, &bare, std::slice::from_ref(&name));
                self.create_index(key, &index, vec![name.clone()], definition.unique)?;
            } else if definition.unique && !repeats_a_key(std::slice::from_ref(&name)) {
                self.add_unique(key, None, vec![name.clone()])?;
            }
        }
        // One `CREATE TABLE` makes every key at once: InnoDB indexes a
        // foreign key only when no index of the same statement starts with
        // its columns, so the indexes go first.
        let mut foreign_keys: Vec<ForeignKeySpec> = columns
            .iter()
            .flat_map(|definition| {
                definition.foreign_keys.iter().map(|foreign_key| {
                    let mut foreign_key = foreign_key.clone();
                    foreign_key.columns = vec![definition.column.name.clone()];
                    foreign_key
                })
            })
            .collect();
        for constraint in constraints {
            match constraint {
                ConstraintSpec::ForeignKey(foreign_key) => foreign_keys.push(foreign_key.clone()),
                ConstraintSpec::PrimaryKey { .. } => {}
                ConstraintSpec::Check => {
                    self.record(Operation::Unknown(crate::operation::UnknownOperation {
                        path: std::path::PathBuf::new(),
                        line: self.line,
                        text: format!("check constraint on {key}"),
                        reason: "check constraints are not compared".to_owned(),
                        names: vec![key.to_owned()],
                        touches_no_table: false,
                    }))
                }
                ConstraintSpec::Unique { name, columns } => {
                    if !repeats_a_key(columns) {
                        self.add_unique(key, name.clone(), columns.clone())?
                    }
                }
                ConstraintSpec::Index {
                    name,
                    columns,
                    unique,
                } => {
                    let name = name
                        .clone()
                        .unwrap_or_else(|| self.index_name(key, &bare, columns));
                    self.create_index(key, &name, columns.clone(), *unique)?
                }
            }
        }
        for foreign_key in &foreign_keys {
            self.add_foreign_key(key, foreign_key)?;
        }
        Ok(())
    }

    /// The table with its columns and primary key only.
    pub fn create_bare_table(
        &mut self,
        key: &str,
        columns: Vec<Column>,
        primary_key: Vec<String>,
    ) -> Applied {
        let key = &self.clip_key(key);
        let columns: Vec<Column> = columns
            .into_iter()
            .map(|mut column| {
                column.name = self.clip(&column.name);
                column
            })
            .collect();
        let primary_key = self.clip_all(&primary_key);
        if self.schema.tables.contains_key(key) {
            return Err(ApplyError::TableExists(key.to_owned()));
        }
        self.record(Operation::CreateTable {
            table: key.to_owned(),
            columns: columns.clone(),
            primary_key: primary_key.clone(),
        });
        self.schema.insert_table(
            key.to_owned(),
            Table {
                columns,
                primary_key,
                ..Table::default()
            },
        );
        Ok(())
    }

    pub fn drop_table(&mut self, key: &str) -> Applied {
        let key = &self.clip_key(key);
        self.schema.remove_table(key).ok_or_else(|| {
            self.assumed.insert(key.to_owned());
            ApplyError::TableMissing(key.to_owned())
        })?;
        self.record(Operation::DropTable {
            table: key.to_owned(),
        });
        Ok(())
    }

    pub fn rename_table(&mut self, old: &str, new: &str) -> Applied {
        let (old, new) = (&self.clip_key(old), &self.clip_key(new));
        let table = self
            .schema
            .tables
            .remove(old)
            .ok_or_else(|| ApplyError::TableMissing(old.to_owned()))?;
        self.schema.tables.insert(new.to_owned(), table);
        self.record(Operation::RenameTable {
            table: old.to_owned(),
            new_name: new.to_owned(),
        });
        let (old_bare, new_bare) = (bare_name(old).to_owned(), bare_name(new).to_owned());
        let referring = self.tables_where(|table| {
            table
                .foreign_keys
                .iter()
                .any(|key| key.referred_table == old_bare)
        });
        for key in referring {
            if let Some(table) = self.schema.tables.get_mut(&key) {
                for foreign_key in &mut Arc::make_mut(table).foreign_keys {
                    if foreign_key.referred_table == old_bare {
                        foreign_key.referred_table = new_bare.clone();
                    }
                }
            }
        }
        Ok(())
    }
}
