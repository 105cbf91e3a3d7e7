//! `op.create_index`, `op.drop_index`.

use super::call::{Handled, OpCall, applied};
use crate::api::arguments::column_names;
use crate::api::host::Run;
use crate::value::Value;

pub(crate) fn create_index(run: &mut Run<'_>, call: &OpCall) -> Handled {
    {
        let index = call.string(0, "index_name");
        let table = call.table_arg(1, "table_name");
        let columns = column_names(call.arg(1 + call.shift(), "columns"));
        let unique = matches!(call.kwarg("unique"), Some(Value::Bool(true)));
        match (index, table, columns) {
            (Some(index), Some(table), Some(columns)) => {
                let key = call.table_key(&table);
                applied(run.host.applier.create_index(&key, &index, columns, unique))
            }
            _ => Err("create_index with names only known at run time".to_owned()),
        }
    }
}

pub(crate) fn drop_index(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match call.string(0, "index_name") {
        Some(index) => {
            let table = match &call.batch {
                Some((table, _)) => Some(table.clone()),
                None => call.string(1, "table_name"),
            };
            let key = table.map(|table| call.table_key(&table));
            applied(run.host.applier.drop_index(&index, key.as_deref()))
        }
        None => Err("drop_index of an index only known at run time".to_owned()),
    }
}
