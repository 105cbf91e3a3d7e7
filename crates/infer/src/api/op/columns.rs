//! `op.add_column`, `op.drop_column`, `op.alter_column` (and their
//! `batch_op` forms).

use super::call::{Handled, OpCall, applied};
use crate::api::arguments::string;
use crate::api::host::Run;
use crate::api::sqlalchemy::type_of;
use crate::dialect;
use crate::operation::ColumnChange;
use crate::sa_types::type_family;
use crate::value::Value;

pub(crate) fn add_column(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match (
        call.table_arg(0, "table_name"),
        call.arg(call.shift(), "column"),
    ) {
        (Some(table), Some(Value::Column(column))) => {
            let key = call.table_key(&table);
            applied(run.host.applier.add_column(&key, column))
        }
        _ => Err("add_column with a column only known at run time".to_owned()),
    }
}

pub(crate) fn drop_column(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match (
        call.table_arg(0, "table_name"),
        call.string(call.shift(), "column_name"),
    ) {
        (Some(table), Some(column)) => {
            let key = call.table_key(&table);
            applied(run.host.applier.drop_column(&key, &column))
        }
        _ => Err("drop_column with names only known at run time".to_owned()),
    }
}

pub(crate) fn alter_column(run: &mut Run<'_>, call: &OpCall) -> Handled {
    let dialect = run.host.dialect;
    match (
        call.table_arg(0, "table_name"),
        call.string(call.shift(), "column_name"),
    ) {
        (Some(table), Some(column)) => {
            let key = call.table_key(&table);
            let flag = |name: &str| match call.kwarg(name) {
                Some(Value::Bool(value)) => Some(*value),
                _ => None,
            };
            let mut nullable = flag("nullable");
            let mut new_type = call.kwarg("type_").and_then(type_of);
            // A nullability change or a rename restates the column on
            // MySQL with `existing_type`, which becomes its type.
            let restates_column = dialect::alter_restates_column(dialect);
            if restates_column
                && new_type.is_none()
                && (nullable.is_some() || call.kwarg("new_column_name").is_some())
            {
                new_type = call.kwarg("existing_type").and_then(type_of);
            }
            // MySQL restates the whole column (`MODIFY`/`CHANGE`) for a
            // new type or name, and alembic writes `NULL` there unless
            // told otherwise (alembic 1.20, ddl/mysql.py).
            let restated = new_type.is_some() || call.kwarg("new_column_name").is_some();
            if restates_column && restated && nullable.is_none() {
                nullable = Some(flag("existing_nullable").unwrap_or(true));
            }
            let change = ColumnChange {
                nullable,
                type_family: new_type.as_ref().map(|spec| type_family(spec, dialect)),
                native_type: new_type.map(|spec| spec.name),
                new_name: string(call.kwarg("new_column_name")),
            };
            applied(run.host.applier.alter_column(&key, &column, change))
        }
        _ => Err("alter_column with names only known at run time".to_owned()),
    }
}
