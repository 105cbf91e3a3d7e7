//! Table keys: how the expected schema names a table (`schema.table`, or
//! `table` when the migration names no schema), shared by the applier, the
//! DDL renderer and the interpreter.

use migration_doctor_schema::Dialect;

/// The key of a table in the expected schema: its name, qualified with its
/// schema when the migration names one.
pub fn table_key(name: &str, schema: Option<&str>) -> String {
    match schema {
        Some(schema) => format!("{schema}.{name}"),
        None => name.to_owned(),
    }
}

/// A table key (`schema.table` or `table`) split into its schema and name.
pub(crate) fn split_key(key: &str) -> (Option<&str>, &str) {
    match key.split_once('.') {
        Some((schema, table)) => (Some(schema), table),
        None => (None, key),
    }
}

/// A table key quoted for `dialect`, qualified with its schema when it has one.
pub fn qualified_table(key: &str, dialect: Dialect) -> String {
    match split_key(key) {
        (Some(schema), table) => format!("{}.{}", dialect.quote(schema), dialect.quote(table)),
        (None, table) => dialect.quote(table),
    }
}

/// The table's own name, without its schema.
pub(crate) fn bare_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}
