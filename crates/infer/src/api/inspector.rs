//! SQLAlchemy's inspector (`sa.inspect(bind)`) and the dialect's own
//! questions (`dialect.has_table`): a migration's defensive questions
//! about the database, answered from the expected schema built so far,
//! which is what the database held when alembic ran the revision.

use std::sync::Arc;

use migration_doctor_schema::{Schema, Table};

use crate::api::arguments::{arg, kwarg, string};
use crate::api::host::Run;
use crate::api::sqlalchemy::{project_types_in, type_of};
use crate::keys::table_key;
use crate::value::Value;

/// One question of the inspector, answered from the schema built so far.
type Question = fn(&Schema, &Asked<'_>) -> Value;

/// Every inspector method that is answered, and its answer.
const QUESTIONS: &[(&str, Question)] = &[
    ("get_table_names", get_table_names),
    ("get_view_names", get_view_names),
    ("has_table", has_table),
    ("has_index", has_index),
    ("get_columns", |schema, asked| {
        with_table(schema, asked, columns)
    }),
    ("get_indexes", |schema, asked| {
        with_table(schema, asked, indexes)
    }),
    ("get_unique_constraints", |schema, asked| {
        with_table(schema, asked, unique_constraints)
    }),
    ("get_foreign_keys", |schema, asked| {
        with_table(schema, asked, foreign_keys)
    }),
    ("get_pk_constraint", |schema, asked| {
        with_table(schema, asked, primary_key)
    }),
];

/// `inspector.<name>(...)`: a migration's question about the database,
/// answered from the expected schema.
pub(crate) fn inspector_call(
    run: &mut Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Value {
    let asked = Asked {
        args,
        kwargs,
        schema: string(kwarg(kwargs, "schema")),
    };
    match QUESTIONS.iter().find(|(known, _)| *known == name) {
        Some((_, question)) => question(run.host.applier.schema, &asked),
        None => Value::Unknown(format!("inspector.{name}() is not answered statically")),
    }
}

/// The arguments of one question.
struct Asked<'v> {
    args: &'v [Value],
    kwargs: &'v [(String, Value)],
    /// `schema=`, the database schema asked about.
    schema: Option<String>,
}

impl Asked<'_> {
    /// The table asked about (the first argument, or `table_name=`).
    fn table(&self) -> Option<String> {
        string(arg(self.args, self.kwargs, 0, "table_name"))
    }

    fn find(&self, schema: &Schema, table: &str) -> Option<Arc<Table>> {
        schema
            .tables
            .get(&table_key(table, self.schema.as_deref()))
            .cloned()
    }
}

fn get_table_names(schema: &Schema, asked: &Asked<'_>) -> Value {
    let prefix = asked.schema.as_ref().map(|schema| format!("{schema}."));
    Value::List(
        schema
            .tables
            .keys()
            .filter_map(|key| match &prefix {
                Some(prefix) => key.strip_prefix(prefix.as_str()).map(str::to_owned),
                None => (!key.contains('.')).then(|| key.clone()),
            })
            .map(Value::Str)
            .collect(),
    )
}

fn get_view_names(schema: &Schema, _asked: &Asked<'_>) -> Value {
    Value::List(schema.views.iter().cloned().map(Value::Str).collect())
}

fn has_table(schema: &Schema, asked: &Asked<'_>) -> Value {
    asked
        .table()
        .map_or(Value::Unknown(String::new()), |table| {
            Value::Bool(asked.find(schema, &table).is_some())
        })
}

fn has_index(schema: &Schema, asked: &Asked<'_>) -> Value {
    let index = string(arg(asked.args, asked.kwargs, 1, "index_name"));
    match (asked.table(), index) {
        (Some(table), Some(index)) => {
            Value::Bool(asked.find(schema, &table).is_some_and(|table| {
                table
                    .indexes
                    .iter()
                    .any(|i| i.name.as_deref() == Some(index.as_str()))
            }))
        }
        _ => Value::Unknown(String::new()),
    }
}

/// The answer `describe` gives of the table asked about; SQLAlchemy raises
/// `NoSuchTableError` for a table that does not exist, so the migration
/// would fail there.
fn with_table(schema: &Schema, asked: &Asked<'_>, describe: fn(&Table) -> Value) -> Value {
    let Some(table) = asked.table() else {
        return Value::Unknown(String::new());
    };
    match asked.find(schema, &table) {
        Some(found) => describe(&found),
        None => Value::Unknown(format!(
            "asks about table {table}, which does not exist at this point"
        )),
    }
}

fn text(value: &str) -> Value {
    Value::Str(value.to_owned())
}

fn names(names: &[String]) -> Value {
    Value::List(names.iter().map(|name| text(name)).collect())
}

fn optional(name: &Option<String>) -> Value {
    name.as_deref().map_or(Value::None, text)
}

fn columns(table: &Table) -> Value {
    Value::List(
        table
            .columns
            .iter()
            .map(|column| {
                Value::Dict(vec![
                    (text("name"), text(&column.name)),
                    (text("nullable"), Value::Bool(column.nullable)),
                    (text("type"), Value::Family(column.type_family.clone())),
                    (text("default"), optional(&column.default)),
                ])
            })
            .collect(),
    )
}

fn indexes(table: &Table) -> Value {
    Value::List(
        table
            .indexes
            .iter()
            .map(|index| {
                Value::Dict(vec![
                    (text("name"), optional(&index.name)),
                    (text("column_names"), names(&index.columns)),
                    (text("unique"), Value::Bool(index.unique)),
                ])
            })
            .collect(),
    )
}

fn unique_constraints(table: &Table) -> Value {
    Value::List(
        table
            .unique_constraints
            .iter()
            .map(|unique| {
                Value::Dict(vec![
                    (text("name"), optional(&unique.name)),
                    (text("column_names"), names(&unique.columns)),
                ])
            })
            .collect(),
    )
}

fn foreign_keys(table: &Table) -> Value {
    Value::List(
        table
            .foreign_keys
            .iter()
            .map(|key| {
                Value::Dict(vec![
                    (text("name"), optional(&key.name)),
                    (text("constrained_columns"), names(&key.columns)),
                    (text("referred_table"), text(&key.referred_table)),
                    (text("referred_columns"), names(&key.referred_columns)),
                    (text("referred_schema"), optional(&key.referred_schema)),
                ])
            })
            .collect(),
    )
}

fn primary_key(table: &Table) -> Value {
    Value::Dict(vec![
        (text("constrained_columns"), names(&table.primary_key)),
        (text("name"), Value::None),
    ])
}

/// `dialect.<name>(...)`: `has_table`, and `type_descriptor(T)` in a
/// `load_dialect_impl`, which is T.
pub(crate) fn dialect_method(
    run: &mut Run<'_>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Value {
    match name {
        // `dialect.type_descriptor(T)` in a `load_dialect_impl`: T.
        "type_descriptor" => project_types_in(run, args)
            .into_iter()
            .next()
            .and_then(|value| type_of(&value))
            .map_or(Value::Unknown(String::new()), Value::Type),
        "has_table" => {
            let table = string(arg(&args, &kwargs, 1, "table_name"));
            let schema = string(kwarg(&kwargs, "schema"));
            table.map_or(Value::Unknown(String::new()), |table| {
                Value::Bool(
                    run.host
                        .applier
                        .schema
                        .tables
                        .contains_key(&table_key(&table, schema.as_deref())),
                )
            })
        }
        _ => Value::Unknown(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::QUESTIONS;

    #[test]
    fn each_question_has_one_answer() {
        for (at, (name, _)) in QUESTIONS.iter().enumerate() {
            assert!(
                !QUESTIONS[at + 1..].iter().any(|(other, _)| other == name),
                "{name}"
            );
        }
    }
}
