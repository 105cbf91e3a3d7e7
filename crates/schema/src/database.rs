//! A database as it was found: its schema and its version table, read
//! defensively (whatever the version table's shape and content, it is data
//! for the diagnosis, never a failure). Plain values: the `live` crate fills
//! them in, the diagnosis judges them.

use serde::Serialize;

use crate::model::{Column, Dialect, Schema};
use crate::plan::{PlanStep, VersionTablePlace};

/// Everything read from one database.
#[derive(Debug, Clone, Serialize)]
pub struct LiveDatabase {
    pub dialect: Dialect,
    pub server_version: String,
    /// The schema that was read.
    pub schema_name: String,
    /// Its tables and views, the version table excluded.
    pub schema: Schema,
    pub version_table: VersionTable,
}

/// alembic's default version table (`alembic_version`, checked: alembic 1.20).
pub const DEFAULT_VERSION_TABLE: &str = "alembic_version";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VersionTable {
    /// No table of that name in that schema.
    Absent {
        name: String,
        schema: Option<String>,
    },
    Present(VersionTableContents),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionTableContents {
    pub name: String,
    pub schema: Option<String>,
    /// The table's columns as found (alembic makes one:
    /// `version_num VARCHAR(32) NOT NULL`, primary key `alembic_version_pkc`).
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// `version_num` of every row, as text and untrimmed; `None` for NULL.
    /// Empty when there is no `version_num` column.
    pub rows: Vec<Option<String>>,
}

impl VersionTable {
    /// Where the table is (or would be created).
    pub fn place(&self) -> VersionTablePlace {
        let (name, schema) = match self {
            VersionTable::Absent { name, schema } => (name, schema),
            VersionTable::Present(contents) => (&contents.name, &contents.schema),
        };
        VersionTablePlace {
            name: name.clone(),
            schema: schema.clone(),
        }
    }

    /// The steps that put back what is there now: the rows as they are, or
    /// no table at all.
    pub fn undo_steps(&self) -> Vec<PlanStep> {
        let table = self.place();
        match self {
            VersionTable::Absent { .. } => vec![PlanStep::DropVersionTable(table)],
            VersionTable::Present(contents) => {
                std::iter::once(PlanStep::DeleteVersions(table.clone()))
                    .chain(contents.rows.iter().map(|row| PlanStep::InsertVersion {
                        table: table.clone(),
                        version: row.clone(),
                    }))
                    .collect()
            }
        }
    }

    pub fn contents(&self) -> Option<&VersionTableContents> {
        match self {
            VersionTable::Present(contents) => Some(contents),
            VersionTable::Absent { .. } => None,
        }
    }
}

impl VersionTableContents {
    pub fn version_num(&self) -> Option<&Column> {
        self.columns
            .iter()
            .find(|column| column.name == "version_num")
    }
}
