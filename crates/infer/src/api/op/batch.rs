//! `op.batch_alter_table(...)`: the block's table, and whether alembic
//! rebuilds it (copy, drop, rename), as it does on SQLite unless told
//! otherwise.

use super::call::{Handled, OpCall};
use crate::api::arguments::string;
use crate::api::host::Run;
use crate::api::sqlalchemy::convention_entries;
use crate::dialect;
use crate::naming::NamingConvention;
use crate::value::Value;

pub(crate) fn batch_alter_table(run: &mut Run<'_>, call: &OpCall) -> Handled {
    let Some(table) = call.table_arg(0, "table_name") else {
        return Ok(Value::Unknown(
            "batch_alter_table on a table only known at run time".to_owned(),
        ));
    };
    let rebuilt = match string(call.kwarg("recreate")).as_deref() {
        Some("always") => true,
        Some("never") => false,
        _ => dialect::batch_rebuilds_by_default(run.host.dialect),
    };
    let naming = convention_entries(call.kwarg("naming_convention"));
    if rebuilt && !naming.is_empty() {
        let key = call.table_key(&table);
        let naming = NamingConvention::from_entries(naming);
        run.host.applier.name_unnamed_constraints(&key, &naming);
    }
    Ok(Value::Batch {
        table,
        schema: call.schema.clone(),
        rebuilt,
    })
}
