//! alembic's `op` and `batch_op`: one handler per operation, registered by
//! name in [`HANDLERS`]; each applies its change to the expected schema
//! through the applier. Checked against alembic 1.20's `Operations`
//! signatures. To support another operation, add its handler to the room
//! of what it changes and a line here (ARCHITECTURE.md, "Adding an `op.*`
//! call").

mod batch;
mod call;
mod columns;
mod constraints;
mod context;
mod data;
mod indexes;
mod tables;

use ruff_text_size::TextRange;

use self::call::{Handler, OpCall};
use crate::api::host::{Run, at};
use crate::api::sqlalchemy::project_types_in;
use crate::value::Value;

/// Every `op.*` (and `batch_op.*`) name that means something, and its handler.
const HANDLERS: &[(&str, Handler)] = &[
    ("f", context::f),
    ("get_bind", context::get_bind),
    ("get_context", context::get_context),
    ("inline_literal", context::inline_literal),
    ("batch_alter_table", batch::batch_alter_table),
    ("execute", data::execute),
    ("bulk_insert", data::bulk_insert),
    ("create_table", tables::create_table),
    ("drop_table", tables::drop_table),
    ("rename_table", tables::rename_table),
    ("add_column", columns::add_column),
    ("drop_column", columns::drop_column),
    ("alter_column", columns::alter_column),
    ("create_index", indexes::create_index),
    ("drop_index", indexes::drop_index),
    (
        "create_unique_constraint",
        constraints::create_unique_constraint,
    ),
    ("create_foreign_key", constraints::create_foreign_key),
    ("create_primary_key", constraints::create_primary_key),
    ("drop_constraint", constraints::drop_constraint),
    ("create_check_constraint", context::not_compared),
    ("create_exclude_constraint", context::not_compared),
    ("create_table_comment", context::not_compared),
    ("drop_table_comment", context::not_compared),
    ("alter_table_comment", context::not_compared),
    ("create_sequence", context::not_compared),
    ("drop_sequence", context::not_compared),
];

/// `op.<name>(…)`, or `batch_op.<name>(…)` when `batch` names the table.
pub(crate) fn op_call(
    run: &mut Run<'_>,
    batch: Option<(String, Option<String>)>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    // Classes of the project given as types are the types they stand for.
    let kwargs: Vec<(String, Value)> = kwargs
        .into_iter()
        .map(|(key, value)| match key.as_str() {
            "type_" | "existing_type" => (key, project_types_in(run, vec![value]).remove(0)),
            _ => (key, value),
        })
        .collect();
    let call = OpCall::new(name, batch, args, kwargs, range);
    at(run, range);
    let handled = match HANDLERS.iter().find(|(known, _)| *known == name) {
        Some((_, handler)) => handler(run, &call),
        None => Err(format!("op.{name} is not interpreted")),
    };
    handled.unwrap_or_else(|reason| {
        run.unknown(range, &reason);
        Value::None
    })
}

#[cfg(test)]
mod tests {
    use super::HANDLERS;

    #[test]
    fn each_operation_has_one_handler() {
        for (at, (name, _)) in HANDLERS.iter().enumerate() {
            assert!(
                !HANDLERS[at + 1..].iter().any(|(other, _)| other == name),
                "op.{name} is registered twice; the second handler would never run"
            );
        }
    }
}
