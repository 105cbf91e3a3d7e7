//! The column types the project's classes stand for: `TypeDecorator`
//! subclasses, resolved to their `impl` or to what `load_dialect_impl`
//! returns on the dialect at hand, and subclasses of SQLAlchemy's types.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Stmt};

use super::evaluator::{Evaluator, MAX_CHAIN, is_library};
use super::names::{class_attribute, eval_in_module, module_globals, package_of};
use super::syntax::{class_bases, find_class};
use crate::value::{TypeSpec, Value};

/// The column type a class of the project stands for, called with
/// `args`: a `TypeDecorator` is its `impl` (which takes the arguments
/// unless the class has its own `__init__`), or what a static
/// `load_dialect_impl` returns on this run's dialect; a subclass of a
/// SQLAlchemy type is that type.
pub(crate) fn project_type<'a, E: Evaluator<'a>>(
    ev: &mut E,
    path: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Option<TypeSpec> {
    if ev.modules().is_empty() || is_library(path) || ev.names().resolving.len() >= MAX_CHAIN {
        return None;
    }
    let (module, name) = path.rsplit_once('.')?;
    let modules = ev.modules();
    let (module, body, class) = match modules
        .module(module)
        .and_then(|body| find_class(body, name).map(|class| (body, class)))
    {
        Some((body, class)) => (module.to_owned(), body, class),
        None => {
            // Imported into that module from another one.
            let body = modules.module(module)?;
            let globals = module_globals(ev, module, body);
            match globals.get(name) {
                Some(Value::Path(target)) if *target != format!("{module}.{name}") => {
                    let target = target.clone();
                    ev.names().resolving.push(path.to_owned());
                    let found = project_type(ev, &target, args, kwargs);
                    ev.names().resolving.pop();
                    return found;
                }
                _ => return None,
            }
        }
    };
    ev.names().resolving.push(path.to_owned());
    let found = class_type(ev, &module, body, class, args, kwargs);
    ev.names().resolving.pop();
    found
}

fn class_type<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    class: &'a ast::StmtClassDef,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Option<TypeSpec> {
    let own_init = class.body.iter().any(
        |statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == "__init__"),
    );
    let (args, kwargs) = if own_init {
        (&[][..], &[][..])
    } else {
        (args, kwargs)
    };
    if let Some(chosen) = load_dialect_impl(ev, module, body, class) {
        return Some(chosen);
    }
    for base in class_bases(class) {
        let Value::Path(base) = eval_in_module(ev, module, body, base) else {
            continue;
        };
        if base.starts_with("sqlalchemy") {
            let last = base.rsplit('.').next().unwrap_or(&base);
            if last == "TypeDecorator" {
                let implementation = match class_attribute(ev, module, body, class, "impl")? {
                    Value::Type(spec) => spec,
                    Value::Path(path) if path.starts_with("sqlalchemy") => {
                        sqlalchemy_type(&path, args, kwargs)
                    }
                    Value::Path(path) => project_type(ev, &path, args, kwargs)?,
                    _ => return None,
                };
                return Some(implementation);
            }
            if last.chars().next().is_some_and(char::is_uppercase) {
                return Some(sqlalchemy_type(&base, args, kwargs));
            }
        } else if let Some(spec) = project_type(ev, &base, args, kwargs) {
            return Some(spec);
        }
    }
    None
}

/// A `load_dialect_impl(self, dialect)` that picks a type by the
/// dialect's name, interpreted on this run's dialect.
fn load_dialect_impl<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    class: &'a ast::StmtClassDef,
) -> Option<TypeSpec> {
    let method = class.body.iter().find_map(|statement| match statement {
        Stmt::FunctionDef(def) if def.name.as_str() == "load_dialect_impl" => Some(def),
        _ => None,
    })?;
    let parameters: Vec<String> = method
        .parameters
        .args
        .iter()
        .map(|parameter| parameter.parameter.name.to_string())
        .collect();
    let [this, dialect] = parameters.as_slice() else {
        return None;
    };
    let globals = (*module_globals(ev, module, body)).clone();
    let package = package_of(ev, module);
    let returned = ev.in_module(package, globals, |run| {
        let mut locals = HashMap::new();
        locals.insert(this.clone(), Value::Opaque("self".to_owned()));
        locals.insert(dialect.clone(), Value::Dialect);
        run.run_body_quietly(&method.body, &mut locals)
    });
    match returned {
        Some(Value::Type(spec)) => Some(spec),
        Some(Value::Path(path)) if path.starts_with("sqlalchemy") => {
            Some(sqlalchemy_type(&path, &[], &[]))
        }
        _ => None,
    }
}

/// SQLAlchemy's type class at `path`, called with `args`.
fn sqlalchemy_type(path: &str, args: &[Value], kwargs: &[(String, Value)]) -> TypeSpec {
    TypeSpec {
        name: path.rsplit('.').next().unwrap_or(path).to_owned(),
        known_module: true,
        args: args.to_vec(),
        kwargs: kwargs.to_vec(),
    }
}
