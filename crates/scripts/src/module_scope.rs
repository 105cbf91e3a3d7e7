//! The module-level names of a Python file, evaluated top to bottom as
//! Python binds them: assignments (plain, annotated, chained, tuple
//! unpacking), and imports (as modules or imported names, resolved only when
//! used). Statements inside functions, classes and conditionals are not
//! module-level constants and are not read.

use ruff_python_ast::{Expr, Stmt};

use crate::literal::{Imports, PyValue, Scope, evaluate};

/// Evaluates `body` into a scope. `visit` sees every binding in order, with
/// its statement and its value (`None` when it cannot be known statically).
pub fn module_scope(
    body: &[Stmt],
    imports: &dyn Imports,
    mut visit: impl FnMut(&str, &Stmt, Option<&PyValue>),
) -> Scope {
    let mut scope = Scope::new();
    for statement in body {
        for (name, value) in bindings(statement, &scope, imports) {
            visit(name, statement, value.as_ref());
            match value {
                Some(value) => {
                    scope.insert(name.to_owned(), value);
                }
                None => {
                    scope.remove(name);
                }
            }
        }
    }
    scope
}

fn bindings<'a>(
    statement: &'a Stmt,
    scope: &Scope,
    imports: &dyn Imports,
) -> Vec<(&'a str, Option<PyValue>)> {
    let mut out = Vec::new();
    match statement {
        Stmt::Assign(assign) => {
            for target in &assign.targets {
                bind_target(target, Some(&assign.value), scope, imports, &mut out);
            }
        }
        Stmt::AnnAssign(assign) => {
            if let Some(value) = &assign.value {
                bind_target(&assign.target, Some(value), scope, imports, &mut out);
            }
        }
        Stmt::AugAssign(assign) => {
            if let Expr::Name(name) = assign.target.as_ref() {
                out.push((name.id.as_str(), None));
            }
        }
        Stmt::Import(import) => {
            for alias in &import.names {
                let dotted = alias.name.as_str();
                match &alias.asname {
                    Some(bound) => {
                        out.push((bound.as_str(), Some(PyValue::Module(dotted.to_owned()))))
                    }
                    None => {
                        let top = dotted.split('.').next().unwrap_or(dotted);
                        out.push((top, Some(PyValue::Module(top.to_owned()))));
                    }
                }
            }
        }
        Stmt::ImportFrom(import) => {
            let module = import
                .module
                .as_ref()
                .map(|module| module.as_str().to_owned());
            for alias in &import.names {
                let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                if bound == "*" {
                    continue;
                }
                // Relative imports would need the package layout: unknown.
                let value =
                    module
                        .clone()
                        .filter(|_| import.level == 0)
                        .map(|module| PyValue::Imported {
                            module,
                            name: alias.name.as_str().to_owned(),
                        });
                out.push((bound, value));
            }
        }
        _ => {}
    }
    out
}

fn bind_target<'a>(
    target: &'a Expr,
    value: Option<&Expr>,
    scope: &Scope,
    imports: &dyn Imports,
    out: &mut Vec<(&'a str, Option<PyValue>)>,
) {
    match target {
        Expr::Name(name) => out.push((
            name.id.as_str(),
            value.and_then(|value| evaluate(value, scope, imports)),
        )),
        Expr::Tuple(tuple) => {
            // `revision, down_revision = "a", "b"` unpacks element by element.
            let values = match value {
                Some(Expr::Tuple(values)) if values.elts.len() == tuple.elts.len() => {
                    Some(&values.elts)
                }
                _ => None,
            };
            for (index, element) in tuple.elts.iter().enumerate() {
                bind_target(
                    element,
                    values.map(|values| &values[index]),
                    scope,
                    imports,
                    out,
                );
            }
        }
        _ => {}
    }
}
