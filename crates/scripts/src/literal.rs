//! Evaluation of the constant Python expressions that revision variables are
//! written with: strings (any quotes, implicit concatenation, `+`, f-strings
//! over known names), `None`, booleans, integers, tuples, lists and sets, and
//! names bound earlier in the module. Anything else is "not a literal".

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, InterpolatedStringElement, Number, Operator};

/// A constant Python value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    /// A tuple, list or set; sets keep source order.
    Seq(Vec<PyValue>),
}

/// Module-level names bound so far, as Python would see them at that line.
pub type Scope = HashMap<String, PyValue>;

/// The value of `expr`, or `None` when it is not a constant we can know
/// without running Python.
pub fn evaluate(expr: &Expr, scope: &Scope) -> Option<PyValue> {
    match expr {
        Expr::StringLiteral(literal) => Some(PyValue::Str(literal.value.to_str().to_owned())),
        Expr::NoneLiteral(_) => Some(PyValue::None),
        Expr::BooleanLiteral(literal) => Some(PyValue::Bool(literal.value)),
        Expr::NumberLiteral(ast::ExprNumberLiteral {
            value: Number::Int(int),
            ..
        }) => int.as_i64().map(PyValue::Int),
        Expr::Tuple(ast::ExprTuple { elts, .. })
        | Expr::List(ast::ExprList { elts, .. })
        | Expr::Set(ast::ExprSet { elts, .. }) => elts
            .iter()
            .map(|element| evaluate(element, scope))
            .collect::<Option<Vec<_>>>()
            .map(PyValue::Seq),
        Expr::Name(name) => scope.get(name.id.as_str()).cloned(),
        Expr::BinOp(ast::ExprBinOp {
            left,
            op: Operator::Add,
            right,
            ..
        }) => match (evaluate(left, scope)?, evaluate(right, scope)?) {
            (PyValue::Str(a), PyValue::Str(b)) => Some(PyValue::Str(a + &b)),
            (PyValue::Seq(mut a), PyValue::Seq(b)) => {
                a.extend(b);
                Some(PyValue::Seq(a))
            }
            (PyValue::Int(a), PyValue::Int(b)) => a.checked_add(b).map(PyValue::Int),
            _ => None,
        },
        Expr::FString(fstring) => {
            let mut out = String::new();
            for part in fstring.value.iter() {
                match part {
                    ast::FStringPart::Literal(literal) => out.push_str(literal.as_str()),
                    ast::FStringPart::FString(fstring) => {
                        for element in fstring.elements.iter() {
                            match element {
                                InterpolatedStringElement::Literal(literal) => {
                                    out.push_str(&literal.value)
                                }
                                InterpolatedStringElement::Interpolation(interpolation) => {
                                    if interpolation.format_spec.is_some() {
                                        return None;
                                    }
                                    match evaluate(&interpolation.expression, scope)? {
                                        PyValue::Str(text) => out.push_str(&text),
                                        PyValue::Int(number) => out.push_str(&number.to_string()),
                                        _ => return None,
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Some(PyValue::Str(out))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(source: &str) -> Option<PyValue> {
        let parsed = ruff_python_parser::parse_expression(source).expect("parses");
        let mut scope = Scope::new();
        scope.insert("base".to_owned(), PyValue::Str("ab".to_owned()));
        evaluate(parsed.expr(), &scope)
    }

    fn s(text: &str) -> PyValue {
        PyValue::Str(text.to_owned())
    }

    #[test]
    fn strings_in_every_spelling() {
        assert_eq!(eval("'a'"), Some(s("a")));
        assert_eq!(eval("\"a\" 'b'"), Some(s("ab")));
        assert_eq!(eval("base + '12'"), Some(s("ab12")));
        assert_eq!(eval("f'{base}12'"), Some(s("ab12")));
        assert_eq!(eval("r'''x'''"), Some(s("x")));
    }

    #[test]
    fn sequences_and_none() {
        assert_eq!(eval("('a', 'b')"), Some(PyValue::Seq(vec![s("a"), s("b")])));
        assert_eq!(eval("['a',]"), Some(PyValue::Seq(vec![s("a")])));
        assert_eq!(eval("{'a'}"), Some(PyValue::Seq(vec![s("a")])));
        assert_eq!(eval("None"), Some(PyValue::None));
    }

    #[test]
    fn unknowable_values() {
        assert_eq!(eval("make_id()"), None);
        assert_eq!(eval("unknown_name"), None);
        assert_eq!(eval("f'{base:>4}'"), None);
    }
}
