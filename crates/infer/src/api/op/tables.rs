//! `op.create_table`, `op.drop_table`, `op.rename_table`.

use super::call::{Handled, OpCall, applied};
use crate::api::host::Run;
use crate::value::Value;

pub(crate) fn create_table(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match call.string(0, "table_name") {
        None => Err("create_table with a name only known at run time".to_owned()),
        Some(table) => {
            let mut columns = Vec::new();
            let mut constraints = Vec::new();
            let mut unknown_parts = false;
            for item in call.args.iter().skip(1) {
                match item {
                    Value::Column(column) => columns.push((**column).clone()),
                    Value::Constraint(constraint) => constraints.push(constraint.clone()),
                    Value::List(items) => {
                        for item in items {
                            match item {
                                Value::Column(column) => columns.push((**column).clone()),
                                Value::Constraint(constraint) => {
                                    constraints.push(constraint.clone())
                                }
                                _ => unknown_parts = true,
                            }
                        }
                    }
                    Value::Opaque(_) => {}
                    _ => unknown_parts = true,
                }
            }
            if unknown_parts {
                run.unknown(
                    call.range,
                    "create_table with columns only known at run time",
                );
            }
            let key = call.table_key(&table);
            applied(run.host.applier.create_table(&key, &columns, &constraints))
        }
    }
}

pub(crate) fn drop_table(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match call.string(0, "table_name") {
        Some(table) => {
            let key = call.table_key(&table);
            applied(run.host.applier.drop_table(&key))
        }
        None => Err("drop_table of a table only known at run time".to_owned()),
    }
}

pub(crate) fn rename_table(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match (
        call.string(0, "old_table_name"),
        call.string(1, "new_table_name"),
    ) {
        (Some(old), Some(new)) => {
            let (old, new) = (call.table_key(&old), call.table_key(&new));
            applied(run.host.applier.rename_table(&old, &new))
        }
        _ => Err("rename_table with names only known at run time".to_owned()),
    }
}
