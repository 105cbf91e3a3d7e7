//! Reading a call's arguments: by position or keyword, as strings, as
//! column names.

use crate::value::Value;

pub(crate) fn arg<'v>(
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

pub(crate) fn kwarg<'v>(kwargs: &'v [(String, Value)], keyword: &str) -> Option<&'v Value> {
    kwargs
        .iter()
        .find(|(name, _)| name == keyword)
        .map(|(_, value)| value)
}

pub(crate) fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Str(text) => Some(text.clone()),
        _ => None,
    }
}

/// Column names given as strings, columns, or SQL expressions (kept as text).
pub(crate) fn column_names(value: Option<&Value>) -> Option<Vec<String>> {
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
