//! Evaluation of the constant Python expressions that revision variables are
//! written with: strings (any quotes, implicit concatenation, `+`, f-strings
//! over known names), `None`, booleans, integers, tuples, lists and sets,
//! names bound earlier in the module, and constants of other modules of the
//! project reached through imports (`from myapp.db import cli` then
//! `cli.EXPAND_BRANCH`), which an [`Imports`] looks up. Anything else is
//! "not a literal".

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
    /// A module bound by `import a.b as m` (its dotted name).
    Module(String),
    /// A name bound by `from module import name`: a constant or a submodule,
    /// looked up only when used.
    Imported {
        module: String,
        name: String,
    },
}

/// Finds constants of other modules of the project.
pub trait Imports {
    /// The value of `name` in `module` (a constant, or a submodule as
    /// [`PyValue::Module`]), or `None` when it cannot be known.
    fn constant(&self, module: &str, name: &str) -> Option<PyValue>;
}

/// For code that has no project around it: no import resolves.
pub struct NoImports;

impl Imports for NoImports {
    fn constant(&self, _module: &str, _name: &str) -> Option<PyValue> {
        None
    }
}

/// Module-level names bound so far, as Python would see them at that line.
pub type Scope = HashMap<String, PyValue>;

/// The value of `expr`, or `None` when it is not a constant we can know
/// without running Python.
pub fn evaluate(expr: &Expr, scope: &Scope, imports: &dyn Imports) -> Option<PyValue> {
    let value = evaluate_reference(expr, scope, imports)?;
    match value {
        PyValue::Imported { module, name } => match imports.constant(&module, &name)? {
            PyValue::Module(_) | PyValue::Imported { .. } => None,
            constant => Some(constant),
        },
        PyValue::Module(_) => None,
        constant => Some(constant),
    }
}

/// Like [`evaluate`], but a module or an imported name may be the result
/// (they are what attribute access starts from).
fn evaluate_reference(expr: &Expr, scope: &Scope, imports: &dyn Imports) -> Option<PyValue> {
    let evaluate = |expr: &Expr, scope: &Scope| evaluate(expr, scope, imports);
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
        Expr::Attribute(attribute) => {
            let module = match evaluate_reference(&attribute.value, scope, imports)? {
                PyValue::Module(module) => module,
                PyValue::Imported { module, name } => match imports.constant(&module, &name)? {
                    PyValue::Module(module) => module,
                    _ => return None,
                },
                _ => return None,
            };
            imports.constant(&module, attribute.attr.as_str())
        }
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
        scope.insert("pkg".to_owned(), PyValue::Module("pkg".to_owned()));
        scope.insert(
            "consts".to_owned(),
            PyValue::Imported {
                module: "pkg".to_owned(),
                name: "consts".to_owned(),
            },
        );
        scope.insert(
            "PREFIX".to_owned(),
            PyValue::Imported {
                module: "pkg.consts".to_owned(),
                name: "PREFIX".to_owned(),
            },
        );
        evaluate(parsed.expr(), &scope, &Consts)
    }

    /// `consts.PREFIX` is "ab"; `pkg.consts` is a module.
    struct Consts;

    impl Imports for Consts {
        fn constant(&self, module: &str, name: &str) -> Option<PyValue> {
            match (module, name) {
                ("pkg", "consts") => Some(PyValue::Module("pkg.consts".to_owned())),
                ("pkg.consts", "PREFIX") => Some(s("ab")),
                _ => None,
            }
        }
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
    fn constants_of_imported_modules() {
        assert_eq!(eval("consts.PREFIX + '1'"), Some(s("ab1")));
        assert_eq!(eval("pkg.consts.PREFIX"), Some(s("ab")));
        assert_eq!(eval("(PREFIX,)"), Some(PyValue::Seq(vec![s("ab")])));
        assert_eq!(eval("consts"), None);
        assert_eq!(eval("consts.MISSING"), None);
    }

    #[test]
    fn unknowable_values() {
        assert_eq!(eval("make_id()"), None);
        assert_eq!(eval("unknown_name"), None);
        assert_eq!(eval("f'{base:>4}'"), None);
    }
}
