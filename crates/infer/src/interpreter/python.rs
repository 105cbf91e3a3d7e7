//! Python's own semantics on values: text conversion, iteration,
//! operators, comparisons, subscripts and slices, `%` formatting, relative
//! imports, and the statements a module runs.

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::value::Value;

/// The longest string a file may build (`"x" * 10**12` is no identifier).
const MAX_STRING: usize = 1 << 20;

pub(crate) fn to_text(value: &Value) -> Option<String> {
    match value {
        Value::Str(text) => Some(text.clone()),
        Value::Int(number) => Some(number.to_string()),
        Value::Float(number) => Some(number.to_string()),
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        Value::None => Some("None".to_owned()),
        _ => None,
    }
}

/// The items a `for` would see.
pub(crate) fn iterate(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::List(items) => Some(items.clone()),
        Value::Dict(items) => Some(items.iter().map(|(key, _)| key.clone()).collect()),
        Value::Str(text) => Some(text.chars().map(|c| Value::Str(c.to_string())).collect()),
        _ => None,
    }
}

pub(crate) fn binary(op: ast::Operator, left: Value, right: Value) -> Value {
    match (op, left, right) {
        (ast::Operator::Add, Value::Str(a), Value::Str(b)) if a.len() + b.len() <= MAX_STRING => {
            Value::Str(a + &b)
        }
        (ast::Operator::Add, Value::List(mut a), Value::List(b)) => {
            a.extend(b);
            Value::List(a)
        }
        (ast::Operator::Add, Value::Int(a), Value::Int(b)) => a
            .checked_add(b)
            .map_or(Value::Unknown(String::new()), Value::Int),
        (ast::Operator::Sub, Value::Int(a), Value::Int(b)) => a
            .checked_sub(b)
            .map_or(Value::Unknown(String::new()), Value::Int),
        (ast::Operator::Mult, Value::Int(a), Value::Int(b)) => a
            .checked_mul(b)
            .map_or(Value::Unknown(String::new()), Value::Int),
        (ast::Operator::Mult, Value::Str(a), Value::Int(b)) => {
            let times = usize::try_from(b).unwrap_or(0);
            match a.len().checked_mul(times) {
                Some(length) if length <= MAX_STRING => Value::Str(a.repeat(times)),
                _ => Value::Unknown(format!(
                    "builds a string of more than {MAX_STRING} characters"
                )),
            }
        }
        (ast::Operator::Mod, Value::Str(format), args) => percent_format(&format, &args),
        (ast::Operator::FloorDiv, Value::Int(a), Value::Int(b)) if b != 0 => {
            Value::Int(a.div_euclid(b))
        }
        _ => Value::Unknown(String::new()),
    }
}

/// `"%s_%s" % (a, b)` and `"%(name)s" % {...}`.
pub(crate) fn percent_format(format: &str, args: &Value) -> Value {
    let positional: Vec<Value> = match args {
        Value::List(items) => items.clone(),
        Value::Dict(_) => Vec::new(),
        other => vec![other.clone()],
    };
    let mut out = String::new();
    let mut next = positional.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('%') => {
                chars.next();
                out.push('%');
            }
            Some('(') => {
                chars.next();
                let key: String = chars.by_ref().take_while(|c| *c != ')').collect();
                chars.next(); // the conversion letter
                let Value::Dict(items) = args else {
                    return Value::Unknown(String::new());
                };
                let Some(text) = items
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(key.as_str()))
                    .and_then(|(_, value)| to_text(value))
                else {
                    return Value::Unknown(String::new());
                };
                out.push_str(&text);
            }
            Some(_) => {
                chars.next();
                let Some(text) = next.next().and_then(to_text) else {
                    return Value::Unknown(String::new());
                };
                out.push_str(&text);
            }
            None => out.push('%'),
        }
    }
    Value::Str(out)
}

pub(crate) fn compare_values(op: ast::CmpOp, left: &Value, right: &Value) -> Option<bool> {
    use ast::CmpOp;
    if left.is_unknown() || right.is_unknown() {
        return None;
    }
    match op {
        CmpOp::Eq => equal(left, right),
        CmpOp::NotEq => equal(left, right).map(|same| !same),
        CmpOp::In => contains(right, left),
        CmpOp::NotIn => contains(right, left).map(|found| !found),
        CmpOp::Is => match (left, right) {
            (Value::None, Value::None) => Some(true),
            (Value::None, _) | (_, Value::None) => Some(false),
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            _ => None,
        },
        CmpOp::IsNot => compare_values(CmpOp::Is, left, right).map(|same| !same),
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => {
            let ordering = match (left, right) {
                (Value::Int(a), Value::Int(b)) => a.cmp(b),
                (Value::Str(a), Value::Str(b)) => a.cmp(b),
                _ => return None,
            };
            Some(match op {
                CmpOp::Lt => ordering.is_lt(),
                CmpOp::LtE => ordering.is_le(),
                CmpOp::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
    }
}

pub(crate) fn equal(left: &Value, right: &Value) -> Option<bool> {
    match (left, right) {
        (Value::Str(a), Value::Str(b)) => Some(a == b),
        (Value::Int(a), Value::Int(b)) => Some(a == b),
        (Value::Bool(a), Value::Bool(b)) => Some(a == b),
        (Value::None, Value::None) => Some(true),
        (Value::None, _) | (_, Value::None) => Some(false),
        (Value::Str(_), Value::Int(_)) | (Value::Int(_), Value::Str(_)) => Some(false),
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Some(false);
            }
            for (x, y) in a.iter().zip(b) {
                if !equal(x, y)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        _ => None,
    }
}

pub(crate) fn contains(container: &Value, item: &Value) -> Option<bool> {
    match container {
        Value::List(items) => {
            for candidate in items {
                if equal(candidate, item)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        Value::Dict(items) => {
            for (key, _) in items {
                if equal(key, item)? {
                    return Some(true);
                }
            }
            Some(false)
        }
        Value::Str(text) => item.as_str().map(|needle| text.contains(needle)),
        _ => None,
    }
}

pub(crate) fn subscript_value(value: &Value, index: &Value) -> Value {
    match (value, index) {
        (Value::List(items), Value::Int(at)) => {
            let at = if *at < 0 {
                items.len() as i64 + at
            } else {
                *at
            };
            usize::try_from(at)
                .ok()
                .and_then(|at| items.get(at).cloned())
                .unwrap_or(Value::Unknown(String::new()))
        }
        (Value::Dict(items), key) => items
            .iter()
            .find(|(candidate, _)| equal(candidate, key) == Some(true))
            .map(|(_, value)| value.clone())
            .unwrap_or(Value::Unknown(String::new())),
        _ => Value::Unknown(String::new()),
    }
}

pub(crate) fn slice_value(value: &Value, lower: Option<i64>, upper: Option<i64>) -> Value {
    let clamp = |bound: Option<i64>, len: usize, default: usize| -> usize {
        match bound {
            None => default,
            Some(at) if at < 0 => len.saturating_sub(at.unsigned_abs() as usize),
            Some(at) => (at as usize).min(len),
        }
    };
    match value {
        Value::List(items) => {
            let (start, end) = (
                clamp(lower, items.len(), 0),
                clamp(upper, items.len(), items.len()),
            );
            Value::List(
                items
                    .get(start..end.max(start))
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default(),
            )
        }
        Value::Str(text) => {
            let chars: Vec<char> = text.chars().collect();
            let (start, end) = (
                clamp(lower, chars.len(), 0),
                clamp(upper, chars.len(), chars.len()),
            );
            Value::Str(
                chars
                    .get(start..end.max(start))
                    .map(|part| part.iter().collect())
                    .unwrap_or_default(),
            )
        }
        _ => Value::Unknown(String::new()),
    }
}

/// A function definition's identity, for its closure.
pub(crate) fn closure_key(function: &ast::StmtFunctionDef) -> usize {
    std::ptr::from_ref(function) as usize
}

pub(crate) fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The absolute name of `from <dots><module> import …` read in `package`
/// (`level` dots).
pub(crate) fn relative_module(package: &str, level: u32, module: &str) -> String {
    let mut base: Vec<&str> = package.split('.').collect();
    base.truncate(base.len().saturating_sub(level as usize - 1));
    if !module.is_empty() {
        base.push(module);
    }
    base.join(".")
}

/// A module's top-level statements as they run: the `else` of an
/// `if TYPE_CHECKING:` block stands in for the block (type checkers read
/// the other branch; Python runs this one).
pub(crate) fn runtime_statements(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::with_capacity(body.len());
    for statement in body {
        match statement {
            Stmt::If(branch) if is_type_checking(&branch.test) => {
                if let Some(otherwise) = branch
                    .elif_else_clauses
                    .iter()
                    .find(|clause| clause.test.is_none())
                {
                    out.extend(runtime_statements(&otherwise.body));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING`.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}
