//! MySQL and MariaDB: four `information_schema` queries for the whole schema.
//! Every value is cast to text or a signed number in SQL, because the two
//! servers disagree on the column types of `information_schema`.

use migration_doctor_schema::{Dialect, ReferentialAction, TypeFamily};
use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::{AssertSqlSafe, Row};

use super::builder::{SchemaBuilder, version_table};
use super::{Failed, IntrospectOptions, LiveDatabase, failed};

const RELATIONS: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR)
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME";

const COLUMNS: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR),
       CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_DEFAULT AS CHAR)
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? {only}
ORDER BY TABLE_NAME, ORDINAL_POSITION";

const INDEXES: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS SIGNED),
       CAST(COLUMN_NAME AS CHAR)
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ? {only}
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";

const FOREIGN_KEYS: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR),
       CAST(REFERENCED_TABLE_SCHEMA AS CHAR), CAST(REFERENCED_TABLE_NAME AS CHAR),
       CAST(REFERENCED_COLUMN_NAME AS CHAR)
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";

/// What each foreign key does on delete and on update, for the tables that
/// have one (`{tables}`): MariaDB opens every table a query over this view
/// may concern, so naming them costs what they cost, not the whole schema.
const REFERENTIAL_RULES: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(DELETE_RULE AS CHAR),
       CAST(UPDATE_RULE AS CHAR)
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME IN ({tables})";

/// Table names per query of [`REFERENTIAL_RULES`].
const TABLES_PER_QUERY: usize = 1_000;

/// MariaDB keeps JSON columns as LONGTEXT guarded by `CHECK (json_valid(col))`.
/// Asked only for the tables that have a LONGTEXT column (`{tables}`).
const JSON_CHECKS: &str = "
SELECT CAST(TABLE_NAME AS CHAR), CAST(CHECK_CLAUSE AS CHAR)
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME IN ({tables}) AND CHECK_CLAUSE LIKE 'json\\_valid(%'";

/// Reads the schema; with a `spare` connection, the slowest catalog query
/// (foreign keys) runs on it while the others run on `connection`.
pub async fn read(
    connection: &mut MySqlConnection,
    spare: Option<&mut MySqlConnection>,
    options: &IntrospectOptions,
) -> Result<LiveDatabase, Failed> {
    let doing = "read the server's settings";
    let meta = sqlx::query("SELECT CAST(DATABASE() AS CHAR), CAST(VERSION() AS CHAR)")
        .fetch_one(&mut *connection)
        .await
        .map_err(failed(doing))?;
    let current: Option<String> = meta.try_get(0).map_err(failed(doing))?;
    let server_version: String = meta.try_get(1).map_err(failed(doing))?;
    let schema_name = options.schema.clone().or(current.clone()).ok_or_else(|| {
        (
            "choose a database".to_owned(),
            sqlx::Error::Configuration(
                "the URL names no database; add /database to the URL or pass --schema".into(),
            ),
        )
    })?;
    let version_schema = options
        .version_table_schema
        .clone()
        .or(current)
        .unwrap_or_else(|| schema_name.clone());

    let mut builder = SchemaBuilder::default();
    // The foreign keys and their rules (the slowest catalog queries) on
    // the spare connection, while the others run on this one.
    let foreign_keys = async {
        match spare {
            Some(spare) => Some(fetch_foreign_keys_and_rules(spare, &schema_name).await),
            None => None,
        }
    };
    let (read, foreign_keys) = tokio::join!(
        read_schema(&mut *connection, &schema_name, None, &mut builder),
        foreign_keys
    );
    read?;
    let (foreign_keys, rules) = match foreign_keys {
        Some(rows) => rows?,
        None => fetch_foreign_keys_and_rules(connection, &schema_name).await?,
    };
    apply_foreign_keys(foreign_keys, &schema_name, &mut builder)?;
    apply_referential_rules(rules, &mut builder)?;
    if server_version.contains("MariaDB") {
        mark_json_columns(connection, &schema_name, &mut builder).await?;
    }
    if version_schema == schema_name {
        builder.take_table(&options.version_table);
    }
    let mut version_builder = SchemaBuilder::default();
    read_schema(
        connection,
        &version_schema,
        Some(&options.version_table),
        &mut version_builder,
    )
    .await?;
    let found = version_builder.take_table(&options.version_table);
    let rows = match &found {
        Some(table) if table.column("version_num").is_some() => {
            let sql = format!(
                "SELECT CAST(version_num AS CHAR) FROM {}.{}",
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
        dialect: Dialect::Mysql,
        server_version,
        schema_name,
        schema: builder.finish(),
        version_table: version_table(
            &options.version_table,
            options.version_table_schema.as_deref(),
            found,
            rows,
        ),
    })
}

async fn read_schema(
    connection: &mut MySqlConnection,
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
        if kind.contains("VIEW") {
            builder.view(&name);
        } else {
            builder.table(&name);
        }
    }
    // A literal `TABLE_NAME = ?` lets MySQL open one table instead of all.
    let only = if only_table.is_some() {
        "AND TABLE_NAME = ?"
    } else {
        ""
    };
    let mut query = sqlx::query(AssertSqlSafe(COLUMNS.replace("{only}", only))).bind(schema);
    if let Some(table) = only_table {
        query = query.bind(table);
    }
    for row in query
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let native: String = row.try_get(2).map_err(failed(doing))?;
        let nullable: String = row.try_get(3).map_err(failed(doing))?;
        let default: Option<String> = row.try_get(4).map_err(failed(doing))?;
        builder.column(
            Dialect::Mysql,
            &table,
            &name,
            &native,
            nullable == "YES",
            default,
        );
    }
    let mut query = sqlx::query(AssertSqlSafe(INDEXES.replace("{only}", only))).bind(schema);
    if let Some(table) = only_table {
        query = query.bind(table);
    }
    for row in query
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let non_unique: i64 = row.try_get(2).map_err(failed(doing))?;
        // A functional index part (MySQL 8) has no column name.
        let column: Option<String> = row.try_get(3).map_err(failed(doing))?;
        let Some(column) = column else { continue };
        if name == "PRIMARY" {
            builder.primary_key_column(&table, &column);
        } else {
            // MySQL has no unique constraint apart from its unique index: it
            // is both, as SQLAlchemy reports it.
            builder.index_column(&table, &name, non_unique == 0, &column);
            if non_unique == 0 {
                builder.unique_column(&table, Some(&name), &name, &column);
            }
        }
    }
    Ok(())
}

async fn mark_json_columns(
    connection: &mut MySqlConnection,
    schema: &str,
    builder: &mut SchemaBuilder,
) -> Result<(), Failed> {
    let doing = "read the catalog";
    let candidates: Vec<String> = builder
        .tables()
        .iter()
        .filter(|(_, table)| {
            table
                .columns
                .iter()
                .any(|column| column.native_type.eq_ignore_ascii_case("longtext"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    if candidates.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["?"; candidates.len()].join(", ");
    let sql = JSON_CHECKS.replace("{tables}", &placeholders);
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(schema);
    for table in &candidates {
        query = query.bind(table);
    }
    for row in query
        .fetch_all(&mut *connection)
        .await
        .map_err(failed(doing))?
    {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let clause: String = row.try_get(1).map_err(failed(doing))?;
        let Some(column) = clause
            .strip_prefix("json_valid(`")
            .and_then(|rest| rest.strip_suffix("`)"))
        else {
            continue;
        };
        if let Some(column) = builder
            .table_mut_by_name(&table)
            .and_then(|table| table.columns.iter_mut().find(|c| c.name == column))
        {
            column.type_family = TypeFamily::Json;
        }
    }
    Ok(())
}

async fn fetch_foreign_keys(
    connection: &mut MySqlConnection,
    schema: &str,
) -> Result<Vec<MySqlRow>, Failed> {
    sqlx::query(FOREIGN_KEYS)
        .bind(schema)
        .fetch_all(connection)
        .await
        .map_err(failed("read the catalog"))
}

/// The key columns of the schema's foreign keys, then the rules of the
/// tables that have one.
async fn fetch_foreign_keys_and_rules(
    connection: &mut MySqlConnection,
    schema: &str,
) -> Result<(Vec<MySqlRow>, Vec<MySqlRow>), Failed> {
    let doing = "read the catalog";
    let keys = fetch_foreign_keys(&mut *connection, schema).await?;
    let mut tables: Vec<String> = Vec::new();
    for row in &keys {
        let referred: Option<String> = row.try_get(4).map_err(failed(doing))?;
        let table: String = row.try_get(0).map_err(failed(doing))?;
        // Rows come by table name: one entry per table.
        if referred.is_some() && tables.last() != Some(&table) {
            tables.push(table);
        }
    }
    let mut rules = Vec::new();
    for chunk in tables.chunks(TABLES_PER_QUERY) {
        let placeholders = vec!["?"; chunk.len()].join(", ");
        let sql = REFERENTIAL_RULES.replace("{tables}", &placeholders);
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(schema);
        for table in chunk {
            query = query.bind(table);
        }
        rules.extend(
            query
                .fetch_all(&mut *connection)
                .await
                .map_err(failed(doing))?,
        );
    }
    Ok((keys, rules))
}

fn apply_referential_rules(rows: Vec<MySqlRow>, builder: &mut SchemaBuilder) -> Result<(), Failed> {
    let doing = "read the catalog";
    for row in rows {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let on_delete: String = row.try_get(2).map_err(failed(doing))?;
        let on_update: String = row.try_get(3).map_err(failed(doing))?;
        builder.foreign_key_actions(
            &table,
            &name,
            ReferentialAction::parse(&on_delete),
            ReferentialAction::parse(&on_update),
        );
    }
    Ok(())
}

fn apply_foreign_keys(
    rows: Vec<MySqlRow>,
    schema: &str,
    builder: &mut SchemaBuilder,
) -> Result<(), Failed> {
    let doing = "read the catalog";
    for row in rows {
        let table: String = row.try_get(0).map_err(failed(doing))?;
        let name: String = row.try_get(1).map_err(failed(doing))?;
        let column: String = row.try_get(2).map_err(failed(doing))?;
        let referred_schema: Option<String> = row.try_get(3).map_err(failed(doing))?;
        // Filtered here: `REFERENCED_TABLE_NAME IS NOT NULL` in SQL makes
        // MariaDB several times slower.
        let referred_table: Option<String> = row.try_get(4).map_err(failed(doing))?;
        let Some(referred_table) = referred_table else {
            continue;
        };
        let referred_column: Option<String> = row.try_get(5).map_err(failed(doing))?;
        let referred_schema = referred_schema.filter(|other| other != schema);
        builder.foreign_key_column(
            &table,
            Some(&name),
            &name,
            &column,
            referred_schema.as_deref(),
            &referred_table,
            referred_column.as_deref(),
        );
    }
    Ok(())
}

/// A MySQL identifier, quoted.
pub fn quote(identifier: &str) -> String {
    migration_doctor_schema::Dialect::Mysql.quote(identifier)
}
