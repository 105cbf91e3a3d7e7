//! Tables, columns, keys and indexes.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::types::TypeFamily;

/// The database dialects migration-doctor speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgresql,
    Mysql,
    Sqlite,
}

impl Dialect {
    /// `identifier` quoted for this dialect (backticks on MySQL, double
    /// quotes elsewhere), with the quote character doubled inside.
    pub fn quote(self, identifier: &str) -> String {
        match self {
            Dialect::Mysql => format!("`{}`", identifier.replace('`', "``")),
            Dialect::Postgresql | Dialect::Sqlite => {
                format!("\"{}\"", identifier.replace('"', "\"\""))
            }
        }
    }

    /// The name alembic and SQLAlchemy use (`dialect.name`).
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

/// `text` as an SQL string literal: in single quotes, a quote doubled.
pub fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Tables by name: a persistent ordered map (cloning it is cheap, and
/// clones share what neither changes).
pub type Tables = imbl::OrdMap<String, Arc<Table>>;

/// The user objects of one database schema (the version table excluded).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schema {
    /// A persistent map of shared tables, so that the expected schemas of
    /// thousands of revisions cost one copy of each table version and a
    /// new state costs the tables it changes, not a copy of the map;
    /// change a table through [`Schema::table_mut`].
    pub tables: Tables,
    /// Views (and materialised views) by name; they are listed, not compared.
    pub views: BTreeSet<String>,
}

impl Schema {
    /// The table, made unique to this schema before it is changed.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.get_mut(name).map(Arc::make_mut)
    }

    pub fn insert_table(&mut self, name: String, table: Table) {
        self.tables.insert(name, Arc::new(table));
    }

    pub fn remove_table(&mut self, name: &str) -> Option<Table> {
        self.tables.remove(name).map(Arc::unwrap_or_clone)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// In the table's column order.
    pub columns: Vec<Column>,
    /// Primary key columns in key order; empty when there is none.
    pub primary_key: Vec<String>,
    /// Indexes that are not the primary key's, nor (on PostgreSQL and SQLite)
    /// the implicit index of a unique constraint. Sorted by name.
    pub indexes: Vec<Index>,
    /// Sorted by name, unnamed ones last.
    pub unique_constraints: Vec<UniqueConstraint>,
    /// Sorted by name, unnamed ones last.
    pub foreign_keys: Vec<ForeignKey>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// Puts indexes and constraints in their canonical order.
    pub fn sort(&mut self) {
        self.indexes.sort_by(|a, b| {
            (a.name.is_none(), &a.name, &a.columns).cmp(&(b.name.is_none(), &b.name, &b.columns))
        });
        self.unique_constraints.sort_by(|a, b| {
            (a.name.is_none(), &a.name, &a.columns).cmp(&(b.name.is_none(), &b.name, &b.columns))
        });
        self.foreign_keys.sort_by(|a, b| {
            (a.name.is_none(), &a.name, &a.columns).cmp(&(b.name.is_none(), &b.name, &b.columns))
        });
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct Column {
    pub name: String,
    /// The normalised family the type belongs to, comparable across dialects.
    #[serde(rename = "type")]
    pub type_family: TypeFamily,
    /// The type as the database (or the migration) spells it.
    pub native_type: String,
    pub nullable: bool,
    /// The server default as the database reports it, if any.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    pub name: Option<String>,
    /// Column names in key order; an expression is kept as its SQL text.
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UniqueConstraint {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, borsh::BorshSerialize, borsh::BorshDeserialize,
)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// `None` when the referred table is in the same schema.
    pub referred_schema: Option<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    /// `ON DELETE`; left out of the JSON when it is `NO ACTION`.
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_delete: ReferentialAction,
    /// `ON UPDATE`; left out of the JSON when it is `NO ACTION`.
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_update: ReferentialAction,
}

/// What a foreign key does to its rows when the row it refers to is deleted
/// or its key changed.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub enum ReferentialAction {
    /// `NO ACTION`, also for `RESTRICT`: the change is refused either way
    /// (they differ only in when a deferred check runs), and MySQL and
    /// MariaDB report one for the other.
    #[default]
    #[serde(rename = "NO ACTION")]
    NoAction,
    #[serde(rename = "CASCADE")]
    Cascade,
    #[serde(rename = "SET NULL")]
    SetNull,
    #[serde(rename = "SET DEFAULT")]
    SetDefault,
    /// A migration's value that could not be read: never compared.
    #[serde(rename = "unknown")]
    Unknown,
}

impl ReferentialAction {
    /// The action an SQL keyword names (any case); `Unknown` for anything
    /// else.
    pub fn parse(keyword: &str) -> ReferentialAction {
        let words: Vec<String> = keyword
            .split_whitespace()
            .map(str::to_ascii_uppercase)
            .collect();
        match words.join(" ").as_str() {
            "NO ACTION" | "RESTRICT" => ReferentialAction::NoAction,
            "CASCADE" => ReferentialAction::Cascade,
            "SET NULL" => ReferentialAction::SetNull,
            "SET DEFAULT" => ReferentialAction::SetDefault,
            _ => ReferentialAction::Unknown,
        }
    }

    pub fn is_no_action(&self) -> bool {
        *self == ReferentialAction::NoAction
    }

    /// Both sides known and different.
    pub fn differs_from(self, other: ReferentialAction) -> bool {
        self != other && self != ReferentialAction::Unknown && other != ReferentialAction::Unknown
    }
}

impl fmt::Display for ReferentialAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
            ReferentialAction::Unknown => "an action not known",
        })
    }
}
