//! The SQL a strategy would run: it writes only the version table, exactly
//! as alembic makes it (`version_num VARCHAR(32) NOT NULL`, primary key
//! `alembic_version_pkc`, checked: alembic 1.20), in the configured name and
//! schema.

use migration_doctor_schema::Dialect;
use migration_doctor_schema::{LiveDatabase, VersionTable};

use crate::analyze::Strategy;

fn quote(dialect: Dialect, identifier: &str) -> String {
    match dialect {
        Dialect::Mysql => format!("`{}`", identifier.replace('`', "``")),
        _ => format!("\"{}\"", identifier.replace('"', "\"\"")),
    }
}

fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The statements of `strategy` that stamp `target`; `None` when the
/// strategy writes nothing or has no target.
pub fn plan_for(
    strategy: Strategy,
    live: &LiveDatabase,
    target: Option<&[String]>,
) -> Option<Vec<String>> {
    let dialect = live.dialect;
    let (name, schema) = match &live.version_table {
        VersionTable::Absent { name, schema } => (name.clone(), schema.clone()),
        VersionTable::Present(contents) => (contents.name.clone(), contents.schema.clone()),
    };
    let table = match &schema {
        Some(schema) => format!("{}.{}", quote(dialect, schema), quote(dialect, &name)),
        None => quote(dialect, &name),
    };
    let inserts = |target: &[String]| -> Vec<String> {
        target
            .iter()
            .map(|revision| {
                format!(
                    "INSERT INTO {table} (version_num) VALUES ({})",
                    literal(revision)
                )
            })
            .collect()
    };
    match (strategy, target) {
        (Strategy::InitializeAlembicVersion, Some(target)) => {
            let mut statements = vec![format!(
                "CREATE TABLE {table} (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )];
            statements.extend(inserts(target));
            Some(statements)
        }
        (
            Strategy::RepairCorruptedAlembic
            | Strategy::CompletePartialMigration
            | Strategy::StampExistingSchemaToHead,
            Some(target),
        ) => {
            let mut statements = vec![format!("DELETE FROM {table}")];
            statements.extend(inserts(target));
            Some(statements)
        }
        _ => None,
    }
}
