//! A revision's effect as data: the list of operations its `upgrade()`
//! performs, in order, with every name resolved as the target dialect
//! resolves it (PostgreSQL's and MySQL's names for unnamed constraints).
//!
//! The interpreter emits them; applying them to a schema (the expected
//! schema, or a copy of the live one to find collisions), explaining a
//! partly applied revision and probing data steps are consumers of the same
//! list. Anything the interpreter could not follow is an
//! [`Operation::Unknown`], never dropped.

use std::collections::BTreeSet;
use std::path::PathBuf;

use migration_doctor_schema::{Column, ForeignKey, ReferentialAction, TypeFamily};
use serde::Serialize;

/// One operation of a revision, with the line of the revision file it
/// comes from.
#[derive(Debug, Clone, PartialEq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct OperationAt {
    pub line: usize,
    #[serde(flatten)]
    pub operation: Operation,
}

/// `ondelete=` and `onupdate=` of a foreign key, as the migration spells
/// them (`CASCADE`, `SET NULL`, …).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct ReferentialActions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// An `ondelete=` or `onupdate=` whose value could not be read: the
    /// key's actions are unknown, and its DDL cannot be written.
    #[serde(skip)]
    pub unreadable: bool,
}

impl ReferentialActions {
    pub fn is_empty(&self) -> bool {
        self.on_delete.is_none() && self.on_update.is_none() && !self.unreadable
    }

    /// `(ON DELETE, ON UPDATE)` as the schema compares them.
    pub fn compared(&self) -> (ReferentialAction, ReferentialAction) {
        let action = |keyword: &Option<String>| match keyword {
            _ if self.unreadable => ReferentialAction::Unknown,
            Some(keyword) => ReferentialAction::parse(keyword),
            None => ReferentialAction::NoAction,
        };
        (action(&self.on_delete), action(&self.on_update))
    }
}

/// What one step of `upgrade()` does to the database.
#[derive(Debug, Clone, PartialEq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operation {
    /// The table with its columns and primary key; its indexes and
    /// constraints follow as operations of their own.
    CreateTable {
        table: String,
        columns: Vec<Column>,
        primary_key: Vec<String>,
    },
    DropTable {
        table: String,
    },
    RenameTable {
        table: String,
        new_name: String,
    },
    AddColumn {
        table: String,
        column: Column,
        primary_key: bool,
    },
    DropColumn {
        table: String,
        column: String,
    },
    AlterColumn {
        table: String,
        column: String,
        change: ColumnChange,
    },
    CreateIndex {
        table: String,
        name: String,
        columns: Vec<String>,
        unique: bool,
    },
    DropIndex {
        table: String,
        name: String,
    },
    AddUniqueConstraint {
        table: String,
        name: Option<String>,
        columns: Vec<String>,
    },
    AddForeignKey {
        table: String,
        foreign_key: ForeignKey,
        /// Not part of the compared schema (catalogs differ in how they
        /// report them), but part of the DDL that completes a revision.
        #[serde(skip_serializing_if = "ReferentialActions::is_empty")]
        actions: ReferentialActions,
    },
    CreatePrimaryKey {
        table: String,
        columns: Vec<String>,
    },
    DropConstraint {
        table: String,
        name: String,
        constraint_kind: Option<String>,
    },
    /// An unnamed unique constraint (`foreign: false`) or foreign key named
    /// by the naming convention of a batch block that rebuilds its table
    /// (`batch_alter_table(..., naming_convention=...)` on SQLite).
    NameConstraint {
        table: String,
        columns: Vec<String>,
        foreign: bool,
        name: String,
    },
    CreateView {
        name: String,
    },
    DropView {
        name: String,
    },
    /// A step that moves data and changes no schema (`UPDATE`, `INSERT`,
    /// `DELETE`, `bulk_insert`, an ORM session).
    Data(DataStep),
    /// Something that could not be followed statically.
    Unknown(UnknownOperation),
}

/// The parts of a column that `alter_column` changes.
#[derive(
    Debug, Clone, Default, PartialEq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct ColumnChange {
    pub nullable: Option<bool>,
    pub type_family: Option<TypeFamily>,
    pub native_type: Option<String>,
    pub new_name: Option<String>,
}

/// A data step, with the read-only question that tells whether it ran.
#[derive(Debug, Clone, PartialEq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct DataStep {
    /// The SQL as the migration wrote it; `None` when it was built with
    /// SQLAlchemy or moves rows from Python (`bulk_insert`, a session).
    pub sql: Option<String>,
    pub probe: Option<Probe>,
    /// Whether its statement was read: parsed SQL, `bulk_insert`'s rows.
    /// A catch-all (SQL the parser rejects, a statement built at run time,
    /// an ORM session) is data by its look only, and counts as not
    /// understood in the coverage figure.
    #[serde(skip)]
    pub modelled: bool,
}

impl DataStep {
    /// A data step known by its look only: rows moved by SQLAlchemy
    /// expressions, an ORM session or `op.bulk_insert` (`modelled` when the
    /// call itself says it moves data), with no SQL to probe.
    pub fn without_sql(modelled: bool) -> DataStep {
        DataStep {
            sql: None,
            probe: None,
            modelled,
        }
    }
}

/// A read-only query whose answer tells whether a data step ran.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct Probe {
    /// `SELECT 1 FROM … WHERE … LIMIT 1`, in the target dialect.
    pub query: String,
    /// Whether a row found means the step ran (an `INSERT`'s row is there)
    /// or that it did not (rows an `UPDATE` or `DELETE` would still change).
    pub applied_when_found: bool,
}

/// Something in a revision that could not be followed statically.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct UnknownOperation {
    /// The file, relative to the script directory.
    #[borsh(
        serialize_with = "crate::cache::write_path",
        deserialize_with = "crate::cache::read_path"
    )]
    pub path: PathBuf,
    pub line: usize,
    /// The first line of the statement.
    pub text: String,
    /// Why it could not be followed.
    #[serde(skip)]
    pub reason: String,
    /// Identifier-like string literals in the whole statement: the tables
    /// it may touch are found among them. None found means it may touch
    /// any table.
    #[serde(skip)]
    pub names: Vec<String>,
    /// It cannot change any detail of a table the comparison sees (a
    /// sequence, a function, a grant, a comment): it makes no table
    /// uncertain, though whether it ran cannot be told.
    #[serde(skip)]
    pub touches_no_table: bool,
}

impl Operation {
    /// The table the operation changes, if it names one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Operation::CreateTable { table, .. }
            | Operation::DropTable { table }
            | Operation::RenameTable { table, .. }
            | Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::CreateIndex { table, .. }
            | Operation::DropIndex { table, .. }
            | Operation::AddUniqueConstraint { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::CreatePrimaryKey { table, .. }
            | Operation::DropConstraint { table, .. }
            | Operation::NameConstraint { table, .. } => Some(table),
            _ => None,
        }
    }

    /// Whether it changes the schema (as opposed to data, views, unknowns).
    pub fn changes_schema(&self) -> bool {
        self.table().is_some()
    }

    /// A short description naming the object: `add column users.email`.
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateTable { table, .. } => format!("create table {table}"),
            Operation::DropTable { table } => format!("drop table {table}"),
            Operation::RenameTable { table, new_name } => {
                format!("rename table {table} to {new_name}")
            }
            Operation::AddColumn { table, column, .. } => {
                format!("add column {table}.{}", column.name)
            }
            Operation::DropColumn { table, column } => format!("drop column {table}.{column}"),
            Operation::AlterColumn {
                table,
                column,
                change,
            } => {
                let mut parts = Vec::new();
                if let Some(name) = &change.new_name {
                    parts.push(format!("rename to {name}"));
                }
                if let Some(family) = &change.type_family {
                    parts.push(format!("type {family}"));
                }
                match change.nullable {
                    Some(true) => parts.push("NULL allowed".to_owned()),
                    Some(false) => parts.push("NOT NULL".to_owned()),
                    None => {}
                }
                format!("alter column {table}.{column} ({})", parts.join(", "))
            }
            Operation::CreateIndex {
                table,
                name,
                unique,
                ..
            } => format!(
                "create {}index {name} on {table}",
                if *unique { "unique " } else { "" }
            ),
            Operation::DropIndex { table, name } => format!("drop index {name} on {table}"),
            Operation::AddUniqueConstraint {
                table,
                name,
                columns,
            } => match name {
                Some(name) => format!("add unique constraint {name} on {table}"),
                None => format!("add unique constraint on {table} ({})", columns.join(", ")),
            },
            Operation::AddForeignKey {
                table, foreign_key, ..
            } => match &foreign_key.name {
                Some(name) => format!("add foreign key {name} on {table}"),
                None => format!(
                    "add foreign key on {table} ({}) to {}",
                    foreign_key.columns.join(", "),
                    foreign_key.referred_table
                ),
            },
            Operation::CreatePrimaryKey { table, columns } => {
                format!("create primary key on {table} ({})", columns.join(", "))
            }
            Operation::DropConstraint { table, name, .. } => {
                format!("drop constraint {name} on {table}")
            }
            Operation::NameConstraint {
                table,
                columns,
                foreign,
                name,
            } => format!(
                "name the {} on {table} ({}) {name}",
                if *foreign {
                    "foreign key"
                } else {
                    "unique constraint"
                },
                columns.join(", ")
            ),
            Operation::CreateView { name } => format!("create view {name}"),
            Operation::DropView { name } => format!("drop view {name}"),
            Operation::Data(step) => match &step.sql {
                Some(sql) => format!("data: {}", first_line(sql)),
                None => "data step".to_owned(),
            },
            Operation::Unknown(unknown) => format!("unknown: {}", unknown.text),
        }
    }
}

fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    if line.chars().count() > 80 {
        let cut: String = line.chars().take(77).collect();
        format!("{cut}...")
    } else {
        line.to_owned()
    }
}

/// Which tables of an expected state are uncertain: touched by an
/// operation that could not be followed, so that differences there prove
/// nothing either way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uncertainty {
    pub tables: BTreeSet<String>,
    /// An unknown operation that may have touched any table ran: tables no
    /// revision creates may exist too.
    pub open: bool,
}

impl Uncertainty {
    pub fn is_certain(&self) -> bool {
        self.tables.is_empty() && !self.open
    }

    pub fn covers(&self, table: &str) -> bool {
        self.tables.contains(table)
    }

    /// Follows one operation: renames and drops carry the marks along, an
    /// unknown operation marks the tables it may touch (all of `existing`
    /// when it names none of them).
    pub fn follow(&mut self, operation: &Operation, existing: &BTreeSet<String>) {
        match operation {
            Operation::RenameTable { table, new_name } if self.tables.remove(table) => {
                self.tables.insert(new_name.clone());
            }
            Operation::DropTable { table } => {
                self.tables.remove(table);
            }
            Operation::Unknown(unknown) if unknown.touches_no_table => {}
            Operation::Unknown(unknown) => {
                let named: Vec<&String> = unknown
                    .names
                    .iter()
                    .filter(|name| existing.contains(*name))
                    .collect();
                if named.is_empty() {
                    self.tables.extend(existing.iter().cloned());
                    self.open = true;
                } else {
                    self.tables.extend(named.into_iter().cloned());
                }
            }
            _ => {}
        }
    }
}
