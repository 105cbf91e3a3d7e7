//! Type families: one vocabulary for column types across dialects, so that
//! `sa.String(50)`, PostgreSQL's `character varying(50)`, MySQL's
//! `varchar(50)` and SQLite's `VARCHAR(50)` are all `string(50)`.
//!
//! The mapping follows SQLAlchemy 2's reflection (checked: 2.1): MySQL's
//! `tinyint(1)` is a boolean, `int unsigned` an integer, a PostgreSQL type
//! declared with `CREATE TYPE … AS ENUM` an enum, and SQLite's free-form type
//! names are read by SQLite's own affinity rules when the name is not a known
//! one. What no rule covers is `other(<name>)`, never an error.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::model::Dialect;

#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    borsh::BorshSerialize,
    borsh::BorshDeserialize,
)]
pub enum TypeFamily {
    Integer,
    SmallInteger,
    BigInteger,
    Boolean,
    Numeric {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Float,
    /// Fixed or variable-length character strings.
    String {
        length: Option<u32>,
    },
    Text,
    Date,
    DateTime {
        timezone: bool,
    },
    Time {
        timezone: bool,
    },
    Interval,
    Json,
    Uuid,
    Binary,
    /// Values in declaration order, when the database tells them.
    Enum {
        values: Vec<String>,
    },
    Array(Box<TypeFamily>),
    /// A type no rule covers, by its lower-cased base name.
    Other(String),
}

impl TypeFamily {
    /// The family of a type as `dialect` spells it in its catalog
    /// (PostgreSQL's `format_type`, MySQL's `COLUMN_TYPE`, SQLite's declared
    /// type).
    pub fn from_native(dialect: Dialect, native: &str) -> TypeFamily {
        let lowered = native.trim().to_lowercase();
        if let Some(item) = lowered.strip_suffix("[]") {
            return TypeFamily::Array(Box::new(TypeFamily::from_native(dialect, item)));
        }
        let (base, args, rest) = split_type(&lowered);
        let numbers: Vec<u32> = args
            .iter()
            .filter_map(|arg| arg.trim().parse().ok())
            .collect();
        let timezone = rest.contains("with time zone") || base.ends_with("tz");
        match base.as_str() {
            "tinyint" if dialect == Dialect::Mysql && numbers.first() == Some(&1) => {
                TypeFamily::Boolean
            }
            "int" | "integer" | "int4" | "mediumint" | "serial" | "serial4" => TypeFamily::Integer,
            "bigint" | "int8" | "bigserial" | "serial8" => TypeFamily::BigInteger,
            "smallint" | "int2" | "tinyint" | "smallserial" | "serial2" => TypeFamily::SmallInteger,
            "bool" | "boolean" => TypeFamily::Boolean,
            "numeric" | "decimal" | "dec" | "number" | "money" => TypeFamily::Numeric {
                precision: numbers.first().copied(),
                scale: numbers.get(1).copied(),
            },
            "real" | "float" | "float4" | "float8" | "double" | "double precision" => {
                TypeFamily::Float
            }
            "varchar"
            | "character varying"
            | "nvarchar"
            | "char"
            | "character"
            | "nchar"
            | "bpchar"
            | "varchar2"
            | "nvarchar2"
            | "national character varying" => TypeFamily::String {
                length: numbers.first().copied(),
            },
            "text" | "tinytext" | "mediumtext" | "longtext" | "clob" | "citext" | "ntext" => {
                TypeFamily::Text
            }
            "date" => TypeFamily::Date,
            "datetime" | "datetime2" | "smalldatetime" | "timestamp" | "timestamptz" => {
                TypeFamily::DateTime { timezone }
            }
            "time" | "timetz" => TypeFamily::Time { timezone },
            "interval" => TypeFamily::Interval,
            "json" | "jsonb" => TypeFamily::Json,
            "uuid" | "uniqueidentifier" => TypeFamily::Uuid,
            "bytea" | "blob" | "tinyblob" | "mediumblob" | "longblob" | "binary" | "varbinary"
            | "bit varying" => TypeFamily::Binary,
            // Labels keep their case: `ENUM('RUNNING')` is not `enum('running')`.
            "enum" => TypeFamily::Enum {
                values: split_type(native.trim())
                    .1
                    .iter()
                    .map(|value| unquote(value))
                    .collect(),
            },
            _ if dialect == Dialect::Sqlite => sqlite_affinity(&base),
            _ => TypeFamily::Other(base),
        }
    }

    /// A PostgreSQL enum type (`CREATE TYPE … AS ENUM`).
    pub fn postgres_enum(values: Vec<String>) -> TypeFamily {
        TypeFamily::Enum { values }
    }
}

/// SQLite's rules for type names it does not know (section 3.1 of "Datatypes
/// In SQLite"), as SQLAlchemy applies them.
fn sqlite_affinity(base: &str) -> TypeFamily {
    if base.contains("int") {
        TypeFamily::Integer
    } else if base.contains("char") || base.contains("clob") || base.contains("text") {
        TypeFamily::Text
    } else if base.is_empty() || base.contains("blob") {
        TypeFamily::Other(base.to_owned())
    } else if base.contains("real") || base.contains("floa") || base.contains("doub") {
        TypeFamily::Float
    } else {
        TypeFamily::Numeric {
            precision: None,
            scale: None,
        }
    }
}

/// `character varying(50)` → (`character varying`, [`50`], ``);
/// `timestamp(6) with time zone` → (`timestamp`, [`6`], `with time zone`);
/// `int(10) unsigned` → (`int`, [`10`], `unsigned`).
fn split_type(lowered: &str) -> (String, Vec<String>, String) {
    let Some(open) = lowered.find('(') else {
        let base = lowered
            .trim_end_matches(" unsigned")
            .trim_end_matches(" zerofill")
            .trim_end_matches(" unsigned");
        let (base, rest) = match base.find(" with") {
            Some(at) => (&base[..at], &base[at..]),
            None => (base, ""),
        };
        return (base.trim().to_owned(), Vec::new(), rest.trim().to_owned());
    };
    let close = lowered.rfind(')').unwrap_or(lowered.len());
    let inside = &lowered[open + 1..close.max(open + 1)];
    let args = split_args(inside);
    let rest = lowered.get(close + 1..).unwrap_or("").trim().to_owned();
    (lowered[..open].trim().to_owned(), args, rest)
}

/// Splits `'a','b,c'` or `10, 2` on commas outside quotes.
fn split_args(inside: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in inside.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (None, ',') => args.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        args.push(current.trim().to_owned());
    }
    args
}

fn unquote(value: &str) -> String {
    let value = value.trim();
    let inner = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or(value);
    inner.replace("''", "'")
}

impl fmt::Display for TypeFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeFamily::Integer => f.write_str("integer"),
            TypeFamily::SmallInteger => f.write_str("smallint"),
            TypeFamily::BigInteger => f.write_str("bigint"),
            TypeFamily::Boolean => f.write_str("boolean"),
            TypeFamily::Numeric {
                precision: Some(precision),
                scale: Some(scale),
            } => write!(f, "numeric({precision},{scale})"),
            TypeFamily::Numeric {
                precision: Some(precision),
                scale: None,
            } => write!(f, "numeric({precision})"),
            TypeFamily::Numeric { .. } => f.write_str("numeric"),
            TypeFamily::Float => f.write_str("float"),
            TypeFamily::String {
                length: Some(length),
            } => write!(f, "string({length})"),
            TypeFamily::String { length: None } => f.write_str("string"),
            TypeFamily::Text => f.write_str("text"),
            TypeFamily::Date => f.write_str("date"),
            TypeFamily::DateTime { timezone: true } => f.write_str("datetime(tz)"),
            TypeFamily::DateTime { timezone: false } => f.write_str("datetime"),
            TypeFamily::Time { timezone: true } => f.write_str("time(tz)"),
            TypeFamily::Time { timezone: false } => f.write_str("time"),
            TypeFamily::Interval => f.write_str("interval"),
            TypeFamily::Json => f.write_str("json"),
            TypeFamily::Uuid => f.write_str("uuid"),
            TypeFamily::Binary => f.write_str("binary"),
            TypeFamily::Enum { values } if values.is_empty() => f.write_str("enum"),
            TypeFamily::Enum { values } => write!(f, "enum({})", values.join(",")),
            TypeFamily::Array(item) => write!(f, "array({item})"),
            TypeFamily::Other(name) => write!(f, "other({name})"),
        }
    }
}

impl Serialize for TypeFamily {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(dialect: Dialect, native: &str) -> String {
        TypeFamily::from_native(dialect, native).to_string()
    }

    #[test]
    fn the_same_string_in_three_dialects() {
        assert_eq!(
            family(Dialect::Postgresql, "character varying(50)"),
            "string(50)"
        );
        assert_eq!(family(Dialect::Mysql, "varchar(50)"), "string(50)");
        assert_eq!(family(Dialect::Sqlite, "VARCHAR(50)"), "string(50)");
    }

    #[test]
    fn enum_labels_keep_their_case() {
        assert_eq!(
            TypeFamily::from_native(Dialect::Mysql, "enum('RUNNING','Done')").to_string(),
            "enum(RUNNING,Done)"
        );
    }

    #[test]
    fn dialect_specific_spellings() {
        assert_eq!(family(Dialect::Mysql, "tinyint(1)"), "boolean");
        assert_eq!(family(Dialect::Mysql, "tinyint(4)"), "smallint");
        assert_eq!(family(Dialect::Mysql, "int(10) unsigned"), "integer");
        assert_eq!(family(Dialect::Mysql, "int unsigned"), "integer");
        assert_eq!(
            family(Dialect::Mysql, "enum('a','b,c','it''s')"),
            "enum(a,b,c,it's)"
        );
        assert_eq!(
            family(Dialect::Postgresql, "timestamp with time zone"),
            "datetime(tz)"
        );
        assert_eq!(
            family(Dialect::Postgresql, "timestamp(6) without time zone"),
            "datetime"
        );
        assert_eq!(
            family(Dialect::Postgresql, "numeric(10,2)"),
            "numeric(10,2)"
        );
        assert_eq!(family(Dialect::Postgresql, "integer[]"), "array(integer)");
        assert_eq!(family(Dialect::Postgresql, "jsonb"), "json");
        assert_eq!(family(Dialect::Postgresql, "tsvector"), "other(tsvector)");
        assert_eq!(family(Dialect::Sqlite, "DATETIME"), "datetime");
        assert_eq!(family(Dialect::Sqlite, "UNSIGNED BIG INT"), "integer");
        assert_eq!(family(Dialect::Sqlite, "NUMERIC(10, 2)"), "numeric(10,2)");
    }
}
