//! Schema changes applied to the expected schema, with the effects each
//! dialect adds on its own: names PostgreSQL and MySQL give unnamed
//! constraints, MySQL's implicit index for a foreign key, and MySQL's unique
//! constraints that are unique indexes.
use std::collections::BTreeSet;
use std::sync::Arc;

use migration_doctor_schema::{Column, Dialect, Schema, Table};

use crate::dialect;
use crate::naming::{Named, NamingConvention};
use crate::operation::{Operation, OperationAt};
use crate::sa_types::type_family;
use crate::value::{ColumnSpec, ForeignKeySpec};

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

/// What applying one operation gives: done, or why the real migration
/// would fail there too.
pub(crate) type Applied = Result<(), ApplyError>;

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

    /// A table or column name as the database keeps it (PostgreSQL cuts
    /// long ones).
    pub(crate) fn clip(&self, name: &str) -> String {
        match self.dialect {
            Dialect::Postgresql => dialect::postgresql::clip(name),
            Dialect::Mysql | Dialect::Sqlite => name.to_owned(),
        }
    }

    /// `schema.table` with each part clipped.
    pub(crate) fn clip_key(&self, key: &str) -> String {
        match key.split_once('.') {
            Some((schema, table)) => format!("{}.{}", self.clip(schema), self.clip(table)),
            None => self.clip(key),
        }
    }

    pub(crate) fn clip_all(&self, names: &[String]) -> Vec<String> {
        names.iter().map(|name| self.clip(name)).collect()
    }

    pub(crate) fn table(&mut self, key: &str) -> Result<&mut Table, ApplyError> {
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
}

impl Applier<'_> {
    /// The names of the tables `wanted` picks.
    pub(crate) fn tables_where(&self, wanted: impl Fn(&Table) -> bool) -> Vec<String> {
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
    pub(crate) fn index_name(&mut self, key: &str, table: &str, columns: &[String]) -> String {
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

    pub(crate) fn guess_name_unless_confirmed(&mut self, key: &str, name: &str) {
        if !self.naming.is_confirmed() {
            self.guessed_index_names
                .insert((key.to_owned(), name.to_owned()));
        }
    }
}
