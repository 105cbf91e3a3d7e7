//! What a recovery writes, as typed steps: it only ever touches the version
//! table, and each step renders to the SQL of one dialect. Typed, so that
//! the executor decides transactions by what a step is (MySQL commits a
//! `CREATE TABLE` on its own), never by the text of a statement.

use serde::Serialize;

use crate::model::Dialect;

/// Where the version table lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionTablePlace {
    pub name: String,
    /// `None`: the connection's default schema.
    pub schema: Option<String>,
}

impl VersionTablePlace {
    /// The table's name, quoted and qualified for `dialect`.
    pub fn sql(&self, dialect: Dialect) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", dialect.quote(schema), dialect.quote(&self.name)),
            None => dialect.quote(&self.name),
        }
    }
}

/// One statement of a recovery plan (or of its undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PlanStep {
    /// The version table exactly as alembic makes it (`version_num
    /// VARCHAR(32) NOT NULL`, primary key `alembic_version_pkc`; checked:
    /// alembic 1.20).
    CreateVersionTable(VersionTablePlace),
    DropVersionTable(VersionTablePlace),
    DeleteVersions(VersionTablePlace),
    /// One row; `None` puts back a NULL found before (undo only).
    InsertVersion {
        table: VersionTablePlace,
        version: Option<String>,
    },
    /// A statement finishing a half-applied revision (`recover
    /// --complete`), already in the database's dialect, with its undo.
    CompleteRevision {
        revision: String,
        /// What it performs (`create table accounts`, …).
        operations: Vec<String>,
        sql: String,
        undo: String,
    },
}

impl PlanStep {
    /// The statement in `dialect`'s SQL.
    pub fn sql(&self, dialect: Dialect) -> String {
        match self {
            PlanStep::CreateVersionTable(table) => format!(
                "CREATE TABLE {} (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
                table.sql(dialect)
            ),
            PlanStep::DropVersionTable(table) => format!("DROP TABLE {}", table.sql(dialect)),
            PlanStep::DeleteVersions(table) => format!("DELETE FROM {}", table.sql(dialect)),
            PlanStep::InsertVersion { table, version } => format!(
                "INSERT INTO {} (version_num) VALUES ({})",
                table.sql(dialect),
                match version {
                    Some(version) => crate::model::string_literal(version),
                    None => "NULL".to_owned(),
                }
            ),
            PlanStep::CompleteRevision { sql, .. } => sql.clone(),
        }
    }

    /// Whether the statement is DDL (MySQL and MariaDB commit it on its own).
    pub fn is_ddl(&self) -> bool {
        matches!(
            self,
            PlanStep::CreateVersionTable(_)
                | PlanStep::DropVersionTable(_)
                | PlanStep::CompleteRevision { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_render_per_dialect() {
        let table = VersionTablePlace {
            name: "alembic_version".to_owned(),
            schema: Some("app".to_owned()),
        };
        let insert = PlanStep::InsertVersion {
            table: table.clone(),
            version: Some("a'b".to_owned()),
        };
        assert_eq!(
            insert.sql(Dialect::Mysql),
            "INSERT INTO `app`.`alembic_version` (version_num) VALUES ('a''b')"
        );
        assert_eq!(
            PlanStep::DeleteVersions(table).sql(Dialect::Postgresql),
            "DELETE FROM \"app\".\"alembic_version\""
        );
    }
}
