//! PostgreSQL: a few catalog queries over `pg_catalog` for the whole schema
//! — or for many schemas of one database at once (a fleet of tenants), each
//! row carrying its schema.

use std::collections::{BTreeMap, HashMap};

use migration_doctor_schema::{Dialect, ReferentialAction, Table, TypeFamily, string_literal};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Row};

use super::builder::{SchemaBuilder, version_table};
use super::{Failed, IntrospectOptions, LiveDatabase, failed};

/// The relations of the schemas: the one query that scans `pg_class`
/// (nothing indexes it by schema); the others reach the catalogs through
/// the relations' oids, by index.
const RELATIONS: &str = "
SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND ($2::text IS NULL OR c.relname = $2)";

/// The columns of the tables read (by relation oid).
const COLUMNS: &str = "
SELECT a.attrelid::int8, a.attnum, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), t.typtype::text,
       CASE WHEN t.typtype = 'e' THEN
         (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
            FROM pg_catalog.pg_enum e WHERE e.enumtypid = a.atttypid) END
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = ANY(CAST($1::int8[] AS oid[])) AND a.attnum > 0 AND NOT a.attisdropped";

/// Key columns as attribute numbers (named from the columns read, which is
/// much cheaper than a subquery per constraint).
const CONSTRAINTS: &str = "
SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey,
       fn.nspname::text, fc.relname::text,
       con.confrelid::int8, con.confkey, con.confdeltype::text, con.confupdtype::text
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.conrelid = ANY(CAST($1::int8[] AS oid[])) AND con.contype IN ('p', 'u', 'f')
ORDER BY con.conrelid, con.conname";

/// The column names of tables outside what was read (a foreign key to
/// another schema), by relation and attribute number.
const ATTRIBUTES: &str = "
SELECT a.attrelid::int8, a.attnum, a.attname::text
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = ANY(CAST($1::int8[] AS oid[])) AND a.attnum > 0";

/// Indexes other than those backing a primary key or unique constraint
/// (SQLAlchemy reports those as constraints). Key columns as attribute
/// numbers, named from the columns read; an expression's text only where
/// the index has one (attribute number 0).
const INDEXES: &str = "
SELECT ix.indrelid::int8, i.relname::text, ix.indisunique,
       ARRAY(SELECT k.attnum FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              ORDER BY k.ord),
       ix.indnkeyatts,
       CASE WHEN 0 = ANY(ix.indkey::int2[]) THEN
         ARRAY(SELECT pg_catalog.pg_get_indexdef(ix.indexrelid, k, true)
                 FROM generate_series(1, ix.indnkeyatts) AS k ORDER BY k) END
FROM pg_catalog.pg_index ix
JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
WHERE ix.indrelid = ANY(CAST($1::int8[] AS oid[])) AND NOT ix.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                   WHERE con.conrelid = ix.indrelid AND con.conindid = ix.indexrelid
                     AND con.contype IN ('p', 'u', 'x'))
ORDER BY ix.indrelid, i.relname";

/// The relations of many schemas (a fleet's tenants), read once so that
/// reading them in batches scans `pg_class` once, not once per batch.
#[derive(Debug, Default)]
pub struct Relations {
    /// By schema: each relation's oid, name and whether it is a view.
    by_schema: HashMap<String, Vec<(i64, String, bool)>>,
}

impl Relations {
    /// How many relations were read.
    pub fn len(&self) -> usize {
        self.by_schema.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The relations of `schemas`, with one scan of `pg_class`.
pub async fn relations(
    connection: &mut PgConnection,
    schemas: &[String],
) -> Result<Relations, Failed> {
    settings(connection).await?;
    list_relations(connection, schemas, None).await
}

/// The relations of `schemas` (or only `only_table` of them).
async fn list_relations(
    connection: &mut PgConnection,
    schemas: &[String],
    only_table: Option<&str>,
) -> Result<Relations, Failed> {
    let doing = "read the catalog";
    let mut relations = Relations::default();
    for row in sqlx::query(RELATIONS)
        .bind(schemas)
        .bind(only_table)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let oid: i64 = row.try_get(0).map_err(failed(doing))?;
        let schema: String = row.try_get(1).map_err(failed(doing))?;
        let name: String = row.try_get(2).map_err(failed(doing))?;
        let kind: String = row.try_get(3).map_err(failed(doing))?;
        relations.by_schema.entry(schema).or_default().push((
            oid,
            name,
            matches!(kind.as_str(), "v" | "m"),
        ));
    }
    Ok(relations)
}

/// The connection's default schema and the server's version. Also turns
/// off just-in-time compilation for the session where the server has it:
/// catalog queries over a database of many tenants look expensive to the
/// planner, which would compile each one for longer than it runs.
async fn settings(connection: &mut PgConnection) -> Result<(String, String), Failed> {
    let meta = sqlx::query(
        "SELECT current_schema()::text, current_setting('server_version'), \
         current_setting('jit', true)",
    )
    .fetch_one(&mut *connection)
    .await
    .map_err(failed("read the server's settings"))?;
    let default_schema: Option<String> = meta
        .try_get(0)
        .map_err(failed("read the server's settings"))?;
    let server_version: String = meta
        .try_get(1)
        .map_err(failed("read the server's settings"))?;
    let jit: Option<String> = meta
        .try_get(2)
        .map_err(failed("read the server's settings"))?;
    if jit.as_deref() == Some("on") {
        sqlx::query("SET jit = off")
            .execute(&mut *connection)
            .await
            .map_err(failed("read the server's settings"))?;
    }
    Ok((
        default_schema.unwrap_or_else(|| "public".to_owned()),
        server_version,
    ))
}

pub async fn read(
    connection: &mut PgConnection,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, Failed> {
    let (default_schema, server_version) = settings(connection).await?;
    let schema_name = options
        .schema
        .clone()
        .unwrap_or_else(|| default_schema.clone());
    let version_schema = options
        .version_table_schema
        .clone()
        .unwrap_or_else(|| default_schema.clone());
    let mut builders = read_schemas(connection, std::slice::from_ref(&schema_name), None).await?;
    let mut builder = builders.remove(&schema_name).unwrap_or_default();
    let found = if version_schema == schema_name {
        builder.take_table(&options.version_table)
    } else {
        // The version table alone, through the same queries restricted to it.
        read_schemas(
            connection,
            std::slice::from_ref(&version_schema),
            Some(&options.version_table),
        )
        .await?
        .remove(&version_schema)
        .and_then(|mut other| other.take_table(&options.version_table))
    };
    let mut rows = version_rows(
        connection,
        &options.version_table,
        &[(&version_schema, &found)],
    )
    .await?;
    Ok(LiveDatabase {
        dialect: Dialect::Postgresql,
        server_version,
        schema_name,
        schema: builder.finish(),
        version_table: version_table(
            &options.version_table,
            options.version_table_schema.as_deref(),
            found,
            rows.remove(&version_schema).unwrap_or_default(),
        ),
    })
}

/// Several schemas of one database, each with its own version table in it
/// (a fleet of tenants), read with the same few catalog queries as one
/// schema, plus one query for all their version rows. In `schemas`' order.
pub async fn read_many(
    connection: &mut PgConnection,
    schemas: &[String],
    version_table_name: &str,
    known: Option<&Relations>,
) -> Result<Vec<LiveDatabase>, Failed> {
    let (_, server_version) = settings(connection).await?;
    let mut builders = read_schemas_of(connection, schemas, None, known).await?;
    let mut read: Vec<(String, SchemaBuilder, Option<Table>)> = schemas
        .iter()
        .map(|schema| {
            let mut builder = builders.remove(schema).unwrap_or_default();
            let found = builder.take_table(version_table_name);
            (schema.clone(), builder, found)
        })
        .collect();
    let tables: Vec<(&String, &Option<Table>)> = read
        .iter()
        .map(|(schema, _, found)| (schema, found))
        .collect();
    let mut rows = version_rows(connection, version_table_name, &tables).await?;
    Ok(read
        .drain(..)
        .map(|(schema, builder, found)| LiveDatabase {
            dialect: Dialect::Postgresql,
            server_version: server_version.clone(),
            schema: builder.finish(),
            version_table: version_table(
                version_table_name,
                Some(&schema),
                found,
                rows.remove(&schema).unwrap_or_default(),
            ),
            schema_name: schema,
        })
        .collect())
}

/// The rows of each schema's version table that has a `version_num`
/// column, in one query (`UNION ALL`), by schema.
async fn version_rows(
    connection: &mut PgConnection,
    table: &str,
    found: &[(&String, &Option<Table>)],
) -> Result<BTreeMap<String, Vec<Option<String>>>, Failed> {
    let selects: Vec<String> = found
        .iter()
        .filter(|(_, table)| {
            table
                .as_ref()
                .is_some_and(|table| table.column("version_num").is_some())
        })
        .map(|(schema, _)| {
            format!(
                "SELECT {}::text, version_num::text FROM {}.{}",
                string_literal(schema),
                quote(schema),
                quote(table)
            )
        })
        .collect();
    let mut rows: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    let doing = format!("read the version table {table}");
    for chunk in selects.chunks(500) {
        for row in sqlx::query(AssertSqlSafe(chunk.join(" UNION ALL ")))
            .fetch_all(&mut *connection)
            .await
            .map_err(failed(&doing))?
        {
            let schema: String = row.try_get(0).map_err(failed(&doing))?;
            let version: Option<String> = row.try_get(1).map_err(failed(&doing))?;
            rows.entry(schema).or_default().push(version);
        }
    }
    Ok(rows)
}

/// Reads `schemas` (or only `only_table` of them), one builder per schema
/// that has anything.
async fn read_schemas(
    connection: &mut PgConnection,
    schemas: &[String],
    only_table: Option<&str>,
) -> Result<BTreeMap<String, SchemaBuilder>, Failed> {
    read_schemas_of(connection, schemas, only_table, None).await
}

/// Like [`read_schemas`], with the relations already read when `known`.
async fn read_schemas_of(
    connection: &mut PgConnection,
    schemas: &[String],
    only_table: Option<&str>,
    known: Option<&Relations>,
) -> Result<BTreeMap<String, SchemaBuilder>, Failed> {
    let doing = "read the catalog";
    let mut builders: BTreeMap<String, SchemaBuilder> = BTreeMap::new();
    // Schema and name by relation oid; the oids of the tables.
    let mut relations: HashMap<i64, (String, String)> = HashMap::new();
    let mut tables: Vec<i64> = Vec::new();
    let listed;
    let known = match known {
        Some(known) => known,
        None => {
            listed = list_relations(connection, schemas, only_table).await?;
            &listed
        }
    };
    for schema in schemas {
        for (oid, name, view) in known.by_schema.get(schema).into_iter().flatten() {
            let builder = builders.entry(schema.clone()).or_default();
            if *view {
                builder.view(name);
            } else {
                builder.table(name);
                tables.push(*oid);
            }
            relations.insert(*oid, (schema.clone(), name.clone()));
        }
    }
    if tables.is_empty() {
        return Ok(builders);
    }
    // Column names by relation and attribute number, for the keys.
    let mut names: HashMap<(i64, i16), String> = HashMap::new();

    // Unordered on the server (a sort of a large catalog spills to disk
    // there); by relation and column position here.
    let mut rows = sqlx::query(COLUMNS)
        .bind(&tables)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?;
    let mut positions: Vec<(i64, i16, usize)> = Vec::with_capacity(rows.len());
    for (at, row) in rows.iter().enumerate() {
        let relation: i64 = row.try_get(0).map_err(failed(doing))?;
        let number: i16 = row.try_get(1).map_err(failed(doing))?;
        positions.push((relation, number, at));
    }
    positions.sort_unstable();
    let mut taken: Vec<Option<sqlx::postgres::PgRow>> = rows.drain(..).map(Some).collect();
    for (relation, number, at) in positions {
        let Some(row) = taken.get_mut(at).and_then(Option::take) else {
            continue;
        };
        let Some((schema, table)) = relations.get(&relation) else {
            continue;
        };
        let name: String = row.try_get(2).map_err(failed(doing))?;
        let native: String = row.try_get(3).map_err(failed(doing))?;
        let not_null: bool = row.try_get(4).map_err(failed(doing))?;
        let default: Option<String> = row.try_get(5).map_err(failed(doing))?;
        let type_kind: String = row.try_get(6).map_err(failed(doing))?;
        let labels: Option<Vec<String>> = row.try_get(7).map_err(failed(doing))?;
        names.insert((relation, number), name.clone());
        let family = if type_kind == "e" {
            TypeFamily::postgres_enum(labels.unwrap_or_default())
        } else {
            TypeFamily::from_native(Dialect::Postgresql, &native)
        };
        builders
            .entry(schema.clone())
            .or_default()
            .column_with_family(table, &name, family, &native, !not_null, default);
    }

    let constraints = sqlx::query(CONSTRAINTS)
        .bind(&tables)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?;
    // Referred tables outside what was read: their column names, at once.
    let mut outside: Vec<i64> = Vec::new();
    for row in &constraints {
        let referred: Option<i64> = row.try_get(6).map_err(failed(doing))?;
        let keys: Option<Vec<i16>> = row.try_get(7).map_err(failed(doing))?;
        if let (Some(referred), Some(keys)) = (referred, keys)
            && keys
                .iter()
                .any(|key| !names.contains_key(&(referred, *key)))
            && !outside.contains(&referred)
        {
            outside.push(referred);
        }
    }
    if !outside.is_empty() {
        for row in sqlx::query(ATTRIBUTES)
            .bind(&outside)
            .fetch_all(&mut *connection)
            .await
            .map_err(failed(doing))?
        {
            let relation: i64 = row.try_get(0).map_err(failed(doing))?;
            let number: i16 = row.try_get(1).map_err(failed(doing))?;
            let name: String = row.try_get(2).map_err(failed(doing))?;
            names.insert((relation, number), name);
        }
    }
    let named = |relation: i64, keys: Option<Vec<i16>>| -> Vec<String> {
        keys.unwrap_or_default()
            .iter()
            .filter_map(|key| names.get(&(relation, *key)).cloned())
            .collect()
    };
    for row in constraints {
        let relation: i64 = row.try_get(0).map_err(failed(doing))?;
        let Some((schema, table)) = relations.get(&relation) else {
            continue;
        };
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let kind: String = row.try_get(2).map_err(failed(doing))?;
        let columns = named(relation, row.try_get(3).map_err(failed(doing))?);
        let builder = builders.entry(schema.clone()).or_default();
        match kind.as_str() {
            "p" => {
                for column in &columns {
                    builder.primary_key_column(table, column);
                }
            }
            "u" => {
                for column in &columns {
                    builder.unique_column(table, Some(&name), &name, column);
                }
            }
            _ => {
                let referred_schema: Option<String> = row.try_get(4).map_err(failed(doing))?;
                let referred_table: Option<String> = row.try_get(5).map_err(failed(doing))?;
                let referred: Option<i64> = row.try_get(6).map_err(failed(doing))?;
                let referred_columns = named(
                    referred.unwrap_or_default(),
                    row.try_get(7).map_err(failed(doing))?,
                );
                let referred_schema = referred_schema.filter(|other| other != schema);
                for (at, column) in columns.iter().enumerate() {
                    builder.foreign_key_column(
                        table,
                        Some(&name),
                        &name,
                        column,
                        referred_schema.as_deref(),
                        referred_table.as_deref().unwrap_or(""),
                        referred_columns.get(at).map(String::as_str),
                    );
                }
                let on_delete: Option<String> = row.try_get(8).map_err(failed(doing))?;
                let on_update: Option<String> = row.try_get(9).map_err(failed(doing))?;
                builder.foreign_key_actions(
                    table,
                    &name,
                    action_of_code(on_delete.as_deref()),
                    action_of_code(on_update.as_deref()),
                );
            }
        }
    }

    if only_table.is_none() {
        for row in sqlx::query(INDEXES)
            .bind(&tables)
            .fetch_all(&mut *connection)
            .await
            .map_err(failed(doing))?
        {
            let relation: i64 = row.try_get(0).map_err(failed(doing))?;
            let Some((schema, table)) = relations.get(&relation) else {
                continue;
            };
            let name: String = row.try_get(1).map_err(failed(doing))?;
            let unique: bool = row.try_get(2).map_err(failed(doing))?;
            let keys: Vec<i16> = row.try_get(3).map_err(failed(doing))?;
            let key_count: i16 = row.try_get(4).map_err(failed(doing))?;
            let expressions: Option<Vec<String>> = row.try_get(5).map_err(failed(doing))?;
            let builder = builders.entry(schema.clone()).or_default();
            let key_count = usize::try_from(key_count).unwrap_or_default();
            for (at, key) in keys.iter().take(key_count).enumerate() {
                let column = if *key == 0 {
                    expressions
                        .as_ref()
                        .and_then(|texts| texts.get(at))
                        .cloned()
                } else {
                    names.get(&(relation, *key)).cloned()
                };
                if let Some(column) = column {
                    builder.index_column(table, &name, unique, &column);
                }
            }
        }
    }
    Ok(builders)
}

/// A PostgreSQL identifier, quoted.
pub fn quote(identifier: &str) -> String {
    migration_doctor_schema::Dialect::Postgresql.quote(identifier)
}

/// `pg_constraint.confdeltype` and `confupdtype`: `a` no action, `r`
/// restrict, `c` cascade, `n` set null, `d` set default.
fn action_of_code(code: Option<&str>) -> ReferentialAction {
    match code {
        Some("a" | "r") => ReferentialAction::NoAction,
        Some("c") => ReferentialAction::Cascade,
        Some("n") => ReferentialAction::SetNull,
        Some("d") => ReferentialAction::SetDefault,
        _ => ReferentialAction::Unknown,
    }
}
