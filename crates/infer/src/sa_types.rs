//! The type family a SQLAlchemy type produces on each dialect, as
//! SQLAlchemy 2.1 renders it in DDL and the database then reports it:
//! `sa.Boolean` is `BOOLEAN` on PostgreSQL and SQLite and `BOOL`
//! (`tinyint(1)`) on MySQL; `sa.Enum` is a native enum on PostgreSQL and
//! MySQL and a `VARCHAR` as long as its longest value on SQLite; `sa.Uuid`
//! is `UUID` on PostgreSQL and `CHAR(32)` elsewhere; `sa.Interval` is
//! `INTERVAL` on PostgreSQL and a `DATETIME` elsewhere; `sa.Numeric()`
//! without precision is MySQL's `DECIMAL(10,0)`. Types from outside
//! SQLAlchemy (an application's `TypeDecorator`) are `other(<name>)`.

use migration_doctor_schema::{Dialect, TypeFamily};

use crate::value::{TypeSpec, Value};

fn int_arg(spec: &TypeSpec, position: usize, keyword: &str) -> Option<u32> {
    let value = spec.kwarg(keyword).or_else(|| spec.args.get(position))?;
    match value {
        Value::Int(number) => u32::try_from(*number).ok(),
        _ => None,
    }
}

/// Whether a size argument is given but not known statically
/// (`sa.String(ID_LEN)` with `ID_LEN` out of reach): the type is then not
/// known either, rather than silently a string without length.
fn unresolved_size(spec: &TypeSpec, position: usize, keyword: &str) -> bool {
    spec.kwarg(keyword)
        .or_else(|| spec.args.get(position))
        .is_some_and(|value| !matches!(value, Value::Int(_) | Value::None))
}

fn bool_kwarg(spec: &TypeSpec, keyword: &str) -> bool {
    matches!(spec.kwarg(keyword), Some(Value::Bool(true)))
}

/// The family of `spec` on `dialect`.
pub fn type_family(spec: &TypeSpec, dialect: Dialect) -> TypeFamily {
    if !spec.known_module {
        return TypeFamily::Other(spec.name.to_lowercase());
    }
    let upper = spec.name.to_uppercase();
    let unresolved = match upper.as_str() {
        "STRING" | "VARCHAR" | "UNICODE" | "CHAR" | "NCHAR" | "NVARCHAR" => {
            unresolved_size(spec, 0, "length")
        }
        "NUMERIC" | "DECIMAL" => {
            unresolved_size(spec, 0, "precision") || unresolved_size(spec, 1, "scale")
        }
        _ => false,
    };
    if unresolved {
        return TypeFamily::Other(format!(
            "{} of a size not known statically",
            spec.name.to_lowercase()
        ));
    }
    match upper.as_str() {
        "INTEGER" | "INT" => TypeFamily::Integer,
        "BIGINTEGER" | "BIGINT" => TypeFamily::BigInteger,
        "SMALLINTEGER" | "SMALLINT" => TypeFamily::SmallInteger,
        "TINYINT" if int_arg(spec, 0, "display_width") == Some(1) => TypeFamily::Boolean,
        "TINYINT" | "MEDIUMINT" => TypeFamily::SmallInteger,
        "BOOLEAN" | "BOOL" => TypeFamily::Boolean,
        // sqlmodel's `AutoString`: a `String` without length, but
        // `VARCHAR(255)` on MySQL, which needs a length.
        "AUTOSTRING" => TypeFamily::String {
            length: int_arg(spec, 0, "length").or((dialect == Dialect::Mysql).then_some(255)),
        },
        "STRING" | "VARCHAR" | "UNICODE" | "CHAR" | "NCHAR" | "NVARCHAR" => TypeFamily::String {
            length: int_arg(spec, 0, "length"),
        },
        "TEXT" | "UNICODETEXT" | "CLOB" | "TINYTEXT" | "MEDIUMTEXT" | "LONGTEXT" | "CITEXT" => {
            TypeFamily::Text
        }
        "NUMERIC" | "DECIMAL" => {
            let precision = int_arg(spec, 0, "precision");
            let scale = int_arg(spec, 1, "scale");
            match (dialect, precision, scale) {
                (Dialect::Mysql, None, _) => TypeFamily::Numeric {
                    precision: Some(10),
                    scale: Some(0),
                },
                (Dialect::Mysql, Some(precision), None) => TypeFamily::Numeric {
                    precision: Some(precision),
                    scale: Some(0),
                },
                _ => TypeFamily::Numeric { precision, scale },
            }
        }
        "FLOAT" | "REAL" | "DOUBLE" | "DOUBLE_PRECISION" => TypeFamily::Float,
        "DATE" => TypeFamily::Date,
        "DATETIME" | "TIMESTAMP" => TypeFamily::DateTime {
            timezone: dialect == Dialect::Postgresql && bool_kwarg(spec, "timezone"),
        },
        "TIME" => TypeFamily::Time {
            timezone: dialect == Dialect::Postgresql && bool_kwarg(spec, "timezone"),
        },
        "INTERVAL" if dialect == Dialect::Postgresql => TypeFamily::Interval,
        "INTERVAL" => TypeFamily::DateTime { timezone: false },
        "JSON" | "JSONB" => TypeFamily::Json,
        "UUID" | "UUIDTYPE" if dialect == Dialect::Postgresql => TypeFamily::Uuid,
        "UUID" | "UUIDTYPE" => TypeFamily::String { length: Some(32) },
        "LARGEBINARY" | "BLOB" | "BYTEA" | "BINARY" | "VARBINARY" | "LONGBLOB" | "MEDIUMBLOB"
        | "PICKLETYPE" => TypeFamily::Binary,
        "ENUM" => enum_family(spec, dialect),
        "ARRAY" => {
            let item = match spec.kwarg("item_type").or_else(|| spec.args.first()) {
                Some(Value::Type(item)) => type_family(item, dialect),
                _ => TypeFamily::Other("unknown".to_owned()),
            };
            TypeFamily::Array(Box::new(item))
        }
        _ => TypeFamily::Other(spec.name.to_lowercase()),
    }
}

fn enum_family(spec: &TypeSpec, dialect: Dialect) -> TypeFamily {
    // Labels not known statically (`sa.Enum(*labels_from_elsewhere)`, an
    // enum class out of reach) leave the type unknown, not a string
    // without length or an enum without labels.
    let known = spec.args.iter().all(|arg| match arg {
        Value::Str(_) => true,
        Value::List(items) => items.iter().all(|item| item.as_str().is_some()),
        _ => false,
    });
    if !known || spec.args.is_empty() {
        return TypeFamily::Other("enum of labels not known statically".to_owned());
    }
    let values: Vec<String> = spec
        .args
        .iter()
        .flat_map(|arg| match arg {
            Value::Str(text) => vec![text.clone()],
            Value::List(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let native = !matches!(spec.kwarg("native_enum"), Some(Value::Bool(false)));
    if dialect == Dialect::Sqlite || !native {
        let longest = values.iter().map(|value| value.chars().count()).max();
        let length = match spec.kwarg("length") {
            Some(Value::Int(length)) => u32::try_from(*length).ok(),
            _ => longest.and_then(|longest| u32::try_from(longest).ok()),
        };
        TypeFamily::String { length }
    } else {
        TypeFamily::Enum { values }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, args: Vec<Value>) -> TypeSpec {
        TypeSpec {
            name: name.to_owned(),
            known_module: true,
            args,
            kwargs: Vec::new(),
        }
    }

    #[test]
    fn the_same_type_on_three_dialects() {
        let string = spec("String", vec![Value::Int(50)]);
        for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
            assert_eq!(type_family(&string, dialect).to_string(), "string(50)");
        }
        let status = spec(
            "Enum",
            vec![Value::Str("new".into()), Value::Str("shipped".into())],
        );
        assert_eq!(
            type_family(&status, Dialect::Postgresql).to_string(),
            "enum(new,shipped)"
        );
        assert_eq!(
            type_family(&status, Dialect::Sqlite).to_string(),
            "string(7)"
        );
        let mut stamp = spec("DateTime", vec![]);
        stamp.kwargs.push(("timezone".into(), Value::Bool(true)));
        assert_eq!(
            type_family(&stamp, Dialect::Postgresql).to_string(),
            "datetime(tz)"
        );
        assert_eq!(type_family(&stamp, Dialect::Mysql).to_string(), "datetime");
        let custom = TypeSpec {
            known_module: false,
            ..spec("GUID", vec![])
        };
        assert_eq!(
            type_family(&custom, Dialect::Postgresql).to_string(),
            "other(guid)"
        );
    }
}
