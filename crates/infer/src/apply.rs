//! Schema changes applied to the expected schema, with the effects each
//! dialect adds on its own: names PostgreSQL and MySQL give unnamed
//! constraints, MySQL's implicit index for a foreign key, and MySQL's unique
//! constraints that are unique indexes.

use std::collections::BTreeSet;
use std::sync::Arc;

use migration_doctor_schema::{
    Column, Dialect, ForeignKey, Index, Schema, Table, TypeFamily, UniqueConstraint,
};

use crate::ddl::is_generated_mysql_key_name;
use crate::naming::{Named, NamingConvention};
use crate::operation::{ColumnChange, Operation, OperationAt};
use crate::sa_types::type_family;
use crate::value::{ColumnSpec, ConstraintSpec, ForeignKeySpec};

/// PostgreSQL's identifier limit (NAMEDATALEN - 1); MySQL's is 64.
const PG_MAX_IDENTIFIER: usize = 63;

/// The key of a table in the expected schema: its name, qualified with its
/// schema when the migration names one.
pub fn table_key(name: &str, schema: Option<&str>) -> String {
    match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_owned(),
    }
}

/// A table key (`schema.table` or `table`) split into its schema and name.
pub(crate) fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once('.') {
        Some((schema, table)) => (Some(schema), table),
        None => (None, key),
    }
}

/// A table key quoted for `dialect`, qualified with its schema when it has one.
pub fn qualified_table(key: &str, dialect: Dialect) -> String {
    match split_key(key) {
        (Some(schema), table) => format!("{}.{}", dialect.quote(schema), dialect.quote(table)),
        (None, table) => dialect.quote(table),
    }
}

/// A column as `create_table` or `add_column` declares it, whether it came
/// from `sa.Column(...)` or from SQL.
#[derive(Debug, Clone)]
pub struct ColumnDefinition {
    pub column: Column,
    /// `nullable=True` given: SQLite then leaves even a key column nullable.
    pub nullable_given: bool,
    pub primary_key: bool,
    pub unique: bool,
    pub index: bool,
    pub foreign_keys: Vec<ForeignKeySpec>,
}

/// Applies operations to a schema, resolving the names each dialect gives
/// on its own, and records each applied operation (resolved) in `log`.
/// `op.*` calls, SQL in `op.execute` and replays of recorded operations all
/// go through it.
pub struct Applier<'a> {
    pub schema: &'a mut Schema,
    pub dialect: Dialect,
    /// The line of the revision file being applied, for the log.
    pub line: usize,
    pub log: Vec<OperationAt>,
    /// Names for unnamed indexes and constraints, as the project's
    /// metadata gives them.
    pub naming: Arc<NamingConvention>,
    /// Tables an operation needed that did not exist: the migrations
    /// assume them (made outside them, by the models' `create_all`).
    pub assumed: BTreeSet<String>,
    /// Indexes (table, name) named by an unconfirmed naming convention.
    pub guessed_index_names: BTreeSet<(String, String)>,
}

/// Why an operation cannot be applied to the schema at that point of the
/// history (the real migration would fail there too).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    #[error("table {0} already exists at this point of the history")]
    TableExists(String),
    #[error("table {0} does not exist at this point of the history")]
    TableMissing(String),
    #[error("column {table}.{column} already exists at this point of the history")]
    ColumnExists { table: String, column: String },
    #[error("column {table}.{column} does not exist at this point of the history")]
    ColumnMissing { table: String, column: String },
    #[error("table {table} would have more than {limit} columns, more than the database allows")]
    TooManyColumns { table: String, limit: usize },
    #[error("index {index} already exists on {table}")]
    IndexExists { table: String, index: String },
    #[error("index {0} does not exist at this point of the history")]
    IndexMissing(String),
    #[error("constraint {constraint} does not exist on {table} at this point of the history")]
    ConstraintMissing { table: String, constraint: String },
    #[error("no unnamed constraint on {table} ({columns})")]
    NoUnnamedConstraint { table: String, columns: String },
}

/// The reason, in words, where operations that cannot be followed are
/// reported as text (the interpreter's unknown operations).
impl From<ApplyError> for String {
    fn from(error: ApplyError) -> String {
        error.to_string()
    }
}

type Applied = Result<(), ApplyError>;

/// The most columns a table can have on `dialect` (PostgreSQL's 1,600,
/// MySQL's 4,096, SQLite's default 2,000): past it the database refuses the
/// column, and the bound keeps a hostile file's name checks small.
fn max_columns(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Postgresql => 1_600,
        Dialect::Mysql => 4_096,
        Dialect::Sqlite => 2_000,
    }
}

/// See [`Applier::batch_start`].
pub struct BatchStart {
    indexes: Vec<Index>,
    log_len: usize,
}

impl<'a> Applier<'a> {
    pub fn new(schema: &'a mut Schema, dialect: Dialect) -> Applier<'a> {
        Applier {
            schema,
            dialect,
            line: 0,
            log: Vec::new(),
            naming: Arc::new(NamingConvention::default()),
            assumed: BTreeSet::new(),
            guessed_index_names: BTreeSet::new(),
        }
    }

    pub fn record(&mut self, operation: Operation) {
        self.log.push(OperationAt {
            line: self.line,
            operation,
        });
    }

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

    /// A table or column name as the database keeps it: PostgreSQL cuts
    /// identifiers to 63 bytes (at a character boundary), which SQLAlchemy
    /// does not check for tables and columns.
    fn clip(&self, name: &str) -> String {
        if self.dialect != Dialect::Postgresql || name.len() <= PG_MAX_IDENTIFIER {
            return name.to_owned();
        }
        let mut end = PG_MAX_IDENTIFIER;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        name[..end].to_owned()
    }

    /// `schema.table` with each part clipped.
    fn clip_key(&self, key: &str) -> String {
        match key.split_once('.') {
            Some((schema, table)) => format!("{}.{}", self.clip(schema), self.clip(table)),
            None => self.clip(key),
        }
    }

    fn clip_all(&self, names: &[String]) -> Vec<String> {
        names.iter().map(|name| self.clip(name)).collect()
    }

    fn table(&mut self, key: &str) -> Result<&mut Table, ApplyError> {
        let key = &self.clip_key(key);
        if !self.schema.tables.contains_key(key) {
            self.assumed.insert(key.to_owned());
        }
        self.schema
            .table_mut(key)
            .ok_or_else(|| ApplyError::TableMissing(key.to_owned()))
    }

    pub fn definition_of(&self, spec: &ColumnSpec) -> ColumnDefinition {
        ColumnDefinition {
            column: self.column_of(spec),
            nullable_given: spec.nullable == Some(true),
            primary_key: spec.primary_key,
            unique: spec.unique,
            index: spec.index,
            foreign_keys: spec.foreign_keys.clone(),
        }
    }

    pub fn column_of(&self, spec: &ColumnSpec) -> Column {
        let type_family = match &spec.type_spec {
            Some(spec) => type_family(spec, self.dialect),
            None => migration_doctor_schema::TypeFamily::Other("unknown".to_owned()),
        };
        Column {
            name: spec.name.clone().unwrap_or_default(),
            native_type: spec
                .type_spec
                .as_ref()
                .map(|spec| spec.name.clone())
                .unwrap_or_default(),
            type_family,
            nullable: spec.nullable.unwrap_or(!spec.primary_key),
            default: spec.server_default.clone(),
        }
    }

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
                let stays_nullable = self.dialect == Dialect::Sqlite && definition.nullable_given;
                if primary_key.contains(&column.name) && !stays_nullable {
                    column.nullable = false;
                }
                column
            })
            .collect();
        // PostgreSQL makes one index for the key and the unique constraints
        // of one `CREATE TABLE` that repeat its columns (or each other's):
        // the repetitions are not made.
        let on_postgresql = self.dialect == Dialect::Postgresql;
        let mut unique_column_sets: Vec<Vec<String>> = vec![primary_key.clone()];
        let mut repeats_a_key = |columns: &[String]| {
            let repeated = on_postgresql && unique_column_sets.iter().any(|made| made == columns);
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
        let limit = max_columns(self.dialect);
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
        let whole = dialect != Dialect::Mysql;
        let primary_key_goes = dialect == Dialect::Postgresql;
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
        let keeps_enum = dialect == Dialect::Postgresql
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

    pub fn create_index(
        &mut self,
        key: &str,
        name: &str,
        columns: Vec<String>,
        unique: bool,
    ) -> Applied {
        let dialect = self.dialect;
        // PostgreSQL cuts a name that is too long (raw SQL reaches it; an
        // expression is text, not a name, and keeps its length).
        let clipped_name = self.clip(name);
        let name = clipped_name.as_str();
        let columns: Vec<String> = columns
            .iter()
            .map(|column| without_ordering(column))
            .map(|column| {
                if column.contains(['(', ' ']) {
                    column
                } else {
                    self.clip(&column)
                }
            })
            .collect();
        let table = self.table(key)?;
        if table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some(name))
        {
            return Err(ApplyError::IndexExists {
                table: key.to_owned(),
                index: name.to_owned(),
            });
        }
        if dialect == Dialect::Mysql {
            drop_implicit_key_indexes(table, &columns);
            if unique {
                // A MySQL unique index is also its unique constraint.
                table.unique_constraints.push(UniqueConstraint {
                    name: Some(name.to_owned()),
                    columns: columns.clone(),
                });
            }
        }
        table.indexes.push(Index {
            name: Some(name.to_owned()),
            columns: columns.clone(),
            unique,
        });
        self.record(Operation::CreateIndex {
            table: key.to_owned(),
            name: name.to_owned(),
            columns,
            unique,
        });
        Ok(())
    }

    /// Drops an index by name, from the named table or from whichever holds it.
    pub fn drop_index(&mut self, name: &str, key: Option<&str>) -> Applied {
        let dialect = self.dialect;
        let mut dropped_from = None;
        let holding: Vec<String> = self
            .schema
            .tables
            .iter()
            .filter(|(table_key, table)| {
                !key.is_some_and(|key| key != *table_key && bare_name(key) != *table_key)
                    && table
                        .indexes
                        .iter()
                        .any(|index| index.name.as_deref() == Some(name))
            })
            .map(|(table_key, _)| table_key.clone())
            .collect();
        for table_key in holding {
            let Some(table) = self.schema.tables.get_mut(&table_key) else {
                continue;
            };
            let table = Arc::make_mut(table);
            table
                .indexes
                .retain(|index| index.name.as_deref() != Some(name));
            {
                if dialect == Dialect::Mysql {
                    table
                        .unique_constraints
                        .retain(|unique| unique.name.as_deref() != Some(name));
                }
                dropped_from = Some(table_key.clone());
                break;
            }
        }
        let table = dropped_from.ok_or_else(|| ApplyError::IndexMissing(name.to_owned()))?;
        self.record(Operation::DropIndex {
            table,
            name: name.to_owned(),
        });
        Ok(())
    }

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
        let name = name.or_else(|| match dialect {
            Dialect::Postgresql => Some(pg_name(&bare, &columns, "key")),
            Dialect::Mysql => Some(mysql_index_name(table, &columns)),
            Dialect::Sqlite => None,
        });
        if dialect == Dialect::Mysql {
            // A MySQL unique constraint is its unique index, which can
            // serve a foreign key in place of the index InnoDB made for it.
            if !given_name && let Some(name) = &name {
                guessed = Some(name.clone());
            }
            drop_implicit_key_indexes(table, &columns);
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
        let name = given.clone().or_else(|| match dialect {
            Dialect::Postgresql => Some(pg_name(&bare, &spec.columns, "fkey")),
            Dialect::Mysql => {
                let taken = table.foreign_keys.len() + 1;
                Some(format!("{bare}_ibfk_{taken}"))
            }
            Dialect::Sqlite => None,
        });
        if dialect == Dialect::Mysql {
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
                    .filter(|name| !is_generated_mysql_key_name(&bare, name))
                    .unwrap_or_else(|| mysql_index_name(table, &spec.columns));
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
                if dialect == Dialect::Mysql {
                    table.indexes.retain(|index| !named(&index.name));
                }
            }
            _ => {
                table
                    .unique_constraints
                    .retain(|unique| !named(&unique.name));
                table.foreign_keys.retain(|key| !named(&key.name));
                if dialect == Dialect::Mysql {
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

impl Applier<'_> {
    /// The names of the tables `wanted` picks.
    fn tables_where(&self, wanted: impl Fn(&Table) -> bool) -> Vec<String> {
        self.schema
            .tables
            .iter()
            .filter(|(_, table)| wanted(table))
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// The name of an unnamed index (`index=True`) of the table `key`
    /// (`table` bare): the convention's `ix`; a guess when the convention
    /// is not confirmed.
    fn index_name(&mut self, key: &str, table: &str, columns: &[String]) -> String {
        let name = self
            .naming
            .name(
                "ix",
                &Named {
                    table,
                    columns,
                    referred_table: None,
                    referred_columns: &[],
                },
                self.dialect,
            )
            .unwrap_or_else(|| format!("ix_{table}_{}", columns.join("_")));
        self.guess_name_unless_confirmed(key, &name);
        name
    }

    fn guess_name_unless_confirmed(&mut self, key: &str, name: &str) {
        if !self.naming.is_confirmed() {
            self.guessed_index_names
                .insert((key.to_owned(), name.to_owned()));
        }
    }
}

/// InnoDB drops the index it made for a foreign key once another index
/// (here one on `columns`) can serve the key.
fn drop_implicit_key_indexes(table: &mut Table, columns: &[String]) {
    let implicit: Vec<(Vec<String>, Vec<String>)> = table
        .foreign_keys
        .iter()
        .filter(|key| columns.starts_with(&key.columns))
        .map(|key| {
            let names = key
                .name
                .iter()
                .cloned()
                .chain(key.columns.first().cloned())
                .collect();
            (key.columns.clone(), names)
        })
        .collect();
    table.indexes.retain(|index| {
        !implicit.iter().any(|(columns, names)| {
            index.columns == *columns
                && index.name.as_ref().is_some_and(|name| names.contains(name))
        })
    });
}

fn bare_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

/// PostgreSQL's name for an unnamed constraint: `<table>_<columns>_<suffix>`,
/// cut to 63 bytes as `ChooseConstraintName` does.
fn pg_name(table: &str, columns: &[String], suffix: &str) -> String {
    let mut name = format!("{table}_{}_{suffix}", columns.join("_"));
    if name.len() > PG_MAX_IDENTIFIER {
        let keep = PG_MAX_IDENTIFIER - suffix.len() - 1;
        let mut head = format!("{table}_{}", columns.join("_"));
        while head.len() > keep {
            head.pop();
        }
        name = format!("{head}_{suffix}");
    }
    name
}

/// MySQL names an unnamed index after its first column, adding `_2`, `_3`…
/// when that name is taken.
fn mysql_index_name(table: &Table, columns: &[String]) -> String {
    let base = columns.first().cloned().unwrap_or_default();
    let taken = |candidate: &str| {
        table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some(candidate))
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

/// An index part written as text (`sa.text("created DESC")`) names its
/// column with an ordering, which the databases' catalogs (and so the live
/// schema) keep apart from the column: the column's name, or the text as it
/// is when it is an expression.
fn without_ordering(part: &str) -> String {
    let mut words: Vec<&str> = part.split_whitespace().collect();
    let upper: Vec<String> = words.iter().map(|word| word.to_ascii_uppercase()).collect();
    let mut keep = words.len();
    if keep >= 3
        && upper[keep - 2] == "NULLS"
        && matches!(upper[keep - 1].as_str(), "FIRST" | "LAST")
    {
        keep -= 2;
    }
    if keep >= 2 && matches!(upper[keep - 1].as_str(), "ASC" | "DESC") {
        keep -= 1;
    }
    words.truncate(keep);
    match words.as_slice() {
        [column] if keep < upper.len() && is_identifier(column) => {
            column.trim_matches(|c| c == '"' || c == '`').to_owned()
        }
        _ => part.to_owned(),
    }
}

fn is_identifier(word: &str) -> bool {
    let bare = word.trim_matches(|c| c == '"' || c == '`');
    !bare.is_empty() && bare.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::without_ordering;

    #[test]
    fn an_ordered_index_part_is_its_column() {
        assert_eq!(without_ordering("version_major DESC"), "version_major");
        assert_eq!(without_ordering("\"start time\" ASC"), "\"start time\" ASC");
        assert_eq!(without_ordering("`created` desc nulls last"), "created");
        assert_eq!(without_ordering("created"), "created");
        assert_eq!(without_ordering("lower(name) DESC"), "lower(name) DESC");
        assert_eq!(without_ordering("DESC"), "DESC");
    }
}
