//! SQLAlchemy's inspector (`sa.inspect(bind)`) and the dialect's own
//! questions (`dialect.has_table`): a migration's defensive questions
//! about the database, answered from the expected schema built so far,
//! which is what the database held when alembic ran the revision.

use std::sync::Arc;

use migration_doctor_schema::Table;

use crate::api::arguments::{arg, kwarg, string};
use crate::api::host::Run;
use crate::api::sqlalchemy::{project_types_in, type_of};
use crate::keys::table_key;
use crate::value::Value;

/// Answers a migration's question about the database from the expected schema.
pub(crate) fn inspector_call(
    run: &mut Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Value {
    let schema = string(kwarg(kwargs, "schema"));
    let table_named = |position: usize| string(arg(args, kwargs, position, "table_name"));
    let find = |run: &Run<'_>, table: &str| -> Option<Arc<Table>> {
        run.host
            .applier
            .schema
            .tables
            .get(&table_key(table, schema.as_deref()))
            .cloned()
    };
    match name {
        "get_table_names" => {
            let prefix = schema.as_ref().map(|schema| format!("{schema}."));
            Value::List(
                run.host
                    .applier
                    .schema
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
        "get_view_names" => Value::List(
            run.host
                .applier
                .schema
                .views
                .iter()
                .cloned()
                .map(Value::Str)
                .collect(),
        ),
        "has_table" => table_named(0).map_or(Value::Unknown(String::new()), |table| {
            Value::Bool(find(run, &table).is_some())
        }),
        "has_index" => match (table_named(0), string(arg(args, kwargs, 1, "index_name"))) {
            (Some(table), Some(index)) => Value::Bool(find(run, &table).is_some_and(|table| {
                table
                    .indexes
                    .iter()
                    .any(|i| i.name.as_deref() == Some(index.as_str()))
            })),
            _ => Value::Unknown(String::new()),
        },
        "get_columns"
        | "get_indexes"
        | "get_unique_constraints"
        | "get_foreign_keys"
        | "get_pk_constraint" => {
            let Some(table) = table_named(0) else {
                return Value::Unknown(String::new());
            };
            let Some(table) = find(run, &table) else {
                // SQLAlchemy raises NoSuchTableError: the migration would fail.
                return Value::Unknown(format!(
                    "asks about table {table}, which does not exist at this point"
                ));
            };
            let text = |value: &str| Value::Str(value.to_owned());
            let names =
                |names: &[String]| Value::List(names.iter().map(|name| text(name)).collect());
            let optional = |name: &Option<String>| name.as_deref().map_or(Value::None, text);
            match name {
                "get_columns" => Value::List(
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
                ),
                "get_indexes" => Value::List(
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
                ),
                "get_unique_constraints" => Value::List(
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
                ),
                "get_foreign_keys" => Value::List(
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
                ),
                _ => Value::Dict(vec![
                    (text("constrained_columns"), names(&table.primary_key)),
                    (text("name"), Value::None),
                ]),
            }
        }
        _ => Value::Unknown(format!("inspector.{name}() is not answered statically")),
    }
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
