//! What alembic's `op`, SQLAlchemy's constructors, the inspector and a few
//! Python builtins mean, as the interpreter meets them.
//!
//! Checked against alembic 1.20's `Operations` signatures and SQLAlchemy
//! 2.1's `Column`, `ForeignKey`, constraint and `Inspector` APIs. Defensive
//! questions a migration asks the database (`inspector.get_table_names()`,
//! `has_table`, `get_columns`, …) are answered from the expected schema built
//! so far: that is what the database held when alembic ran the revision.

use std::sync::Arc;

use migration_doctor_schema::Table;
use ruff_text_size::TextRange;

use crate::interpreter::{Run, iterate, to_text};
use crate::operation::{ColumnChange, DataStep, ReferentialActions};
use crate::sa_types::type_family;
use crate::sql;
use crate::value::{ColumnSpec, ConstraintSpec, ForeignKeySpec, TypeSpec, Value};

/// SQLAlchemy names that build SQL expressions or metadata, not types.
const SQLALCHEMY_NON_TYPES: &[&str] = &[
    "Table",
    "MetaData",
    "table",
    "column",
    "select",
    "insert",
    "update",
    "delete",
    "and_",
    "or_",
    "not_",
    "literal_column",
    "literal",
    "cast",
    "case",
    "null",
    "true",
    "false",
    "bindparam",
    "Sequence",
    "Identity",
    "Computed",
    "DDL",
    "CreateSequence",
    "DropSequence",
    "CreateSchema",
    "DropSchema",
    "exists",
    "join",
    "outerjoin",
    "FetchedValue",
    "DefaultClause",
    "desc",
    "asc",
    "distinct",
    "tuple_",
    "type_coerce",
    "over",
    "within_group",
];

/// Calls with no effect on the schema at statement level.
const HARMLESS_ROOTS: &[&str] = &[
    "print", "logging", "logger", "log", "LOGGER", "LOG", "warnings", "time", "sys",
];

fn arg<'v>(
    args: &'v [Value],
    kwargs: &'v [(String, Value)],
    position: usize,
    keyword: &str,
) -> Option<&'v Value> {
    kwargs
        .iter()
        .find(|(name, _)| name == keyword)
        .map(|(_, value)| value)
        .or_else(|| args.get(position))
}

fn kwarg<'v>(kwargs: &'v [(String, Value)], keyword: &str) -> Option<&'v Value> {
    kwargs
        .iter()
        .find(|(name, _)| name == keyword)
        .map(|(_, value)| value)
}

fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Str(text) => Some(text.clone()),
        _ => None,
    }
}

fn optional_string(value: Option<&Value>) -> Option<String> {
    string(value)
}

/// Column names given as strings, columns, or SQL expressions (kept as text).
fn column_names(value: Option<&Value>) -> Option<Vec<String>> {
    let items = match value? {
        Value::List(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .map(|item| match item {
            Value::Str(text) => Some(text.clone()),
            Value::Column(column) => column.name.clone(),
            Value::MappedColumn { column, .. } => Some(column.clone()),
            Value::Sql(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

pub fn attribute(run: &mut Run<'_>, base: Value, name: &str) -> Value {
    let _ = run;
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

/// What `sqlalchemy.orm.Session(...)` evaluates to.
/// What `sa.schema.DropSequence(...)` and its like evaluate to: DDL that
/// changes no table.
const NO_TABLE_DDL: &str = "ddl without a table";

const SESSION: &str = "session";
/// What `logging.getLogger(...)` (or structlog's) evaluates to: its
/// methods write logs, not the schema.
const LOGGER: &str = "logger";
/// alembic's `Config` (`context.config`): its main options are the ini's.
const ALEMBIC_CONFIG: &str = "alembic config";

fn run_dialect_name(run: &Run<'_>) -> String {
    run.dialect.name().to_owned()
}

pub fn call_path(
    run: &mut Run<'_>,
    path: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    if let Some(name) = path.strip_prefix("builtins.") {
        return builtin(name, &args, &kwargs);
    }
    if let Some(operation) = path.strip_prefix("alembic.op.") {
        return op_call(run, None, operation, args, kwargs, range);
    }
    if let Some(function) = path.strip_prefix("alembic.context.") {
        return match function {
            "get_context" => Value::Context,
            "get_bind" => Value::Bind,
            "is_offline_mode" => Value::Bool(false),
            "execute" => execute_sql(run, arg(&args, &kwargs, 0, "sql"), range),
            "config.get_main_option" => main_option(run, &args, &kwargs),
            _ => Value::Opaque(function.to_owned()),
        };
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    if path.starts_with("sqlalchemy") || path.starts_with("sqlmodel") {
        let args = project_types_in(run, args);
        let kwargs = kwargs
            .into_iter()
            .map(|(key, value)| (key, project_types_in(run, vec![value]).remove(0)))
            .collect();
        return sqlalchemy_call(last, path, args, kwargs);
    }
    let root = path.split('.').next().unwrap_or(path);
    if matches!(last, "getLogger" | "get_logger") {
        return Value::Opaque(LOGGER.to_owned());
    }
    if HARMLESS_ROOTS.contains(&root) || root.is_empty() {
        return Value::None;
    }
    if let Some((module, function)) = path.rsplit_once('.')
        && !last.chars().next().is_some_and(char::is_uppercase)
        && let Some(value) =
            run.call_project_function(module, function, args.clone(), kwargs.clone(), range)
    {
        return value;
    }
    if last.chars().next().is_some_and(char::is_uppercase) {
        if let Some(spec) = run.project_type(path, &args, &kwargs) {
            return Value::Type(spec);
        }
        if let Some(object) = run.instantiate(path, args.clone(), kwargs.clone(), range) {
            return object;
        }
        // A class of the application we cannot see through: as a column
        // type it is `other`, which is not compared.
        return Value::Type(TypeSpec {
            name: last.to_owned(),
            known_module: false,
            args,
            kwargs,
        });
    }
    Value::Unknown(format!("calls {path}, which is defined outside the file"))
}

/// Classes of the project given where a type goes (`sa.Column("id", GUID)`),
/// as the types they stand for.
fn project_types_in(run: &mut Run<'_>, values: Vec<Value>) -> Vec<Value> {
    values
        .into_iter()
        .map(|value| match value {
            Value::Path(path)
                if !crate::project::is_library(&path)
                    && path
                        .rsplit('.')
                        .next()
                        .is_some_and(|last| last.starts_with(char::is_uppercase)) =>
            {
                match run.project_type(&path, &[], &[]) {
                    Some(spec) => Value::Type(spec),
                    None => Value::Path(path),
                }
            }
            other => other,
        })
        .collect()
}

fn sqlalchemy_call(
    last: &str,
    path: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Value {
    match last {
        "Column" | "mapped_column" => Value::Column(Box::new(column_spec(&args, &kwargs))),
        "Table" | "table" => match args.first() {
            Some(Value::Str(name)) => Value::Table(name.clone()),
            _ => Value::Opaque(last.to_owned()),
        },
        "MetaData" => Value::MetaData(convention_entries(kwarg(&kwargs, "naming_convention"))),
        // A declarative base, as far as its metadata (and so its naming
        // convention) goes.
        "declarative_base" | "registry" => match kwarg(&kwargs, "metadata") {
            Some(Value::MetaData(entries)) => Value::MetaData(entries.clone()),
            _ => Value::MetaData(Vec::new()),
        },
        "ForeignKey" => {
            let target = match arg(&args, &kwargs, 0, "column") {
                Some(Value::MappedColumn { table, column }) => Some(format!("{table}.{column}")),
                other => string(other),
            };
            let mut spec = foreign_key_target(
                target.as_deref(),
                optional_string(kwarg(&kwargs, "name")),
                Vec::new(),
            );
            spec.actions = referential_actions(&kwargs);
            Value::ForeignKeyRef(spec)
        }
        "PrimaryKeyConstraint" => Value::Constraint(ConstraintSpec::PrimaryKey {
            name: optional_string(kwarg(&kwargs, "name")),
            columns: args.iter().filter_map(to_text).collect(),
        }),
        "UniqueConstraint" => Value::Constraint(ConstraintSpec::Unique {
            name: optional_string(kwarg(&kwargs, "name")),
            columns: args.iter().filter_map(to_text).collect(),
        }),
        "ForeignKeyConstraint" => {
            let columns = column_names(arg(&args, &kwargs, 0, "columns")).unwrap_or_default();
            let targets = column_names(arg(&args, &kwargs, 1, "refcolumns")).unwrap_or_default();
            let mut spec = foreign_key_target(
                targets.first().map(String::as_str),
                optional_string(kwarg(&kwargs, "name")),
                columns,
            );
            spec.actions = referential_actions(&kwargs);
            spec.referred_columns = targets
                .iter()
                .map(|target| target.rsplit('.').next().unwrap_or(target).to_owned())
                .collect();
            Value::Constraint(ConstraintSpec::ForeignKey(spec))
        }
        "CheckConstraint" => Value::Constraint(ConstraintSpec::Check),
        "Index" => Value::Constraint(ConstraintSpec::Index {
            name: string(args.first()),
            columns: args
                .iter()
                .skip(1)
                .filter_map(|arg| match arg {
                    Value::Str(text) | Value::Sql(text) => Some(text.clone()),
                    Value::Column(column) => column.name.clone(),
                    _ => None,
                })
                .collect(),
            unique: matches!(kwarg(&kwargs, "unique"), Some(Value::Bool(true))),
        }),
        "text" | "DDL" => string(args.first()).map_or(Value::Unknown(String::new()), Value::Sql),
        // Statements on sequences and schemas, which hold no table.
        "CreateSequence" | "DropSequence" | "CreateSchema" | "DropSchema" => {
            Value::Opaque(NO_TABLE_DDL.to_owned())
        }
        "inspect" => match args.first() {
            Some(Value::Bind) => Value::Inspector,
            _ => Value::Opaque("inspect".to_owned()),
        },
        "from_engine" if path.ends_with("Inspector.from_engine") => Value::Inspector,
        // ORM sessions move data; what they return is only known at run time.
        "Session" | "sessionmaker" | "scoped_session" => Value::Opaque(SESSION.to_owned()),
        "AutoString" => Value::Type(TypeSpec {
            name: "AutoString".to_owned(),
            known_module: true,
            args,
            kwargs,
        }),
        // `sa.func.now()`: a server default SQLAlchemy renders as `now()`.
        _ if path.contains(".func.") && args.is_empty() && kwargs.is_empty() => {
            Value::Opaque(format!("{last}()"))
        }
        _ if path.contains(".func.") || SQLALCHEMY_NON_TYPES.contains(&last) => {
            Value::Opaque(last.to_owned())
        }
        _ if last.chars().next().is_some_and(char::is_uppercase) => Value::Type(TypeSpec {
            name: last.to_owned(),
            known_module: true,
            args,
            kwargs,
        }),
        _ => Value::Opaque(last.to_owned()),
    }
}

/// `config.get_main_option(name, default)`: the ini's main section as
/// alembic reads it (the revisions run with the configuration they find).
fn main_option(run: &Run<'_>, args: &[Value], kwargs: &[(String, Value)]) -> Value {
    let default = arg(args, kwargs, 1, "default")
        .cloned()
        .unwrap_or(Value::None);
    string(arg(args, kwargs, 0, "name"))
        .and_then(|option| {
            run.main_options
                .iter()
                .find(|(name, _)| *name == option)
                .map(|(_, value)| Value::Str(value.clone()))
        })
        .unwrap_or(default)
}

/// The string entries of a `naming_convention` dict.
fn convention_entries(value: Option<&Value>) -> Vec<(String, String)> {
    match value {
        Some(Value::Dict(items)) => items
            .iter()
            .filter_map(|(key, template)| {
                Some((key.as_str()?.to_owned(), template.as_str()?.to_owned()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `"table.column"` or `"schema.table.column"`.
fn foreign_key_target(
    target: Option<&str>,
    name: Option<String>,
    columns: Vec<String>,
) -> ForeignKeySpec {
    let parts: Vec<&str> = target
        .map(|target| target.split('.').collect())
        .unwrap_or_default();
    let (referred_schema, referred_table, referred_column) = match parts.as_slice() {
        [schema, table, column] => (
            Some((*schema).to_owned()),
            (*table).to_owned(),
            Some((*column).to_owned()),
        ),
        [table, column] => (None, (*table).to_owned(), Some((*column).to_owned())),
        _ => (None, String::new(), None),
    };
    ForeignKeySpec {
        name,
        columns,
        referred_schema,
        referred_table,
        referred_columns: referred_column.into_iter().collect(),
        actions: ReferentialActions::default(),
    }
}

/// `ondelete=` and `onupdate=` among `kwargs`.
fn referential_actions(kwargs: &[(String, Value)]) -> ReferentialActions {
    let on_delete = kwarg(kwargs, "ondelete");
    let on_update = kwarg(kwargs, "onupdate");
    let unreadable = |value: Option<&Value>| {
        value.is_some_and(|value| !matches!(value, Value::None | Value::Str(_)))
    };
    ReferentialActions {
        on_delete: optional_string(on_delete),
        on_update: optional_string(on_update),
        unreadable: unreadable(on_delete) || unreadable(on_update),
    }
}

/// A type given as a class (`sa.Integer`) or an instance (`sa.String(50)`).
fn type_of(value: &Value) -> Option<TypeSpec> {
    match value {
        Value::Type(spec) => Some(spec.clone()),
        Value::Path(path) => {
            let last = path.rsplit('.').next().unwrap_or(path);
            last.chars().next().filter(|c| c.is_uppercase())?;
            Some(TypeSpec {
                name: last.to_owned(),
                known_module: path.starts_with("sqlalchemy") || path.starts_with("sqlmodel"),
                args: Vec::new(),
                kwargs: Vec::new(),
            })
        }
        Value::Unknown(_) => Some(TypeSpec {
            name: "unknown".to_owned(),
            known_module: false,
            args: Vec::new(),
            kwargs: Vec::new(),
        }),
        _ => None,
    }
}

fn column_spec(args: &[Value], kwargs: &[(String, Value)]) -> ColumnSpec {
    let mut spec = ColumnSpec {
        name: None,
        type_spec: None,
        nullable: None,
        primary_key: false,
        unique: false,
        index: false,
        server_default: None,
        foreign_keys: Vec::new(),
    };
    for arg in args {
        match arg {
            Value::Str(name) if spec.name.is_none() && spec.type_spec.is_none() => {
                spec.name = Some(name.clone())
            }
            Value::ForeignKeyRef(foreign_key) => spec.foreign_keys.push(foreign_key.clone()),
            Value::Opaque(_) | Value::Constraint(_) => {}
            other => {
                if spec.type_spec.is_none() {
                    spec.type_spec = type_of(other);
                }
            }
        }
    }
    for (key, value) in kwargs {
        match (key.as_str(), value) {
            ("name", Value::Str(name)) => spec.name = Some(name.clone()),
            ("type_", other) => spec.type_spec = type_of(other),
            ("nullable", Value::Bool(nullable)) => spec.nullable = Some(*nullable),
            ("primary_key", Value::Bool(primary)) => spec.primary_key = *primary,
            ("unique", Value::Bool(unique)) => spec.unique = *unique,
            ("index", Value::Bool(index)) => spec.index = *index,
            ("server_default", value) => spec.server_default = server_default(value),
            _ => {}
        }
    }
    spec
}

/// A server default as the SQL SQLAlchemy puts after `DEFAULT`: a string
/// is a quoted literal, `sa.text(...)` its text, `sa.func.now()` a call,
/// `sa.true()` a keyword. What we cannot render is kept between angle
/// brackets (`<expression>`), which is no SQL, so DDL is never made of it.
fn server_default(value: &Value) -> Option<String> {
    Some(match value {
        Value::None => return None,
        Value::Str(text) => migration_doctor_schema::string_literal(text),
        Value::Sql(text) => text.clone(),
        Value::Opaque(call) if call.ends_with("()") => call.clone(),
        Value::Opaque(keyword) if keyword == "true" || keyword == "false" => keyword.clone(),
        Value::Opaque(what) => format!("<{what}>"),
        _ => "<expression>".to_owned(),
    })
}

fn builtin(name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    match name {
        "len" => match first {
            Some(Value::List(items)) => Value::Int(items.len() as i64),
            Some(Value::Dict(items)) => Value::Int(items.len() as i64),
            Some(Value::Str(text)) => Value::Int(text.chars().count() as i64),
            _ => Value::Unknown(String::new()),
        },
        "range" => {
            let numbers: Vec<i64> = args
                .iter()
                .filter_map(|arg| match arg {
                    Value::Int(number) => Some(*number),
                    _ => None,
                })
                .collect();
            let (start, end) = match numbers.as_slice() {
                [end] => (0, *end),
                [start, end, ..] => (*start, *end),
                _ => return Value::Unknown(String::new()),
            };
            Value::List((start..end.min(start + 100_000)).map(Value::Int).collect())
        }
        "str" => first
            .and_then(to_text)
            .map_or(Value::Unknown(String::new()), Value::Str),
        "int" => match first {
            Some(Value::Int(number)) => Value::Int(*number),
            Some(Value::Str(text)) => text
                .trim()
                .parse()
                .map_or(Value::Unknown(String::new()), Value::Int),
            _ => Value::Unknown(String::new()),
        },
        "bool" => first
            .and_then(Value::truthy)
            .map_or(Value::Unknown(String::new()), Value::Bool),
        "list" | "tuple" | "set" | "reversed" | "sorted" => {
            let Some(mut items) = first.and_then(iterate) else {
                return Value::Unknown(String::new());
            };
            if name == "reversed" {
                items.reverse();
            }
            if name == "sorted" {
                let mut keyed: Vec<(String, Value)> = items
                    .into_iter()
                    .filter_map(|item| to_text(&item).map(|key| (key, item)))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                items = keyed.into_iter().map(|(_, item)| item).collect();
            }
            if name == "set" {
                let mut unique: Vec<Value> = Vec::new();
                for item in items {
                    if !unique.contains(&item) {
                        unique.push(item);
                    }
                }
                items = unique;
            }
            Value::List(items)
        }
        "enumerate" => first
            .and_then(iterate)
            .map_or(Value::Unknown(String::new()), |items| {
                Value::List(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(at, item)| Value::List(vec![Value::Int(at as i64), item]))
                        .collect(),
                )
            }),
        "zip" => {
            let lists: Option<Vec<Vec<Value>>> = args.iter().map(iterate).collect();
            let Some(lists) = lists else {
                return Value::Unknown(String::new());
            };
            let shortest = lists.iter().map(Vec::len).min().unwrap_or(0);
            Value::List(
                (0..shortest)
                    .map(|at| Value::List(lists.iter().map(|list| list[at].clone()).collect()))
                    .collect(),
            )
        }
        "any" | "all" => {
            let Some(items) = first.and_then(iterate) else {
                return Value::Unknown(String::new());
            };
            let truths: Option<Vec<bool>> = items.iter().map(Value::truthy).collect();
            match truths {
                Some(truths) if name == "any" => Value::Bool(truths.iter().any(|t| *t)),
                Some(truths) => Value::Bool(truths.iter().all(|t| *t)),
                None => Value::Unknown(String::new()),
            }
        }
        "dict" => Value::Dict(
            kwargs
                .iter()
                .map(|(key, value)| (Value::Str(key.clone()), value.clone()))
                .collect(),
        ),
        "print" => Value::None,
        _ => Value::Unknown(format!(
            "calls {name}(), which migration-doctor does not evaluate"
        )),
    }
}

pub fn call_method(
    run: &mut Run<'_>,
    base: Value,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    match base {
        Value::Batch { table, schema, .. } => {
            op_call(run, Some((table, schema)), name, args, kwargs, range)
        }
        Value::Inspector => inspector_call(run, name, &args, &kwargs),
        Value::Type(spec) => type_method(run, spec, name, args, kwargs),
        Value::Instance(instance) => run.call_instance_method(*instance, name, args, kwargs, range),
        Value::Dialect => match name {
            // `dialect.type_descriptor(T)` in a `load_dialect_impl`: T.
            "type_descriptor" => project_types_in(run, args)
                .into_iter()
                .next()
                .and_then(|value| type_of(&value))
                .map_or(Value::Unknown(String::new()), Value::Type),
            "has_table" => {
                let table = string(arg(&args, &kwargs, 1, "table_name"));
                let schema = string(kwarg(&kwargs, "schema"));
                table.map_or(Value::Unknown(String::new()), |table| {
                    Value::Bool(
                        run.schema()
                            .tables
                            .contains_key(&run.table_key(&table, schema.as_deref())),
                    )
                })
            }
            _ => Value::Unknown(String::new()),
        },
        Value::Bind | Value::Context => match name {
            "execute" | "exec_driver_sql" => {
                execute_sql(run, arg(&args, &kwargs, 0, "statement"), range);
                // The result of a query is only known at run time.
                Value::Unknown(String::new())
            }
            "begin" | "begin_nested" | "autocommit_block" | "connect" => {
                Value::Opaque(name.to_owned())
            }
            _ => Value::Unknown(String::new()),
        },
        Value::Str(text) => string_method(&text, name, &args, &kwargs),
        Value::Opaque(what) if what == SESSION => session_method(run, name, &args, &kwargs, range),
        Value::Opaque(what) if what == LOGGER => Value::None,
        Value::Opaque(what) if what == ALEMBIC_CONFIG => match name {
            "get_main_option" => main_option(run, &args, &kwargs),
            _ => Value::Unknown(String::new()),
        },
        Value::MetaData(_) if name == "reflect" => Value::None,
        // `registry(metadata=...).generate_base()`: a base with that metadata.
        Value::MetaData(entries) if name == "generate_base" => Value::MetaData(entries),
        Value::Dict(items) => match name {
            "get" => {
                let key = args.first().cloned().unwrap_or(Value::None);
                items
                    .iter()
                    .find(|(candidate, _)| *candidate == key)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::None))
            }
            "items" => Value::List(
                items
                    .into_iter()
                    .map(|(key, value)| Value::List(vec![key, value]))
                    .collect(),
            ),
            "keys" => Value::List(items.into_iter().map(|(key, _)| key).collect()),
            "values" => Value::List(items.into_iter().map(|(_, value)| value).collect()),
            _ => Value::Unknown(String::new()),
        },
        Value::List(items) => match name {
            "index" => items
                .iter()
                .position(|item| Some(item) == args.first())
                .map_or(Value::Unknown(String::new()), |at| Value::Int(at as i64)),
            "count" => Value::Int(
                items
                    .iter()
                    .filter(|item| Some(*item) == args.first())
                    .count() as i64,
            ),
            _ => Value::Unknown(String::new()),
        },
        _ => Value::Unknown(String::new()),
    }
}

/// A method of a type: `with_variant(T, "postgresql")` is T on the dialects
/// it names; the others (`evaluates_none()`, `copy()`) leave the type as is.
fn type_method(
    run: &mut Run<'_>,
    spec: crate::value::TypeSpec,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Value {
    match name {
        "with_variant" => {
            let dialects = arg(&args, &kwargs, 1, "dialect_names")
                .and_then(Value::string_list)
                .unwrap_or_default();
            let variant = project_types_in(
                run,
                arg(&args, &kwargs, 0, "type_")
                    .cloned()
                    .into_iter()
                    .collect(),
            )
            .into_iter()
            .next()
            .and_then(|value| type_of(&value));
            match variant {
                Some(variant)
                    if dialects.iter().any(|name| {
                        name == run.dialect.name()
                            || (run.dialect == migration_doctor_schema::Dialect::Mysql
                                && name == "mariadb")
                    }) =>
                {
                    Value::Type(variant)
                }
                Some(_) => Value::Type(spec),
                None => Value::Unknown(String::new()),
            }
        }
        "evaluates_none" | "copy" | "as_generic" | "execution_options" => Value::Type(spec),
        _ => Value::Unknown(String::new()),
    }
}

/// `session.<name>(…)`: data moves and queries, never schema changes.
fn session_method(
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
            run.data_step(
                range,
                DataStep {
                    sql: None,
                    probe: None,
                    modelled: false,
                },
            );
            Value::None
        }
        "commit" | "close" | "flush" | "rollback" | "expunge_all" | "begin" => Value::None,
        // `session.query(Model)…` answers with data only known at run time.
        _ => Value::Unknown(String::new()),
    }
}

fn string_method(text: &str, name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Value {
    let first = args.first().and_then(to_text);
    match name {
        "lower" => Value::Str(text.to_lowercase()),
        "upper" => Value::Str(text.to_uppercase()),
        "strip" => Value::Str(text.trim().to_owned()),
        "startswith" => first.map_or(Value::Unknown(String::new()), |prefix| {
            Value::Bool(text.starts_with(&prefix))
        }),
        "endswith" => first.map_or(Value::Unknown(String::new()), |suffix| {
            Value::Bool(text.ends_with(&suffix))
        }),
        "replace" => match (first, args.get(1).and_then(to_text)) {
            (Some(from), Some(to)) => Value::Str(text.replace(&from, &to)),
            _ => Value::Unknown(String::new()),
        },
        "join" => match args.first().and_then(iterate) {
            Some(items) => {
                let parts: Option<Vec<String>> = items.iter().map(to_text).collect();
                parts.map_or(Value::Unknown(String::new()), |parts| {
                    Value::Str(parts.join(text))
                })
            }
            None => Value::Unknown(String::new()),
        },
        "split" => Value::List(match first {
            Some(separator) => text
                .split(separator.as_str())
                .map(|part| Value::Str(part.to_owned()))
                .collect(),
            None => text
                .split_whitespace()
                .map(|part| Value::Str(part.to_owned()))
                .collect(),
        }),
        "format" => {
            let mut out = String::new();
            let mut positional = args.iter();
            let mut rest = text;
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                if rest[open..].starts_with("{{") {
                    out.push('{');
                    rest = &rest[open + 2..];
                    continue;
                }
                let Some(close) = rest[open..].find('}') else {
                    return Value::Unknown(String::new());
                };
                let field = &rest[open + 1..open + close];
                let value = if field.is_empty() {
                    positional.next()
                } else if let Ok(at) = field.parse::<usize>() {
                    args.get(at)
                } else {
                    kwargs
                        .iter()
                        .find(|(key, _)| key == field)
                        .map(|(_, value)| value)
                };
                let Some(text) = value.and_then(to_text) else {
                    return Value::Unknown(String::new());
                };
                out.push_str(&text);
                rest = &rest[open + close + 1..];
            }
            out.push_str(&rest.replace("}}", "}"));
            Value::Str(out)
        }
        _ => Value::Unknown(String::new()),
    }
}

/// Answers a migration's question about the database from the expected schema.
fn inspector_call(
    run: &mut Run<'_>,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Value {
    let schema = string(kwarg(kwargs, "schema"));
    let table_named = |position: usize| string(arg(args, kwargs, position, "table_name"));
    let find = |run: &Run<'_>, table: &str| -> Option<Arc<Table>> {
        run.schema()
            .tables
            .get(&run.table_key(table, schema.as_deref()))
            .cloned()
    };
    match name {
        "get_table_names" => {
            let prefix = schema.as_ref().map(|schema| format!("{schema}."));
            Value::List(
                run.schema()
                    .tables
                    .keys()
                    .filter_map(|key| match &prefix {
                        Some(prefix) => key.strip_prefix(prefix.as_str()).map(str::to_owned),
                        None => (!key.contains('.')).then(|| key.clone()),
                    })
                    .map(Value::Str)
                    .collect(),
            )
        }
        "get_view_names" => {
            Value::List(run.schema().views.iter().cloned().map(Value::Str).collect())
        }
        "has_table" => table_named(0).map_or(Value::Unknown(String::new()), |table| {
            Value::Bool(find(run, &table).is_some())
        }),
        "has_index" => match (table_named(0), string(arg(args, kwargs, 1, "index_name"))) {
            (Some(table), Some(index)) => Value::Bool(find(run, &table).is_some_and(|table| {
                table
                    .indexes
                    .iter()
                    .any(|i| i.name.as_deref() == Some(index.as_str()))
            })),
            _ => Value::Unknown(String::new()),
        },
        "get_columns"
        | "get_indexes"
        | "get_unique_constraints"
        | "get_foreign_keys"
        | "get_pk_constraint" => {
            let Some(table) = table_named(0) else {
                return Value::Unknown(String::new());
            };
            let Some(table) = find(run, &table) else {
                // SQLAlchemy raises NoSuchTableError: the migration would fail.
                return Value::Unknown(format!(
                    "asks about table {table}, which does not exist at this point"
                ));
            };
            let text = |value: &str| Value::Str(value.to_owned());
            let names =
                |names: &[String]| Value::List(names.iter().map(|name| text(name)).collect());
            let optional = |name: &Option<String>| name.as_deref().map_or(Value::None, text);
            match name {
                "get_columns" => Value::List(
                    table
                        .columns
                        .iter()
                        .map(|column| {
                            Value::Dict(vec![
                                (text("name"), text(&column.name)),
                                (text("nullable"), Value::Bool(column.nullable)),
                                (text("type"), Value::Family(column.type_family.clone())),
                                (text("default"), optional(&column.default)),
                            ])
                        })
                        .collect(),
                ),
                "get_indexes" => Value::List(
                    table
                        .indexes
                        .iter()
                        .map(|index| {
                            Value::Dict(vec![
                                (text("name"), optional(&index.name)),
                                (text("column_names"), names(&index.columns)),
                                (text("unique"), Value::Bool(index.unique)),
                            ])
                        })
                        .collect(),
                ),
                "get_unique_constraints" => Value::List(
                    table
                        .unique_constraints
                        .iter()
                        .map(|unique| {
                            Value::Dict(vec![
                                (text("name"), optional(&unique.name)),
                                (text("column_names"), names(&unique.columns)),
                            ])
                        })
                        .collect(),
                ),
                "get_foreign_keys" => Value::List(
                    table
                        .foreign_keys
                        .iter()
                        .map(|key| {
                            Value::Dict(vec![
                                (text("name"), optional(&key.name)),
                                (text("constrained_columns"), names(&key.columns)),
                                (text("referred_table"), text(&key.referred_table)),
                                (text("referred_columns"), names(&key.referred_columns)),
                                (text("referred_schema"), optional(&key.referred_schema)),
                            ])
                        })
                        .collect(),
                ),
                _ => Value::Dict(vec![
                    (text("constrained_columns"), names(&table.primary_key)),
                    (text("name"), Value::None),
                ]),
            }
        }
        _ => Value::Unknown(format!("inspector.{name}() is not answered statically")),
    }
}

fn execute_sql(run: &mut Run<'_>, statement: Option<&Value>, range: TextRange) -> Value {
    match statement {
        Some(Value::Str(text)) | Some(Value::Sql(text)) => {
            sql::apply_sql(run, text, range);
            Value::None
        }
        Some(Value::Opaque(what)) if what == NO_TABLE_DDL => {
            run.unknown_without_tables(range, "a statement on a sequence or a schema");
            Value::None
        }
        Some(Value::Opaque(_)) => {
            // `table.update()…`, `sa.insert(…)`: data, built with SQLAlchemy.
            run.data_step(
                range,
                DataStep {
                    sql: None,
                    probe: None,
                    modelled: false,
                },
            );
            Value::None
        }
        _ => Value::Unknown("executes SQL that is only known at run time".to_owned()),
    }
}

/// `op.<name>(…)`, or `batch_op.<name>(…)` when `batch` names the table.
fn op_call(
    run: &mut Run<'_>,
    batch: Option<(String, Option<String>)>,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    let kwargs: Vec<(String, Value)> = kwargs
        .into_iter()
        .map(|(key, value)| match key.as_str() {
            "type_" | "existing_type" => (key, project_types_in(run, vec![value]).remove(0)),
            _ => (key, value),
        })
        .collect();
    // In batch mode the table is implied and every positional shifts by one.
    let shift = usize::from(batch.is_none());
    let table_arg = |position: usize, keyword: &str| -> Option<String> {
        match &batch {
            Some((table, _)) => Some(table.clone()),
            None => string(arg(&args, &kwargs, position, keyword)),
        }
    };
    let schema = match &batch {
        Some((_, schema)) => schema.clone(),
        None => string(kwarg(&kwargs, "schema")),
    };
    let dialect = run.dialect;
    run.at(range);
    let result: Result<(), String> = match name {
        "f" => return args.into_iter().next().unwrap_or(Value::None),
        "get_bind" => return Value::Bind,
        "get_context" => return Value::Context,
        "inline_literal" => return Value::Opaque("inline_literal".to_owned()),
        "batch_alter_table" => {
            return match table_arg(0, "table_name") {
                Some(table) => {
                    let recreate = string(kwarg(&kwargs, "recreate"));
                    let rebuilt = match recreate.as_deref() {
                        Some("always") => true,
                        Some("never") => false,
                        _ => dialect == migration_doctor_schema::Dialect::Sqlite,
                    };
                    let naming = convention_entries(kwarg(&kwargs, "naming_convention"));
                    if rebuilt && !naming.is_empty() {
                        let key = run.table_key(&table, schema.as_deref());
                        let naming = crate::NamingConvention::from_entries(naming);
                        run.applier.name_unnamed_constraints(&key, &naming);
                    }
                    Value::Batch {
                        table,
                        schema,
                        rebuilt,
                    }
                }
                None => {
                    Value::Unknown("batch_alter_table on a table only known at run time".to_owned())
                }
            };
        }
        "execute" => return execute_sql(run, arg(&args, &kwargs, 0, "sqltext"), range),
        "bulk_insert" => {
            run.data_step(
                range,
                DataStep {
                    sql: None,
                    probe: None,
                    modelled: true,
                },
            );
            return Value::None;
        }
        // Real effects that the comparison does not see: a revision made of
        // them alone must not pass for "nothing".
        "create_check_constraint"
        | "create_exclude_constraint"
        | "create_table_comment"
        | "drop_table_comment"
        | "create_sequence"
        | "drop_sequence"
        | "alter_table_comment" => Err(format!("op.{name} is not compared")),
        "create_table" => match string(arg(&args, &kwargs, 0, "table_name")) {
            None => Err("create_table with a name only known at run time".to_owned()),
            Some(table) => {
                let mut columns = Vec::new();
                let mut constraints = Vec::new();
                let mut unknown_parts = false;
                for item in args.iter().skip(1) {
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
                    run.unknown(range, "create_table with columns only known at run time");
                }
                let key = run.table_key(&table, schema.as_deref());
                run.applier
                    .create_table(&key, &columns, &constraints)
                    .map_err(String::from)
            }
        },
        "drop_table" => match string(arg(&args, &kwargs, 0, "table_name")) {
            Some(table) => {
                let key = run.table_key(&table, schema.as_deref());
                run.applier.drop_table(&key).map_err(String::from)
            }
            None => Err("drop_table of a table only known at run time".to_owned()),
        },
        "rename_table" => match (
            string(arg(&args, &kwargs, 0, "old_table_name")),
            string(arg(&args, &kwargs, 1, "new_table_name")),
        ) {
            (Some(old), Some(new)) => {
                let (old, new) = (
                    run.table_key(&old, schema.as_deref()),
                    run.table_key(&new, schema.as_deref()),
                );
                run.applier.rename_table(&old, &new).map_err(String::from)
            }
            _ => Err("rename_table with names only known at run time".to_owned()),
        },
        "add_column" => match (
            table_arg(0, "table_name"),
            arg(&args, &kwargs, shift, "column"),
        ) {
            (Some(table), Some(Value::Column(column))) => {
                let key = run.table_key(&table, schema.as_deref());
                run.applier.add_column(&key, column).map_err(String::from)
            }
            _ => Err("add_column with a column only known at run time".to_owned()),
        },
        "drop_column" => match (
            table_arg(0, "table_name"),
            string(arg(&args, &kwargs, shift, "column_name")),
        ) {
            (Some(table), Some(column)) => {
                let key = run.table_key(&table, schema.as_deref());
                run.applier.drop_column(&key, &column).map_err(String::from)
            }
            _ => Err("drop_column with names only known at run time".to_owned()),
        },
        "alter_column" => match (
            table_arg(0, "table_name"),
            string(arg(&args, &kwargs, shift, "column_name")),
        ) {
            (Some(table), Some(column)) => {
                let key = run.table_key(&table, schema.as_deref());
                let flag = |name: &str| match kwarg(&kwargs, name) {
                    Some(Value::Bool(value)) => Some(*value),
                    _ => None,
                };
                let mut nullable = flag("nullable");
                let mut new_type = kwarg(&kwargs, "type_").and_then(type_of);
                // A nullability change or a rename restates the column on
                // MySQL with `existing_type`, which becomes its type.
                if dialect == migration_doctor_schema::Dialect::Mysql
                    && new_type.is_none()
                    && (nullable.is_some() || kwarg(&kwargs, "new_column_name").is_some())
                {
                    new_type = kwarg(&kwargs, "existing_type").and_then(type_of);
                }
                // MySQL restates the whole column (`MODIFY`/`CHANGE`) for a
                // new type or name, and alembic writes `NULL` there unless
                // told otherwise (alembic 1.20, ddl/mysql.py).
                let restated = new_type.is_some() || kwarg(&kwargs, "new_column_name").is_some();
                if dialect == migration_doctor_schema::Dialect::Mysql
                    && restated
                    && nullable.is_none()
                {
                    nullable = Some(flag("existing_nullable").unwrap_or(true));
                }
                let change = ColumnChange {
                    nullable,
                    type_family: new_type.as_ref().map(|spec| type_family(spec, dialect)),
                    native_type: new_type.map(|spec| spec.name),
                    new_name: string(kwarg(&kwargs, "new_column_name")),
                };
                run.applier
                    .alter_column(&key, &column, change)
                    .map_err(String::from)
            }
            _ => Err("alter_column with names only known at run time".to_owned()),
        },
        "create_index" => {
            let index = string(arg(&args, &kwargs, 0, "index_name"));
            let table = table_arg(1, "table_name");
            let columns = column_names(arg(&args, &kwargs, 1 + shift, "columns"));
            let unique = matches!(kwarg(&kwargs, "unique"), Some(Value::Bool(true)));
            match (index, table, columns) {
                (Some(index), Some(table), Some(columns)) => {
                    let key = run.table_key(&table, schema.as_deref());
                    run.applier
                        .create_index(&key, &index, columns, unique)
                        .map_err(String::from)
                }
                _ => Err("create_index with names only known at run time".to_owned()),
            }
        }
        "drop_index" => match string(arg(&args, &kwargs, 0, "index_name")) {
            Some(index) => {
                let table = match &batch {
                    Some((table, _)) => Some(table.clone()),
                    None => string(arg(&args, &kwargs, 1, "table_name")),
                };
                let key = table.map(|table| run.table_key(&table, schema.as_deref()));
                run.applier
                    .drop_index(&index, key.as_deref())
                    .map_err(String::from)
            }
            None => Err("drop_index of an index only known at run time".to_owned()),
        },
        "create_unique_constraint" => {
            let constraint = string(arg(&args, &kwargs, 0, "constraint_name"));
            match (
                table_arg(1, "table_name"),
                column_names(arg(&args, &kwargs, 1 + shift, "columns")),
            ) {
                (Some(table), Some(columns)) => {
                    let key = run.table_key(&table, schema.as_deref());
                    run.applier
                        .add_unique(&key, constraint, columns)
                        .map_err(String::from)
                }
                _ => Err("create_unique_constraint with names only known at run time".to_owned()),
            }
        }
        "create_foreign_key" => {
            let constraint = string(arg(&args, &kwargs, 0, "constraint_name"));
            let source = table_arg(1, "source_table");
            let referent = string(arg(&args, &kwargs, 1 + shift, "referent_table"));
            let local = column_names(arg(&args, &kwargs, 2 + shift, "local_cols"));
            let remote = column_names(arg(&args, &kwargs, 3 + shift, "remote_cols"));
            let source_schema = match &batch {
                Some((_, schema)) => schema.clone(),
                None => string(kwarg(&kwargs, "source_schema")),
            };
            match (source, referent, local, remote) {
                (Some(source), Some(referent), Some(local), Some(remote)) => {
                    let key = run.table_key(&source, source_schema.as_deref());
                    let spec = ForeignKeySpec {
                        name: constraint,
                        columns: local,
                        referred_schema: string(kwarg(&kwargs, "referent_schema")),
                        referred_table: referent,
                        referred_columns: remote,
                        actions: referential_actions(&kwargs),
                    };
                    run.applier
                        .add_foreign_key(&key, &spec)
                        .map_err(String::from)
                }
                _ => Err("create_foreign_key with names only known at run time".to_owned()),
            }
        }
        "create_primary_key" => match (
            table_arg(1, "table_name"),
            column_names(arg(&args, &kwargs, 1 + shift, "columns")),
        ) {
            (Some(table), Some(columns)) => {
                let key = run.table_key(&table, schema.as_deref());
                run.applier
                    .create_primary_key(&key, columns)
                    .map_err(String::from)
            }
            _ => Err("create_primary_key with names only known at run time".to_owned()),
        },
        "drop_constraint" => match (
            string(arg(&args, &kwargs, 0, "constraint_name")),
            table_arg(1, "table_name"),
        ) {
            (Some(constraint), Some(table)) => {
                let key = run.table_key(&table, schema.as_deref());
                let kind = string(arg(&args, &kwargs, 1 + shift, "type_"));
                run.applier
                    .drop_constraint(&key, &constraint, kind.as_deref())
                    .map_err(String::from)
            }
            _ => Err("drop_constraint with names only known at run time".to_owned()),
        },
        _ => Err(format!("op.{name} is not interpreted")),
    };
    if let Err(reason) = result {
        run.unknown(range, &reason);
    }
    Value::None
}
