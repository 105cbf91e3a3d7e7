//! `op.execute(...)` and `op.bulk_insert(...)`: SQL and rows.

use super::call::{Handled, OpCall};
use crate::api::connection::execute_sql;
use crate::api::host::{Run, data_step};
use crate::operation::DataStep;
use crate::value::Value;

pub(crate) fn execute(run: &mut Run<'_>, call: &OpCall) -> Handled {
    Ok(execute_sql(run, call.arg(0, "sqltext"), call.range))
}

pub(crate) fn bulk_insert(run: &mut Run<'_>, call: &OpCall) -> Handled {
    data_step(run, call.range, DataStep::without_sql(true));
    Ok(Value::None)
}
