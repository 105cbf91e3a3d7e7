//! What a migration runs with: alembic's `context` (its config's main
//! options), the connection (`op.get_bind()`), ORM sessions, and SQL
//! executed through any of them.

use ruff_text_size::TextRange;

use crate::api::arguments::{arg, string};
use crate::api::attributes::NO_TABLE_DDL;
use crate::api::host::{Run, data_step};
use crate::api::sql::apply_sql;
use crate::operation::DataStep;
use crate::value::Value;

/// `config.get_main_option(name, default)`: the ini's main section as
/// alembic reads it (the revisions run with the configuration they find).
pub(crate) fn main_option(run: &Run<'_>, args: &[Value], kwargs: &[(String, Value)]) -> Value {
    let default = arg(args, kwargs, 1, "default")
        .cloned()
        .unwrap_or(Value::None);
    string(arg(args, kwargs, 0, "name"))
        .and_then(|option| {
            run.host
                .main_options
                .iter()
                .find(|(name, _)| *name == option)
                .map(|(_, value)| Value::Str(value.clone()))
        })
        .unwrap_or(default)
}

/// `session.<name>(…)`: data moves and queries, never schema changes.
pub(crate) fn session_method(
    run: &mut Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    range: TextRange,
) -> Value {
    match name {
        "execute" => {
            execute_sql(run, arg(args, kwargs, 0, "statement"), range);
            Value::Unknown(String::new())
        }
        "add"
        | "add_all"
        | "merge"
        | "delete"
        | "bulk_save_objects"
        | "bulk_insert_mappings"
        | "bulk_update_mappings" => {
            data_step(run, range, DataStep::without_sql(false));
            Value::None
        }
        "commit" | "close" | "flush" | "rollback" | "expunge_all" | "begin" => Value::None,
        // `session.query(Model)…` answers with data only known at run time.
        _ => Value::Unknown(String::new()),
    }
}

pub(crate) fn execute_sql(run: &mut Run<'_>, statement: Option<&Value>, range: TextRange) -> Value {
    match statement {
        Some(Value::Str(text)) | Some(Value::Sql(text)) => {
            apply_sql(run, text, range);
            Value::None
        }
        Some(Value::Opaque(what)) if what == NO_TABLE_DDL => {
            run.unknown_without_tables(range, "a statement on a sequence or a schema");
            Value::None
        }
        Some(Value::Opaque(_)) => {
            // `table.update()…`, `sa.insert(…)`: data, built with SQLAlchemy.
            data_step(run, range, DataStep::without_sql(false));
            Value::None
        }
        _ => Value::Unknown("executes SQL that is only known at run time".to_owned()),
    }
}

/// `alembic.context.<function>(...)`.
pub(crate) fn context_function(
    run: &mut Run<'_>,
    function: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    range: TextRange,
) -> Value {
    match function {
        "get_context" => Value::Context,
        "get_bind" => Value::Bind,
        "is_offline_mode" => Value::Bool(false),
        "execute" => execute_sql(run, arg(args, kwargs, 0, "sql"), range),
        "config.get_main_option" => main_option(run, args, kwargs),
        _ => Value::Opaque(function.to_owned()),
    }
}

/// A method of the connection or of the migration context.
pub(crate) fn connection_method(
    run: &mut Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
    range: TextRange,
) -> Value {
    match name {
        "execute" | "exec_driver_sql" => {
            execute_sql(run, arg(args, kwargs, 0, "statement"), range);
            // The result of a query is only known at run time.
            Value::Unknown(String::new())
        }
        "begin" | "begin_nested" | "autocommit_block" | "connect" => Value::Opaque(name.to_owned()),
        _ => Value::Unknown(String::new()),
    }
}

/// A method of alembic's `Config`: its main options are the ini's.
pub(crate) fn config_method(
    run: &Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Value {
    match name {
        "get_main_option" => main_option(run, args, kwargs),
        _ => Value::Unknown(String::new()),
    }
}
