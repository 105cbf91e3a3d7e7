//! SQLite: four queries joining `sqlite_master` with the table-valued
//! pragmas, for every table at once. SQLite keeps constraint names only in
//! the `CREATE TABLE` text, so names of unique constraints and foreign keys
//! are read from it with a SQL parser (unnamed ones stay unnamed).

use std::collections::HashMap;

use migration_doctor_schema::{Dialect, ReferentialAction};
use sqlparser::ast::{ColumnOption, Statement, TableConstraint};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqliteConnection;

use super::builder::{SchemaBuilder, version_table};
use super::{Failed, IntrospectOptions, LiveDatabase, failed};

pub async fn read(
    connection: &mut SqliteConnection,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, Failed> {
    let doing = "read the catalog";
    let server_version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut *connection)
        .await
        .map_err(failed(doing))?;
    let schema_name = options.schema.clone().unwrap_or_else(|| "main".to_owned());
    let version_schema = options
        .version_table_schema
        .clone()
        .unwrap_or_else(|| "main".to_owned());
    let mut builder = SchemaBuilder::default();
    read_schema(connection, &schema_name, &mut builder).await?;
    let version = if version_schema == schema_name {
        builder.take_table(&options.version_table)
    } else {
        let mut other = SchemaBuilder::default();
        read_schema(connection, &version_schema, &mut other).await?;
        other.take_table(&options.version_table)
    };
    let rows = match &version {
        Some(table) if table.column("version_num").is_some() => {
            let sql = format!(
                "SELECT CAST(version_num AS TEXT) FROM {}.{}",
                quote(&version_schema),
                quote(&options.version_table)
            );
            sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql))
                .fetch_all(&mut *connection)
                .await
                .map_err(failed(&format!(
                    "read the version table {}",
                    options.version_table
                )))?
        }
        _ => Vec::new(),
    };
    Ok(LiveDatabase {
        dialect: Dialect::Sqlite,
        server_version,
        schema_name,
        schema: builder.finish(),
        version_table: version_table(
            &options.version_table,
            options.version_table_schema.as_deref(),
            version,
            rows,
        ),
    })
}

/// Runs `SELECT <columns> <rest>` and returns its rows. The rows travel as
/// one JSON array built by SQLite (`json_group_array`): sqlx hands SQLite
/// rows over one at a time between threads, which costs more than the query
/// itself for tens of thousands of catalog rows.
async fn json_rows(
    connection: &mut SqliteConnection,
    columns: &[&str],
    rest: &str,
) -> Result<Vec<Vec<serde_json::Value>>, Failed> {
    let doing = "read the catalog";
    let aliased: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(at, column)| format!("{column} AS c{at}"))
        .collect();
    let names: Vec<String> = (0..columns.len()).map(|at| format!("c{at}")).collect();
    let sql = format!(
        "SELECT json_group_array(json_array({})) FROM (SELECT {} {rest})",
        names.join(", "),
        aliased.join(", ")
    );
    let text: String = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&mut *connection)
        .await
        .map_err(failed(doing))?;
    let rows: Vec<Vec<serde_json::Value>> = serde_json::from_str(&text)
        .map_err(|error| failed(doing)(sqlx::Error::Decode(Box::new(error))))?;
    Ok(rows)
}

fn text(row: &[serde_json::Value], at: usize) -> Option<String> {
    match row.get(at)? {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn int(row: &[serde_json::Value], at: usize) -> i64 {
    row.get(at).and_then(serde_json::Value::as_i64).unwrap_or(0)
}

async fn read_schema(
    connection: &mut SqliteConnection,
    schema: &str,
    builder: &mut SchemaBuilder,
) -> Result<(), Failed> {
    let master = format!("{}.sqlite_master", quote(schema));
    let schema_literal = migration_doctor_schema::string_literal(schema);
    let user_tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

    let mut definitions: HashMap<String, String> = HashMap::new();
    let relations = json_rows(
        connection,
        &["name", "type", "sql"],
        &format!(
            "FROM {master} WHERE type IN ('table', 'view') \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ),
    )
    .await?;
    for row in &relations {
        let (Some(name), Some(kind)) = (text(row, 0), text(row, 1)) else {
            continue;
        };
        if kind == "view" {
            builder.view(&name);
        } else {
            builder.table(&name);
            if let Some(definition) = text(row, 2) {
                definitions.insert(name, definition);
            }
        }
    }

    let mut columns = json_rows(
        connection,
        &[
            "m.name",
            "p.cid",
            "p.name",
            "p.type",
            "p.\"notnull\"",
            "p.dflt_value",
            "p.pk",
        ],
        &format!(
            "FROM {master} m JOIN pragma_table_xinfo(m.name, {schema_literal}) p \
             WHERE {user_tables} AND p.hidden IN (0, 2, 3)"
        ),
    )
    .await?;
    columns.sort_by_key(|row| (text(row, 0), int(row, 1)));
    let mut primary_keys: Vec<(String, i64, String)> = Vec::new();
    for row in &columns {
        let (Some(table), Some(name)) = (text(row, 0), text(row, 2)) else {
            continue;
        };
        let native = text(row, 3).unwrap_or_default();
        let pk = int(row, 6);
        builder.column(
            Dialect::Sqlite,
            &table,
            &name,
            &native,
            int(row, 4) == 0,
            text(row, 5),
        );
        if pk > 0 {
            primary_keys.push((table, pk, name));
        }
    }
    primary_keys.sort();
    for (table, _, column) in primary_keys {
        builder.primary_key_column(&table, &column);
    }

    // Only `CONSTRAINT <name>` gives a constraint a name, and only a `UNIQUE`
    // on the primary key's columns has no index of its own: other tables need
    // no parsing.
    let names: HashMap<String, ConstraintNames> = definitions
        .iter()
        .filter(|(_, definition)| {
            let definition = definition.to_ascii_lowercase();
            definition.contains("constraint") || definition.contains("unique")
        })
        .map(|(table, definition)| (table.clone(), constraint_names(definition)))
        .collect();
    let mut index_parts = json_rows(
        connection,
        &[
            "m.name",
            "il.name",
            "il.\"unique\"",
            "il.origin",
            "ii.seqno",
            "ii.name",
        ],
        &format!(
            "FROM {master} m JOIN pragma_index_list(m.name, {schema_literal}) il \
             JOIN pragma_index_info(il.name, {schema_literal}) ii WHERE {user_tables}"
        ),
    )
    .await?;
    index_parts.sort_by_key(|row| (text(row, 0), text(row, 1), int(row, 4)));
    // An expression index part has no column name: its text is read from
    // the index's `CREATE INDEX`.
    let expressions = if index_parts.iter().any(|row| text(row, 5).is_none()) {
        let definitions = json_rows(
            connection,
            &["name", "sql"],
            &format!("FROM {master} WHERE type = 'index' AND sql IS NOT NULL"),
        )
        .await?;
        definitions
            .iter()
            .filter_map(|row| Some((text(row, 0)?, index_expressions(&text(row, 1)?))))
            .collect()
    } else {
        HashMap::new()
    };
    let mut unique_parts: Vec<(String, String, Vec<String>)> = Vec::new();
    let mut primary_key_parts: Vec<(String, String, Vec<String>)> = Vec::new();
    for row in &index_parts {
        let (Some(table), Some(index), Some(origin)) = (text(row, 0), text(row, 1), text(row, 3))
        else {
            continue;
        };
        let column = text(row, 5).unwrap_or_else(|| {
            usize::try_from(int(row, 4))
                .ok()
                .and_then(|at| expressions.get(&index)?.get(at).cloned())
                .unwrap_or_else(|| "(expression)".to_owned())
        });
        match origin.as_str() {
            "c" => builder.index_column(&table, &index, int(row, 2) != 0, &column),
            "u" => push_index_part(&mut unique_parts, table, index, column),
            "pk" => push_index_part(&mut primary_key_parts, table, index, column),
            _ => {}
        }
    }
    // SQLite makes one index for a `UNIQUE` on the primary key's columns and
    // the key itself: the constraint is still declared (and SQLAlchemy's
    // inspector reports it), so it is read from the table's text.
    unique_parts.extend(primary_key_parts.into_iter().filter(|(table, _, columns)| {
        names
            .get(table)
            .is_some_and(|names| names.unique.contains_key(columns))
    }));
    for (table, index, columns) in unique_parts {
        let name = names
            .get(&table)
            .and_then(|names| names.unique.get(&columns))
            .cloned()
            .flatten();
        for column in &columns {
            builder.unique_column(&table, name.as_deref(), &index, column);
        }
    }

    let mut foreign_keys = json_rows(
        connection,
        &[
            "m.name",
            "fk.id",
            "fk.seq",
            "fk.\"table\"",
            "fk.\"from\"",
            "fk.\"to\"",
            "fk.on_delete",
            "fk.on_update",
        ],
        &format!(
            "FROM {master} m JOIN pragma_foreign_key_list(m.name, {schema_literal}) fk \
             WHERE {user_tables}"
        ),
    )
    .await?;
    foreign_keys.sort_by_key(|row| (text(row, 0), int(row, 1), int(row, 2)));
    let mut implicit_targets: Vec<(String, String)> = Vec::new();
    for row in &foreign_keys {
        let (Some(table), Some(referred_table), Some(column)) =
            (text(row, 0), text(row, 3), text(row, 4))
        else {
            continue;
        };
        let referred_column = text(row, 5);
        let name = names
            .get(&table)
            .and_then(|names| {
                names
                    .foreign_key
                    .get(&(column.clone(), referred_table.to_lowercase()))
            })
            .cloned()
            .flatten();
        if referred_column.is_none() {
            implicit_targets.push((table.clone(), referred_table.clone()));
        }
        let slot = int(row, 1).to_string();
        builder.foreign_key_column(
            &table,
            name.as_deref(),
            &slot,
            &column,
            None,
            &referred_table,
            referred_column.as_deref(),
        );
        builder.foreign_key_actions(
            &table,
            &slot,
            ReferentialAction::parse(&text(row, 6).unwrap_or_default()),
            ReferentialAction::parse(&text(row, 7).unwrap_or_default()),
        );
    }
    // `REFERENCES parent` without columns means the parent's primary key.
    for (table, referred) in implicit_targets {
        let primary_key = builder
            .tables()
            .get(&referred)
            .map(|parent| parent.primary_key.clone())
            .unwrap_or_default();
        if let Some(table) = builder.table_mut_by_name(&table) {
            for foreign_key in &mut table.foreign_keys {
                if foreign_key.referred_table == referred && foreign_key.referred_columns.is_empty()
                {
                    foreign_key.referred_columns = primary_key.clone();
                }
            }
        }
    }
    Ok(())
}

/// Adds one column of an index read part by part (ordered by table, index
/// and position) to the last index, or starts the next one.
fn push_index_part(
    indexes: &mut Vec<(String, String, Vec<String>)>,
    table: String,
    index: String,
    column: String,
) {
    match indexes.last_mut() {
        Some((last_table, last_index, columns)) if *last_table == table && *last_index == index => {
            columns.push(column)
        }
        _ => indexes.push((table, index, vec![column])),
    }
}

/// The key parts of a `CREATE INDEX` statement as SQL text, in order.
fn index_expressions(definition: &str) -> Vec<String> {
    let Ok(statements) = Parser::parse_sql(&SQLiteDialect {}, definition) else {
        return Vec::new();
    };
    match statements.into_iter().next() {
        Some(Statement::CreateIndex(create)) => create
            .columns
            .iter()
            .map(|column| column.column.expr.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Constraint names declared in a `CREATE TABLE` statement.
#[derive(Default)]
struct ConstraintNames {
    /// Unique constraint columns → name (`None`: declared without a name).
    unique: HashMap<Vec<String>, Option<String>>,
    /// (first local column, referred table lower-cased) → name.
    foreign_key: HashMap<(String, String), Option<String>>,
}

fn constraint_names(definition: &str) -> ConstraintNames {
    let mut names = ConstraintNames::default();
    let Ok(statements) = Parser::parse_sql(&SQLiteDialect {}, definition) else {
        return names;
    };
    let Some(Statement::CreateTable(create)) = statements.into_iter().next() else {
        return names;
    };
    for constraint in &create.constraints {
        match constraint {
            TableConstraint::Unique(unique) => {
                let columns = unique
                    .columns
                    .iter()
                    .map(|column| column.column.expr.to_string())
                    .map(unquote)
                    .collect();
                names
                    .unique
                    .insert(columns, unique.name.as_ref().map(|name| name.value.clone()));
            }
            TableConstraint::ForeignKey(foreign_key) => {
                let name = foreign_key.name.as_ref().map(|name| name.value.clone());
                let referred = foreign_key
                    .foreign_table
                    .0
                    .last()
                    .map(|part| unquote(part.to_string()).to_lowercase())
                    .unwrap_or_default();
                for column in &foreign_key.columns {
                    names
                        .foreign_key
                        .insert((column.value.clone(), referred.clone()), name.clone());
                }
            }
            _ => {}
        }
    }
    for column in &create.columns {
        for option in &column.options {
            let name = option.name.as_ref().map(|name| name.value.clone());
            match &option.option {
                ColumnOption::Unique(_) => {
                    names.unique.insert(vec![column.name.value.clone()], name);
                }
                ColumnOption::ForeignKey(foreign_key) => {
                    let referred = foreign_key
                        .foreign_table
                        .0
                        .last()
                        .map(|part| unquote(part.to_string()).to_lowercase())
                        .unwrap_or_default();
                    names
                        .foreign_key
                        .insert((column.name.value.clone(), referred), name);
                }
                _ => {}
            }
        }
    }
    names
}

fn unquote(text: String) -> String {
    let trimmed = text.trim();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if let Some(inner) = trimmed
            .strip_prefix(open)
            .and_then(|t| t.strip_suffix(close))
        {
            return inner.to_owned();
        }
    }
    trimmed.to_owned()
}

/// A SQLite identifier, quoted.
pub fn quote(identifier: &str) -> String {
    migration_doctor_schema::Dialect::Sqlite.quote(identifier)
}
