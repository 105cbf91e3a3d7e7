//! The version table as found, read defensively: whatever its shape and
//! content, it is reported as data for the diagnosis, never a failure.

use migration_doctor_schema::Column;
use serde::Serialize;

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
