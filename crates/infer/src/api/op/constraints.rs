//! `op.create_unique_constraint`, `op.create_foreign_key`,
//! `op.create_primary_key`, `op.drop_constraint`.

use super::call::{Handled, OpCall, applied};
use crate::api::arguments::{column_names, string};
use crate::api::host::Run;
use crate::api::sqlalchemy::referential_actions;
use crate::keys::table_key;
use crate::value::ForeignKeySpec;

pub(crate) fn create_unique_constraint(run: &mut Run<'_>, call: &OpCall) -> Handled {
    {
        let constraint = call.string(0, "constraint_name");
        match (
            call.table_arg(1, "table_name"),
            column_names(call.arg(1 + call.shift(), "columns")),
        ) {
            (Some(table), Some(columns)) => {
                let key = call.table_key(&table);
                applied(run.host.applier.add_unique(&key, constraint, columns))
            }
            _ => Err("create_unique_constraint with names only known at run time".to_owned()),
        }
    }
}

pub(crate) fn create_foreign_key(run: &mut Run<'_>, call: &OpCall) -> Handled {
    {
        let constraint = call.string(0, "constraint_name");
        let source = call.table_arg(1, "source_table");
        let referent = call.string(1 + call.shift(), "referent_table");
        let local = column_names(call.arg(2 + call.shift(), "local_cols"));
        let remote = column_names(call.arg(3 + call.shift(), "remote_cols"));
        let source_schema = match &call.batch {
            Some((_, schema)) => schema.clone(),
            None => string(call.kwarg("source_schema")),
        };
        match (source, referent, local, remote) {
            (Some(source), Some(referent), Some(local), Some(remote)) => {
                let key = table_key(&source, source_schema.as_deref());
                let spec = ForeignKeySpec {
                    name: constraint,
                    columns: local,
                    referred_schema: string(call.kwarg("referent_schema")),
                    referred_table: referent,
                    referred_columns: remote,
                    actions: referential_actions(&call.kwargs),
                };
                applied(run.host.applier.add_foreign_key(&key, &spec))
            }
            _ => Err("create_foreign_key with names only known at run time".to_owned()),
        }
    }
}

pub(crate) fn create_primary_key(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match (
        call.table_arg(1, "table_name"),
        column_names(call.arg(1 + call.shift(), "columns")),
    ) {
        (Some(table), Some(columns)) => {
            let key = call.table_key(&table);
            applied(run.host.applier.create_primary_key(&key, columns))
        }
        _ => Err("create_primary_key with names only known at run time".to_owned()),
    }
}

pub(crate) fn drop_constraint(run: &mut Run<'_>, call: &OpCall) -> Handled {
    match (
        call.string(0, "constraint_name"),
        call.table_arg(1, "table_name"),
    ) {
        (Some(constraint), Some(table)) => {
            let key = call.table_key(&table);
            let kind = call.string(1 + call.shift(), "type_");
            applied(
                run.host
                    .applier
                    .drop_constraint(&key, &constraint, kind.as_deref()),
            )
        }
        _ => Err("drop_constraint with names only known at run time".to_owned()),
    }
}
