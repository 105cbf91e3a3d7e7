//! PostgreSQL: five catalog queries over `pg_catalog` for the whole schema.

use migration_doctor_schema::{Dialect, Table, TypeFamily};
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Row};

use super::builder::{SchemaBuilder, version_table};
use super::{Failed, IntrospectOptions, LiveDatabase, failed};

const RELATIONS: &str = "
SELECT c.relname::text, c.relkind::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY c.relname";

const COLUMNS: &str = "
SELECT c.relname::text, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid), t.typtype::text,
       (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
          FROM pg_catalog.pg_enum e WHERE e.enumtypid = a.atttypid)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
  AND ($2::text IS NULL OR c.relname = $2)
ORDER BY c.relname, a.attnum";

const CONSTRAINTS: &str = "
SELECT c.relname::text, con.conname::text, con.contype::text,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord),
       fn.nspname::text, fc.relname::text,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f')
  AND ($2::text IS NULL OR c.relname = $2)
ORDER BY c.relname, con.conname";

/// Indexes other than those backing a primary key or unique constraint
/// (SQLAlchemy reports those as constraints).
const INDEXES: &str = "
SELECT t.relname::text, i.relname::text, ix.indisunique,
       ARRAY(SELECT CASE WHEN k.attnum = 0
                         THEN pg_catalog.pg_get_indexdef(ix.indexrelid, k.ord::int, true)
                         ELSE (SELECT a.attname::text FROM pg_catalog.pg_attribute a
                                WHERE a.attrelid = ix.indrelid AND a.attnum = k.attnum) END
               FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              WHERE k.ord <= ix.indnkeyatts
              ORDER BY k.ord)
FROM pg_catalog.pg_index ix
JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid
JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1 AND NOT ix.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                   WHERE con.conindid = ix.indexrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY t.relname, i.relname";

pub async fn read(
    connection: &mut PgConnection,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, Failed> {
    let meta = sqlx::query("SELECT current_schema()::text, current_setting('server_version')")
        .fetch_one(&mut *connection)
        .await
        .map_err(failed("read the server's settings"))?;
    let default_schema: Option<String> = meta
        .try_get(0)
        .map_err(failed("read the server's settings"))?;
    let server_version: String = meta
        .try_get(1)
        .map_err(failed("read the server's settings"))?;
    let default_schema = default_schema.unwrap_or_else(|| "public".to_owned());
    let schema_name = options
        .schema
        .clone()
        .unwrap_or_else(|| default_schema.clone());
    let version_schema = options
        .version_table_schema
        .clone()
        .unwrap_or_else(|| default_schema.clone());

    let mut builder = SchemaBuilder::default();
    read_schema(connection, &schema_name, None, &mut builder).await?;
    if version_schema == schema_name {
        builder.take_table(&options.version_table);
    }

    // The version table alone, through the same queries restricted to it.
    let mut version_builder = SchemaBuilder::default();
    read_schema(
        connection,
        &version_schema,
        Some(&options.version_table),
        &mut version_builder,
    )
    .await?;
    let found: Option<Table> = version_builder.take_table(&options.version_table);
    let rows = match &found {
        Some(table) if table.column("version_num").is_some() => {
            let sql = format!(
                "SELECT version_num::text FROM {}.{}",
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
    let version_schema_shown = options.version_table_schema.as_deref();
    Ok(LiveDatabase {
        dialect: Dialect::Postgresql,
        server_version,
        schema_name,
        schema: builder.finish(),
        version_table: version_table(&options.version_table, version_schema_shown, found, rows),
    })
}

/// Reads `schema` (or only `only_table` of it) into the builder.
async fn read_schema(
    connection: &mut PgConnection,
    schema: &str,
    only_table: Option<&str>,
    builder: &mut SchemaBuilder,
) -> Result<(), Failed> {
    let doing = "read the catalog";
    for row in sqlx::query(RELATIONS)
        .bind(schema)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let name: String = row.try_get(0).map_err(failed(doing))?;
        if only_table.is_some_and(|only| only != name) {
            continue;
        }
        let kind: String = row.try_get(1).map_err(failed(doing))?;
        match kind.as_str() {
            "v" | "m" => builder.view(&name),
            _ => builder.table(&name),
        }
    }

    for row in sqlx::query(COLUMNS)
        .bind(schema)
        .bind(only_table)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let native: String = row.try_get(2).map_err(failed(doing))?;
        let not_null: bool = row.try_get(3).map_err(failed(doing))?;
        let default: Option<String> = row.try_get(4).map_err(failed(doing))?;
        let type_kind: String = row.try_get(5).map_err(failed(doing))?;
        let labels: Option<Vec<String>> = row.try_get(6).map_err(failed(doing))?;
        let family = if type_kind == "e" {
            TypeFamily::postgres_enum(labels.unwrap_or_default())
        } else {
            TypeFamily::from_native(Dialect::Postgresql, &native)
        };
        builder.column_with_family(&table, &name, family, &native, !not_null, default);
    }

    for row in sqlx::query(CONSTRAINTS)
        .bind(schema)
        .bind(only_table)
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let kind: String = row.try_get(2).map_err(failed(doing))?;
        let columns: Vec<String> = row.try_get(3).map_err(failed(doing))?;
        match kind.as_str() {
            "p" => {
                for column in &columns {
                    builder.primary_key_column(&table, column);
                }
            }
            "u" => {
                for column in &columns {
                    builder.unique_column(&table, Some(&name), &name, column);
                }
            }
            _ => {
                let referred_schema: Option<String> = row.try_get(4).map_err(failed(doing))?;
                let referred_table: Option<String> = row.try_get(5).map_err(failed(doing))?;
                let referred_columns: Vec<String> = row.try_get(6).map_err(failed(doing))?;
                let referred_schema = referred_schema.filter(|other| other != schema);
                for (at, column) in columns.iter().enumerate() {
                    builder.foreign_key_column(
                        &table,
                        Some(&name),
                        &name,
                        column,
                        referred_schema.as_deref(),
                        referred_table.as_deref().unwrap_or(""),
                        referred_columns.get(at).map(String::as_str),
                    );
                }
            }
        }
    }

    if only_table.is_none() {
        for row in sqlx::query(INDEXES)
            .bind(schema)
            .fetch_all(&mut *connection)
            .await
            .map_err(failed(doing))?
        {
            let table: String = row.try_get(0).map_err(failed(doing))?;
            let name: String = row.try_get(1).map_err(failed(doing))?;
            let unique: bool = row.try_get(2).map_err(failed(doing))?;
            let columns: Vec<Option<String>> = row.try_get(3).map_err(failed(doing))?;
            for column in columns.into_iter().flatten() {
                builder.index_column(&table, &name, unique, &column);
            }
        }
    }
    Ok(())
}

/// A PostgreSQL identifier, quoted.
pub fn quote(identifier: &str) -> String {
    migration_doctor_schema::Dialect::Postgresql.quote(identifier)
}
