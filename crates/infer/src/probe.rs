//! Read-only questions that tell whether a data step ran, derived from its
//! SQL: rows an `UPDATE` would still change (those its `WHERE` selects
//! whose assigned columns do not hold the assigned values yet), rows a
//! `DELETE` would still remove, the row an `INSERT … VALUES` adds (found by
//! the table's primary key or a unique key when the statement gives them).
//!
//! Anything else (`INSERT … SELECT`, joins, assignments that read the
//! columns they write, SQLAlchemy-built statements) has no probe: the step
//! stays unprobed, and a decision that depends on it needs a person.

use migration_doctor_schema::{Dialect, Schema};
use sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, ObjectName, SetExpr, Statement, TableFactor, TableObject,
    TableWithJoins,
};

use crate::operation::Probe;

/// The probe of one data statement, when its SQL allows one.
pub fn probe_for(statement: &Statement, dialect: Dialect, schema: &Schema) -> Option<Probe> {
    match statement {
        Statement::Update(update) => {
            if update.from.is_some() || update.limit.is_some() {
                return None;
            }
            let table = single_table(&update.table)?;
            let mut targets = Vec::new();
            let mut differs = Vec::new();
            for assignment in &update.assignments {
                let AssignmentTarget::ColumnName(column) = &assignment.target else {
                    return None;
                };
                targets.push(column.to_string());
                differs.push((column.to_string(), assignment.value.to_string()));
            }
            // After the UPDATE an assigned column equals its value only if
            // the value does not read a column the statement writes.
            if differs.iter().any(|(_, value)| {
                targets
                    .iter()
                    .any(|target| mentions(value, bare_identifier(target)))
            }) || differs.is_empty()
            {
                return None;
            }
            let pending = differs
                .iter()
                .map(|(column, value)| distinct(dialect, column, value))
                .collect::<Vec<_>>()
                .join(" OR ");
            let condition = match &update.selection {
                Some(selection) => format!("({selection}) AND ({pending})"),
                None => pending,
            };
            Some(Probe {
                query: format!("SELECT 1 FROM {table} WHERE {condition} LIMIT 1"),
                applied_when_found: false,
            })
        }
        Statement::Delete(delete) => {
            if delete.using.is_some() || delete.limit.is_some() || !delete.tables.is_empty() {
                return None;
            }
            let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &delete.from;
            let [only] = from.as_slice() else {
                return None;
            };
            let table = single_table(only)?;
            let query = match &delete.selection {
                Some(selection) => format!("SELECT 1 FROM {table} WHERE {selection} LIMIT 1"),
                None => format!("SELECT 1 FROM {table} LIMIT 1"),
            };
            Some(Probe {
                query,
                applied_when_found: false,
            })
        }
        Statement::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else {
                return None;
            };
            let source = insert.source.as_ref()?;
            let SetExpr::Values(values) = source.body.as_ref() else {
                return None;
            };
            let row = &values.rows.first()?.content;
            if insert.columns.is_empty() || row.len() != insert.columns.len() {
                return None;
            }
            let given: Vec<(String, &Expr)> = insert
                .columns
                .iter()
                .map(|column| column.to_string())
                .zip(row.iter())
                .filter(|(_, value)| matches!(value, Expr::Value(_)))
                .collect();
            let key = key_columns(schema, name, &given)?;
            let condition = key
                .iter()
                .map(|(column, value)| {
                    let value = value.to_string();
                    if value.eq_ignore_ascii_case("null") {
                        format!("{column} IS NULL")
                    } else {
                        format!("{column} = {value}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            Some(Probe {
                query: format!("SELECT 1 FROM {name} WHERE {condition} LIMIT 1"),
                applied_when_found: true,
            })
        }
        _ => None,
    }
}

/// The columns that find the inserted row: the primary key, else a unique
/// key, when the statement gives literal values for all of them; else every
/// literal value it gives.
fn key_columns<'e>(
    schema: &Schema,
    table: &ObjectName,
    given: &[(String, &'e Expr)],
) -> Option<Vec<(String, &'e Expr)>> {
    let bare = table
        .0
        .last()
        .map(|part| unquote(&part.to_string()))
        .unwrap_or_default();
    let value_of = |column: &str| {
        given
            .iter()
            .find(|(name, _)| unquote(name) == column)
            .cloned()
    };
    if let Some(definition) = schema.tables.get(&bare) {
        let keys = std::iter::once(definition.primary_key.clone()).chain(
            definition
                .unique_constraints
                .iter()
                .map(|unique| unique.columns.clone()),
        );
        for key in keys.filter(|key| !key.is_empty()) {
            let found: Option<Vec<_>> = key.iter().map(|column| value_of(column)).collect();
            if let Some(found) = found {
                return Some(found);
            }
        }
    }
    (!given.is_empty()).then(|| given.to_vec())
}

fn single_table(table: &TableWithJoins) -> Option<String> {
    if !table.joins.is_empty() {
        return None;
    }
    match &table.relation {
        TableFactor::Table {
            name, alias: None, ..
        } => Some(name.to_string()),
        _ => None,
    }
}

/// `column` does not hold `value` (NULLs compared as values).
fn distinct(dialect: Dialect, column: &str, value: &str) -> String {
    match dialect {
        Dialect::Postgresql => format!("{column} IS DISTINCT FROM ({value})"),
        Dialect::Mysql => format!("NOT ({column} <=> ({value}))"),
        Dialect::Sqlite => format!("{column} IS NOT ({value})"),
    }
}

fn unquote(text: &str) -> String {
    text.trim_matches(|c| c == '"' || c == '`').to_owned()
}

fn bare_identifier(column: &str) -> &str {
    column
        .rsplit('.')
        .next()
        .unwrap_or(column)
        .trim_matches(|c| c == '"' || c == '`')
}

/// Whether `text` mentions `word` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    let lowered = text.to_lowercase();
    let word = word.to_lowercase();
    lowered.match_indices(&word).any(|(at, _)| {
        let before = lowered[..at].chars().next_back();
        let after = lowered[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        boundary(before) && boundary(after)
    })
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    use super::*;

    fn probe(sql: &str) -> Option<Probe> {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).expect("SQL");
        probe_for(&statements[0], Dialect::Postgresql, &Schema::default())
    }

    #[test]
    fn a_backfill_asks_for_rows_still_to_change() {
        let probe =
            probe("UPDATE users SET status = 'active' WHERE status IS NULL").expect("probe");
        assert_eq!(
            probe.query,
            "SELECT 1 FROM users WHERE (status IS NULL) AND (status IS DISTINCT FROM ('active')) LIMIT 1"
        );
        assert!(!probe.applied_when_found);
    }

    #[test]
    fn an_update_that_reads_what_it_writes_has_no_probe() {
        assert_eq!(probe("UPDATE counters SET n = n + 1"), None);
    }

    #[test]
    fn an_insert_is_found_by_its_values() {
        let probe = probe("INSERT INTO roles (id, name) VALUES (1, 'admin')").expect("probe");
        assert_eq!(
            probe.query,
            "SELECT 1 FROM roles WHERE id = 1 AND name = 'admin' LIMIT 1"
        );
        assert!(probe.applied_when_found);
        assert_eq!(probe_for_insert_select(), None);
    }

    fn probe_for_insert_select() -> Option<Probe> {
        probe("INSERT INTO roles (id) SELECT id FROM old_roles")
    }

    #[test]
    fn a_delete_asks_for_rows_still_there() {
        let probe = probe("DELETE FROM sessions WHERE expired").expect("probe");
        assert_eq!(probe.query, "SELECT 1 FROM sessions WHERE expired LIMIT 1");
    }
}
