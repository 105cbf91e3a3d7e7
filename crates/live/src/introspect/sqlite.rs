//! SQLite: four queries joining `sqlite_master` with the table-valued
//! pragmas, for every table at once. SQLite keeps constraint names only in
//! the `CREATE TABLE` text, so names of unique constraints and foreign keys
//! are read from it with a SQL parser (unnamed ones stay unnamed).

use std::collections::HashMap;

use migration_doctor_schema::Dialect;
use sqlparser::ast::{ColumnOption, Statement, TableConstraint};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Row};

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

async fn read_schema(
    connection: &mut SqliteConnection,
    schema: &str,
    builder: &mut SchemaBuilder,
) -> Result<(), Failed> {
    let doing = "read the catalog";
    let master = format!("{}.sqlite_master", quote(schema));
    let schema_literal = format!("'{}'", schema.replace('\'', "''"));
    let user_tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

    let mut definitions: HashMap<String, String> = HashMap::new();
    let sql = format!(
        "SELECT name, type, sql FROM {master} WHERE type IN ('table', 'view') \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    );
    for row in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let name: String = row.try_get(0).map_err(failed(doing))?;
        let kind: String = row.try_get(1).map_err(failed(doing))?;
        let definition: Option<String> = row.try_get(2).map_err(failed(doing))?;
        if kind == "view" {
            builder.view(&name);
        } else {
            builder.table(&name);
            if let Some(definition) = definition {
                definitions.insert(name, definition);
            }
        }
    }

    let sql = format!(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk \
         FROM {master} m JOIN pragma_table_xinfo(m.name, {schema_literal}) p \
         WHERE {user_tables} AND p.hidden IN (0, 2, 3) ORDER BY m.name, p.cid"
    );
    let mut primary_keys: Vec<(String, i64, String)> = Vec::new();
    for row in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let native: Option<String> = row.try_get(2).map_err(failed(doing))?;
        let not_null: i64 = row.try_get(3).map_err(failed(doing))?;
        let default: Option<String> = row.try_get(4).map_err(failed(doing))?;
        let pk: i64 = row.try_get(5).map_err(failed(doing))?;
        let native = native.unwrap_or_default();
        builder.column(
            Dialect::Sqlite,
            &table,
            &name,
            &native,
            not_null == 0,
            default,
        );
        if pk > 0 {
            primary_keys.push((table, pk, name));
        }
    }
    primary_keys.sort();
    for (table, _, column) in primary_keys {
        builder.primary_key_column(&table, &column);
    }

    let names: HashMap<String, ConstraintNames> = definitions
        .iter()
        .map(|(table, definition)| (table.clone(), constraint_names(definition)))
        .collect();
    let sql = format!(
        "SELECT m.name, il.name, il.\"unique\", il.origin, ii.name \
         FROM {master} m JOIN pragma_index_list(m.name, {schema_literal}) il \
         JOIN pragma_index_info(il.name, {schema_literal}) ii \
         WHERE {user_tables} ORDER BY m.name, il.name, ii.seqno"
    );
    let mut unique_parts: Vec<(String, String, Vec<String>)> = Vec::new();
    for row in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let index: String = row.try_get(1).map_err(failed(doing))?;
        let unique: i64 = row.try_get(2).map_err(failed(doing))?;
        let origin: String = row.try_get(3).map_err(failed(doing))?;
        // An expression index part has no column name.
        let column: Option<String> = row.try_get(4).map_err(failed(doing))?;
        let column = column.unwrap_or_else(|| "(expression)".to_owned());
        match origin.as_str() {
            "c" => builder.index_column(&table, &index, unique != 0, &column),
            "u" => match unique_parts.last_mut() {
                Some((last_table, last_index, columns))
                    if *last_table == table && *last_index == index =>
                {
                    columns.push(column)
                }
                _ => unique_parts.push((table, index, vec![column])),
            },
            _ => {} // the primary key's own index
        }
    }
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

    let sql = format!(
        "SELECT m.name, fk.id, fk.\"table\", fk.\"from\", fk.\"to\" \
         FROM {master} m JOIN pragma_foreign_key_list(m.name, {schema_literal}) fk \
         WHERE {user_tables} ORDER BY m.name, fk.id, fk.seq"
    );
    let mut implicit_targets: Vec<(String, String)> = Vec::new();
    for row in sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let id: i64 = row.try_get(1).map_err(failed(doing))?;
        let referred_table: String = row.try_get(2).map_err(failed(doing))?;
        let column: String = row.try_get(3).map_err(failed(doing))?;
        let referred_column: Option<String> = row.try_get(4).map_err(failed(doing))?;
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
        builder.foreign_key_column(
            &table,
            name.as_deref(),
            &id.to_string(),
            &column,
            None,
            &referred_table,
            referred_column.as_deref(),
        );
    }
    // `REFERENCES parent` without columns means the parent's primary key.
    for (table, referred) in implicit_targets {
        let primary_key = builder
            .tables()
            .get(&referred)
            .map(|parent| parent.primary_key.clone())
            .unwrap_or_default();
        if let Some(table) = builder.tables_mut().get_mut(&table) {
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
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
