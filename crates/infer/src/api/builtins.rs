//! Python's builtins and the methods of its strings, dicts and lists, on
//! the values the interpreter knows.

use crate::interpreter::python::{iterate, to_text};
use crate::value::Value;

/// A builtin function, called with its arguments.
type Builtin = fn(&[Value], &[(String, Value)]) -> Value;

/// Every builtin that is evaluated, by name.
const BUILTINS: &[(&str, Builtin)] = &[
    ("len", len),
    ("range", range),
    ("str", str),
    ("int", int),
    ("bool", bool),
    ("list", list),
    ("tuple", list),
    ("set", set),
    ("reversed", reversed),
    ("sorted", sorted),
    ("enumerate", enumerate),
    ("zip", zip),
    ("any", any),
    ("all", all),
    ("dict", dict),
    ("print", |_, _| Value::None),
];

/// `name(args)` for a builtin function.
pub(crate) fn builtin(name: &str, args: &[Value], kwargs: &[(String, Value)]) -> Value {
    match BUILTINS.iter().find(|(known, _)| *known == name) {
        Some((_, function)) => function(args, kwargs),
        None => Value::Unknown(format!(
            "calls {name}(), which migration-doctor does not evaluate"
        )),
    }
}

fn len(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    match first {
        Some(Value::List(items)) => Value::Int(items.len() as i64),
        Some(Value::Dict(items)) => Value::Int(items.len() as i64),
        Some(Value::Str(text)) => Value::Int(text.chars().count() as i64),
        _ => Value::Unknown(String::new()),
    }
}

/// `range(end)`, `range(start, end)`, at most 100,000 numbers.
fn range(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    {
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
}

fn str(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    first
        .and_then(to_text)
        .map_or(Value::Unknown(String::new()), Value::Str)
}

fn int(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    match first {
        Some(Value::Int(number)) => Value::Int(*number),
        Some(Value::Str(text)) => text
            .trim()
            .parse()
            .map_or(Value::Unknown(String::new()), Value::Int),
        _ => Value::Unknown(String::new()),
    }
}

fn bool(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    first
        .and_then(Value::truthy)
        .map_or(Value::Unknown(String::new()), Value::Bool)
}

/// The items of an iterable, as a list (`list`, `tuple`).
fn list(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    args.first()
        .and_then(iterate)
        .map_or(Value::Unknown(String::new()), Value::List)
}

/// The items of an iterable, each once, in order.
fn set(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let Some(items) = args.first().and_then(iterate) else {
        return Value::Unknown(String::new());
    };
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    Value::List(unique)
}

fn reversed(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let Some(mut items) = args.first().and_then(iterate) else {
        return Value::Unknown(String::new());
    };
    items.reverse();
    Value::List(items)
}

/// The items sorted by their text; items without one are left out.
fn sorted(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let Some(items) = args.first().and_then(iterate) else {
        return Value::Unknown(String::new());
    };
    let mut keyed: Vec<(String, Value)> = items
        .into_iter()
        .filter_map(|item| to_text(&item).map(|key| (key, item)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Value::List(keyed.into_iter().map(|(_, item)| item).collect())
}

fn enumerate(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    let first = args.first();
    first
        .and_then(iterate)
        .map_or(Value::Unknown(String::new()), |items| {
            Value::List(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(at, item)| Value::List(vec![Value::Int(at as i64), item]))
                    .collect(),
            )
        })
}

fn zip(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    {
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
}

/// The truth of every item, when each is known.
fn truths(args: &[Value]) -> Option<Vec<bool>> {
    args.first()
        .and_then(iterate)?
        .iter()
        .map(Value::truthy)
        .collect()
}

fn any(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    truths(args).map_or(Value::Unknown(String::new()), |truths| {
        Value::Bool(truths.iter().any(|t| *t))
    })
}

fn all(args: &[Value], _kwargs: &[(String, Value)]) -> Value {
    truths(args).map_or(Value::Unknown(String::new()), |truths| {
        Value::Bool(truths.iter().all(|t| *t))
    })
}

/// `dict(a=1, b=2)`.
fn dict(_args: &[Value], kwargs: &[(String, Value)]) -> Value {
    Value::Dict(
        kwargs
            .iter()
            .map(|(key, value)| (Value::Str(key.clone()), value.clone()))
            .collect(),
    )
}

pub(crate) fn string_method(
    text: &str,
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Value {
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

/// A method of a dict.
pub(crate) fn dict_method(items: Vec<(Value, Value)>, name: &str, args: &[Value]) -> Value {
    match name {
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
    }
}

/// A method of a list.
pub(crate) fn list_method(items: &[Value], name: &str, args: &[Value]) -> Value {
    match name {
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
    }
}

#[cfg(test)]
mod tests {
    use super::BUILTINS;

    #[test]
    fn each_builtin_is_registered_once() {
        for (at, (name, _)) in BUILTINS.iter().enumerate() {
            assert!(
                !BUILTINS[at + 1..].iter().any(|(other, _)| other == name),
                "{name}"
            );
        }
    }
}
