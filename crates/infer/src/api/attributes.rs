//! Attributes: what `base.name` is for the objects a migration handles
//! (the bind, the migration context, the dialect, columns, tables,
//! metadata, the project's objects); a method of them is a
//! [`Value::Method`] the dispatch calls.

use crate::api::host::Run;
use crate::value::Value;

/// What `sa.schema.DropSequence(...)` and its like evaluate to: DDL that
/// changes no table.
pub(crate) const NO_TABLE_DDL: &str = "ddl without a table";

/// What `sqlalchemy.orm.Session(...)` evaluates to.
pub(crate) const SESSION: &str = "session";
/// What `logging.getLogger(...)` (or structlog's) evaluates to: its
/// methods write logs, not the schema.
pub(crate) const LOGGER: &str = "logger";
/// alembic's `Config` (`context.config`): its main options are the ini's.
pub(crate) const ALEMBIC_CONFIG: &str = "alembic config";

pub(crate) fn attribute(run: &mut Run<'_>, base: Value, name: &str) -> Value {
    match base {
        Value::Path(path) => Value::Path(format!("{path}.{name}")),
        Value::Bind => match name {
            "dialect" => Value::Dialect,
            "name" => Value::Str(run_dialect_name(run)),
            "engine" | "connection" | "bind" => Value::Bind,
            _ => Value::Method(Box::new(Value::Bind), name.to_owned()),
        },
        Value::Context => match name {
            "config" => Value::Opaque(ALEMBIC_CONFIG.to_owned()),
            "dialect" => Value::Dialect,
            "bind" | "connection" => Value::Bind,
            "impl" | "migration_context" => Value::Context,
            _ => Value::Method(Box::new(Value::Context), name.to_owned()),
        },
        Value::Dialect => match name {
            "name" => Value::Str(run_dialect_name(run)),
            "has_table" | "has_index" | "type_descriptor" => {
                Value::Method(Box::new(Value::Dialect), name.to_owned())
            }
            _ => Value::Unknown(String::new()),
        },
        Value::Column(column) if name == "name" => column
            .name
            .clone()
            .map_or(Value::Unknown(String::new()), Value::Str),
        Value::MappedColumn { column, .. } if name == "name" || name == "key" => Value::Str(column),
        Value::Type(_)
        | Value::Inspector
        | Value::Batch { .. }
        | Value::Str(_)
        | Value::Dict(_)
        | Value::List(_) => Value::Method(Box::new(base), name.to_owned()),
        Value::Unknown(reason) => Value::Unknown(reason),
        Value::Opaque(what) if what == SESSION || what == LOGGER || what == ALEMBIC_CONFIG => {
            Value::Method(Box::new(Value::Opaque(what)), name.to_owned())
        }
        Value::Opaque(what) => Value::Opaque(what),
        Value::Instance(instance) => match instance
            .attributes
            .iter()
            .find(|(attribute, _)| attribute == name)
        {
            Some((_, value)) => value.clone(),
            None => Value::Method(Box::new(Value::Instance(instance)), name.to_owned()),
        },
        Value::MetaData(entries) if name == "metadata" => Value::MetaData(entries),
        // Reflection reads what the database holds, which is the schema
        // built so far: nothing changes.
        Value::MetaData(entries) if name == "reflect" || name == "generate_base" => {
            Value::Method(Box::new(Value::MetaData(entries)), name.to_owned())
        }
        Value::Table(table) if name == "name" || name == "fullname" => Value::Str(table),
        Value::Table(_) => Value::Opaque("table".to_owned()),
        Value::MetaData(_) => Value::Opaque(name.to_owned()),
        _ => Value::Unknown(String::new()),
    }
}

fn run_dialect_name(run: &Run<'_>) -> String {
    run.host.dialect.name().to_owned()
}
