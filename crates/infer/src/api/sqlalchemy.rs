//! SQLAlchemy's schema constructors and types, as a migration builds them:
//! `Column`, `ForeignKey`, the constraints, `Index`, `MetaData` (its naming
//! convention), `text`, and every type class; a type's methods
//! (`with_variant`). Checked against SQLAlchemy 2.1.

use crate::api::arguments::{arg, column_names, kwarg, string};
use crate::api::attributes::{NO_TABLE_DDL, SESSION};
use crate::api::host::Run;
use crate::dialect;
use crate::interpreter::python::to_text;
use crate::operation::ReferentialActions;
use crate::resolver::{is_library, project_type};
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

/// Classes of the project given where a type goes (`sa.Column("id", GUID)`),
/// as the types they stand for.
pub(crate) fn project_types_in(run: &mut Run<'_>, values: Vec<Value>) -> Vec<Value> {
    values
        .into_iter()
        .map(|value| match value {
            Value::Path(path)
                if !is_library(&path)
                    && path
                        .rsplit('.')
                        .next()
                        .is_some_and(|last| last.starts_with(char::is_uppercase)) =>
            {
                match project_type(run, &path, &[], &[]) {
                    Some(spec) => Value::Type(spec),
                    None => Value::Path(path),
                }
            }
            other => other,
        })
        .collect()
}

/// One call of a SQLAlchemy name (`sa.Column(...)`), as its constructor
/// reads it.
pub(crate) struct SqlAlchemyCall {
    /// The name called (`Column`).
    pub name: String,
    /// Its whole dotted path (`sqlalchemy.Column`).
    pub path: String,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
}

/// What one SQLAlchemy name builds.
type Constructor = fn(SqlAlchemyCall) -> Value;

/// Every SQLAlchemy name with a meaning of its own; any other is a type
/// (a capitalised name), a SQL function or an expression (see [`other`]).
const CONSTRUCTORS: &[(&str, Constructor)] = &[
    ("Column", column),
    ("mapped_column", column),
    ("Table", table),
    ("table", table),
    ("MetaData", metadata),
    ("declarative_base", declarative_base),
    ("registry", declarative_base),
    ("ForeignKey", foreign_key),
    ("PrimaryKeyConstraint", primary_key_constraint),
    ("UniqueConstraint", unique_constraint),
    ("ForeignKeyConstraint", foreign_key_constraint),
    ("CheckConstraint", |_| {
        Value::Constraint(ConstraintSpec::Check)
    }),
    ("Index", index),
    ("text", sql_text),
    ("DDL", sql_text),
    ("CreateSequence", no_table_ddl),
    ("DropSequence", no_table_ddl),
    ("CreateSchema", no_table_ddl),
    ("DropSchema", no_table_ddl),
    ("inspect", inspect),
    ("from_engine", from_engine),
    ("Session", session),
    ("sessionmaker", session),
    ("scoped_session", session),
    ("AutoString", other),
];

/// `sqlalchemy.<...>.name(args)` (or SQLModel's).
pub(crate) fn sqlalchemy_call(
    last: &str,
    path: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Value {
    let call = SqlAlchemyCall {
        name: last.to_owned(),
        path: path.to_owned(),
        args,
        kwargs,
    };
    match CONSTRUCTORS.iter().find(|(known, _)| *known == last) {
        Some((_, constructor)) => constructor(call),
        None => other(call),
    }
}

/// A name without a constructor of its own: `sa.func.now()` is a server
/// default SQLAlchemy renders as `now()`; other SQL functions and
/// expression builders are opaque; a capitalised name is a type.
fn other(call: SqlAlchemyCall) -> Value {
    let SqlAlchemyCall {
        name,
        path,
        args,
        kwargs,
    } = call;
    if path.contains(".func.") && args.is_empty() && kwargs.is_empty() {
        return Value::Opaque(format!("{name}()"));
    }
    if path.contains(".func.") || SQLALCHEMY_NON_TYPES.contains(&name.as_str()) {
        return Value::Opaque(name);
    }
    if name.chars().next().is_some_and(char::is_uppercase) {
        return Value::Type(TypeSpec {
            name,
            known_module: true,
            args,
            kwargs,
        });
    }
    Value::Opaque(name)
}

fn column(call: SqlAlchemyCall) -> Value {
    Value::Column(Box::new(column_spec(&call.args, &call.kwargs)))
}

fn table(call: SqlAlchemyCall) -> Value {
    match call.args.first() {
        Some(Value::Str(name)) => Value::Table(name.clone()),
        _ => Value::Opaque(call.name),
    }
}

fn metadata(call: SqlAlchemyCall) -> Value {
    Value::MetaData(convention_entries(kwarg(&call.kwargs, "naming_convention")))
}

/// A declarative base, as far as its metadata (and so its naming
/// convention) goes.
fn declarative_base(call: SqlAlchemyCall) -> Value {
    match kwarg(&call.kwargs, "metadata") {
        Some(Value::MetaData(entries)) => Value::MetaData(entries.clone()),
        _ => Value::MetaData(Vec::new()),
    }
}

fn foreign_key(call: SqlAlchemyCall) -> Value {
    let (args, kwargs) = (&call.args, &call.kwargs);
    let target = match arg(args, kwargs, 0, "column") {
        Some(Value::MappedColumn { table, column }) => Some(format!("{table}.{column}")),
        other => string(other),
    };
    let mut spec = foreign_key_target(target.as_deref(), string(kwarg(kwargs, "name")), Vec::new());
    spec.actions = referential_actions(kwargs);
    Value::ForeignKeyRef(spec)
}

fn primary_key_constraint(call: SqlAlchemyCall) -> Value {
    Value::Constraint(ConstraintSpec::PrimaryKey {
        name: string(kwarg(&call.kwargs, "name")),
        columns: call.args.iter().filter_map(to_text).collect(),
    })
}

fn unique_constraint(call: SqlAlchemyCall) -> Value {
    Value::Constraint(ConstraintSpec::Unique {
        name: string(kwarg(&call.kwargs, "name")),
        columns: call.args.iter().filter_map(to_text).collect(),
    })
}

fn foreign_key_constraint(call: SqlAlchemyCall) -> Value {
    let (args, kwargs) = (&call.args, &call.kwargs);
    let columns = column_names(arg(args, kwargs, 0, "columns")).unwrap_or_default();
    let targets = column_names(arg(args, kwargs, 1, "refcolumns")).unwrap_or_default();
    let mut spec = foreign_key_target(
        targets.first().map(String::as_str),
        string(kwarg(kwargs, "name")),
        columns,
    );
    spec.actions = referential_actions(kwargs);
    spec.referred_columns = targets
        .iter()
        .map(|target| target.rsplit('.').next().unwrap_or(target).to_owned())
        .collect();
    Value::Constraint(ConstraintSpec::ForeignKey(spec))
}

fn index(call: SqlAlchemyCall) -> Value {
    Value::Constraint(ConstraintSpec::Index {
        name: string(call.args.first()),
        columns: call
            .args
            .iter()
            .skip(1)
            .filter_map(|arg| match arg {
                Value::Str(text) | Value::Sql(text) => Some(text.clone()),
                Value::Column(column) => column.name.clone(),
                _ => None,
            })
            .collect(),
        unique: matches!(kwarg(&call.kwargs, "unique"), Some(Value::Bool(true))),
    })
}

/// `sa.text("...")`, `DDL("...")`: SQL as written.
fn sql_text(call: SqlAlchemyCall) -> Value {
    string(call.args.first()).map_or(Value::Unknown(String::new()), Value::Sql)
}

/// Statements on sequences and schemas, which hold no table.
fn no_table_ddl(_call: SqlAlchemyCall) -> Value {
    Value::Opaque(NO_TABLE_DDL.to_owned())
}

fn inspect(call: SqlAlchemyCall) -> Value {
    match call.args.first() {
        Some(Value::Bind) => Value::Inspector,
        _ => Value::Opaque("inspect".to_owned()),
    }
}

/// `Inspector.from_engine(bind)`.
fn from_engine(call: SqlAlchemyCall) -> Value {
    if call.path.ends_with("Inspector.from_engine") {
        Value::Inspector
    } else {
        other(call)
    }
}

/// ORM sessions move data; what they return is only known at run time.
fn session(_call: SqlAlchemyCall) -> Value {
    Value::Opaque(SESSION.to_owned())
}

/// The string entries of a `naming_convention` dict.
pub(crate) fn convention_entries(value: Option<&Value>) -> Vec<(String, String)> {
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
pub(crate) fn referential_actions(kwargs: &[(String, Value)]) -> ReferentialActions {
    let on_delete = kwarg(kwargs, "ondelete");
    let on_update = kwarg(kwargs, "onupdate");
    let unreadable = |value: Option<&Value>| {
        value.is_some_and(|value| !matches!(value, Value::None | Value::Str(_)))
    };
    ReferentialActions {
        on_delete: string(on_delete),
        on_update: string(on_update),
        unreadable: unreadable(on_delete) || unreadable(on_update),
    }
}

/// A type given as a class (`sa.Integer`) or an instance (`sa.String(50)`).
pub(crate) fn type_of(value: &Value) -> Option<TypeSpec> {
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

/// A method of a type: `with_variant(T, "postgresql")` is T on the dialects
/// it names; the others (`evaluates_none()`, `copy()`) leave the type as is.
pub(crate) fn type_method(
    run: &mut Run<'_>,
    spec: TypeSpec,
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
                    if dialects
                        .iter()
                        .any(|name| dialect::answers_to(run.host.dialect, name)) =>
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

#[cfg(test)]
mod tests {
    use super::CONSTRUCTORS;

    #[test]
    fn each_constructor_is_registered_once() {
        for (at, (name, _)) in CONSTRUCTORS.iter().enumerate() {
            assert!(
                !CONSTRUCTORS[at + 1..]
                    .iter()
                    .any(|(other, _)| other == name),
                "{name}"
            );
        }
    }
}
