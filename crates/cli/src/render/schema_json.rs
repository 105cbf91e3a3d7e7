//! `schema --format json`, the contract of docs/contract.md ("JSON"):
//! `{"revision", "tables": {"<table>": {"columns": [{"name","type","nullable"}],
//! "primary_key", "indexes", "unique_constraints", "foreign_keys"}},
//! "unknown_operations"}`. Columns also carry `native_type` and `default`;
//! the live schema adds `dialect`, `server_version`, `schema`, `views` and
//! `version_table`.

use std::collections::BTreeSet;

use migration_doctor::infer::UnknownOperation;
use migration_doctor::live::{LiveDatabase, VersionTable};
use migration_doctor::schema::{Dialect, Schema};
use serde::Serialize;

#[derive(Serialize)]
struct LiveSchemaJson<'a> {
    revision: Option<&'a str>,
    dialect: Dialect,
    server_version: &'a str,
    schema: &'a str,
    tables: &'a migration_doctor::schema::Tables,
    views: &'a BTreeSet<String>,
    version_table: &'a VersionTable,
    unknown_operations: [(); 0],
}

pub fn render_live(live: &LiveDatabase) -> String {
    let document = LiveSchemaJson {
        revision: None,
        dialect: live.dialect,
        server_version: &live.server_version,
        schema: &live.schema_name,
        tables: &live.schema.tables,
        views: &live.schema.views,
        version_table: &live.version_table,
        unknown_operations: [],
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
}

#[derive(Serialize)]
struct ExpectedSchemaJson<'a> {
    /// One id, or several for unmerged heads applied side by side.
    revision: serde_json::Value,
    dialect: Dialect,
    tables: &'a migration_doctor::schema::Tables,
    views: &'a BTreeSet<String>,
    unknown_operations: Vec<UnknownJson>,
}

#[derive(Serialize)]
struct UnknownJson {
    path: String,
    line: usize,
    text: String,
    /// Why it could not be followed.
    reason: String,
}

pub fn render_expected(
    revisions: &[String],
    dialect: Dialect,
    schema: &Schema,
    unknown: &[UnknownOperation],
) -> String {
    let revision = match revisions {
        [] => serde_json::Value::Null,
        [one] => serde_json::Value::String(one.clone()),
        many => serde_json::Value::from(many.to_vec()),
    };
    let document = ExpectedSchemaJson {
        revision,
        dialect,
        tables: &schema.tables,
        views: &schema.views,
        unknown_operations: unknown
            .iter()
            .map(|operation| UnknownJson {
                path: super::portable_path(&operation.path),
                line: operation.line,
                text: operation.text.clone(),
                reason: operation.reason.clone(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
}
