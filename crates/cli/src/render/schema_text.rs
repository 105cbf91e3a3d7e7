//! `schema` as text: a header naming the database, the version table, then
//! one block per table.

use migration_doctor::infer::UnknownOperation;
use migration_doctor::live::{LiveDatabase, VersionTable, engine_name};
use migration_doctor::schema::{Dialect, Schema, Table};
use owo_colors::Style;

use crate::output::Output;

pub fn render_live(live: &LiveDatabase, url: &str, output: &Output) -> String {
    let mut out = Vec::new();
    out.push(format!(
        "{} {}, schema {} ({url})",
        engine_name(live.dialect),
        live.server_version,
        live.schema_name
    ));
    out.push(match &live.version_table {
        VersionTable::Absent { name, .. } => format!("version table {name}: absent"),
        VersionTable::Present(contents) => {
            let rows: Vec<String> = contents
                .rows
                .iter()
                .map(|row| {
                    row.as_ref()
                        .map_or("NULL".to_owned(), |value| format!("{value:?}"))
                })
                .collect();
            if contents.version_num().is_none() {
                format!(
                    "version table {}: present, but it has no version_num column",
                    contents.name
                )
            } else {
                format!(
                    "version table {}: {} row(s) {}",
                    contents.name,
                    rows.len(),
                    rows.join(", ")
                )
            }
        }
    });
    out.push(format!(
        "{} table(s), {} view(s)",
        live.schema.tables.len(),
        live.schema.views.len()
    ));
    for (name, table) in &live.schema.tables {
        out.push(String::new());
        out.push(output.paint(&format!("table {name}"), Style::new().bold()));
        out.extend(table_lines(table));
    }
    if !live.schema.views.is_empty() {
        out.push(String::new());
        out.push(format!(
            "views: {}",
            live.schema
                .views
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.join("\n")
}

pub fn render_expected(
    revisions: &[String],
    dialect: Dialect,
    schema: &Schema,
    unknown: &[UnknownOperation],
    output: &Output,
) -> String {
    let mut out = Vec::new();
    let at = if revisions.is_empty() {
        "base".to_owned()
    } else {
        revisions.join(", ")
    };
    out.push(format!(
        "expected schema at {at} on {}: {} table(s), {} view(s)",
        engine_name(dialect),
        schema.tables.len(),
        schema.views.len()
    ));
    if !unknown.is_empty() {
        out.push(format!(
            "{} operation(s) could not be followed statically; the schema may differ there:",
            unknown.len()
        ));
        for operation in unknown {
            out.push(format!(
                "  {}:{}: {}",
                super::portable_path(&operation.path),
                operation.line,
                operation.text
            ));
            if !operation.reason.is_empty() {
                out.push(format!("      ({})", operation.reason));
            }
        }
    }
    for (name, table) in &schema.tables {
        out.push(String::new());
        out.push(output.paint(&format!("table {name}"), Style::new().bold()));
        out.extend(table_lines(table));
    }
    if !schema.views.is_empty() {
        out.push(String::new());
        out.push(format!(
            "views: {}",
            schema.views.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    out.join("\n")
}

fn table_lines(table: &Table) -> Vec<String> {
    let width = table
        .columns
        .iter()
        .map(|column| column.name.len())
        .max()
        .unwrap_or(0);
    let type_width = table
        .columns
        .iter()
        .map(|column| column.type_family.to_string().len())
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    for column in &table.columns {
        let mut line = format!(
            "  {:width$}  {:type_width$}  {:8}  {}",
            column.name,
            column.type_family.to_string(),
            if column.nullable { "null" } else { "not null" },
            column.native_type,
        );
        if let Some(default) = &column.default {
            line.push_str(&format!("  default {default}"));
        }
        lines.push(line.trim_end().to_owned());
    }
    let name = |name: &Option<String>| {
        name.clone()
            .map(|name| format!("{name} "))
            .unwrap_or_default()
    };
    if !table.primary_key.is_empty() {
        lines.push(format!("  primary key ({})", table.primary_key.join(", ")));
    }
    for unique in &table.unique_constraints {
        lines.push(format!(
            "  unique {}({})",
            name(&unique.name),
            unique.columns.join(", ")
        ));
    }
    for index in &table.indexes {
        lines.push(format!(
            "  {}index {}({})",
            if index.unique { "unique " } else { "" },
            name(&index.name),
            index.columns.join(", ")
        ));
    }
    for key in &table.foreign_keys {
        let referred = match &key.referred_schema {
            Some(schema) => format!("{schema}.{}", key.referred_table),
            None => key.referred_table.clone(),
        };
        lines.push(format!(
            "  foreign key {}({}) -> {referred} ({})",
            name(&key.name),
            key.columns.join(", "),
            key.referred_columns.join(", ")
        ));
    }
    lines
}
