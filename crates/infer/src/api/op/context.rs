//! What `op` gives of the migration's context: `op.get_bind()`,
//! `op.get_context()`, `op.f(name)`, `op.inline_literal(...)`; and the
//! operations whose effect the comparison does not see.

use super::call::{Handled, OpCall};
use crate::api::host::Run;
use crate::value::Value;

/// `op.f("name")`: the name as given (no naming convention applies).
pub(crate) fn f(_run: &mut Run<'_>, call: &OpCall) -> Handled {
    Ok(call.args.first().cloned().unwrap_or(Value::None))
}

pub(crate) fn get_bind(_run: &mut Run<'_>, _call: &OpCall) -> Handled {
    Ok(Value::Bind)
}

pub(crate) fn get_context(_run: &mut Run<'_>, _call: &OpCall) -> Handled {
    Ok(Value::Context)
}

pub(crate) fn inline_literal(_run: &mut Run<'_>, _call: &OpCall) -> Handled {
    Ok(Value::Opaque("inline_literal".to_owned()))
}

/// Real effects that the comparison does not see (check constraints,
/// comments, sequences): a revision made of them alone must not pass for
/// "nothing", so each is an unknown operation.
pub(crate) fn not_compared(_run: &mut Run<'_>, call: &OpCall) -> Handled {
    Err(format!("op.{} is not compared", call.name))
}
