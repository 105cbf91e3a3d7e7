//! Names that code takes from the project's own modules: constants
//! (`from myapp.models import ID_LEN`, also when the module exports them
//! lazily through a module-level `__getattr__`), and helper functions.
//!
//! A module's names are evaluated as Python binds them, once per run, and
//! lazily. Libraries (SQLAlchemy, alembic, the standard library) are never
//! read, even when their files sit beside the project's. Whatever does not
//! resolve stays what it was (a dotted path), and the caller treats it as
//! unknown.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use super::evaluator::{Evaluator, MAX_CHAIN, is_library};
use super::syntax::{class_bases, find_class, is_name};
use crate::interpreter::Names;
use crate::interpreter::python::{relative_module, runtime_statements};
use crate::value::Value;

/// The value `path` names in the project's modules
/// (`myapp.models.ID_LEN`, `myapp.models.Run.__tablename__`), when it is
/// a value rather than a module, class or function.
pub(crate) fn resolve_project_path<'a, E: Evaluator<'a>>(ev: &mut E, path: &str) -> Option<Value> {
    if ev.modules().is_empty() || is_library(path) || path.starts_with('.') {
        return None;
    }
    if let Some(known) = ev.names().resolved.get(path) {
        return known.clone();
    }
    if ev.names().resolving.len() >= MAX_CHAIN
        || ev.names().resolving.iter().any(|seen| seen == path)
    {
        return None;
    }
    ev.names().resolving.push(path.to_owned());
    let value = resolve_uncached(ev, path);
    ev.names().resolving.pop();
    ev.names().resolved.insert(path.to_owned(), value.clone());
    value
}

fn resolve_uncached<'a, E: Evaluator<'a>>(ev: &mut E, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let modules = ev.modules();
    // The longest prefix that is a module of the project holds the name.
    for split in (1..parts.len()).rev() {
        let module = parts[..split].join(".");
        let Some(body) = modules.module(&module) else {
            continue;
        };
        let rest: Vec<String> = parts[split..]
            .iter()
            .map(|part| (*part).to_owned())
            .collect();
        return resolve_in_module(ev, &module, body, &rest);
    }
    None
}

fn resolve_in_module<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    rest: &[String],
) -> Option<Value> {
    let globals = module_globals(ev, module, body);
    let first = rest.first()?;
    let Some(value) = globals.get(first.as_str()) else {
        return lazy_export(ev, module, body, rest);
    };
    match value {
        Value::Path(target) if *target == format!("{module}.{first}") => {
            // Defined here: a class (or a function, which is no value).
            let class = find_class(body, first)?;
            match rest {
                [_, attribute] => class_attribute(ev, module, body, class, attribute),
                _ => None,
            }
        }
        Value::Path(target) => {
            let mut full = target.clone();
            for part in &rest[1..] {
                full.push('.');
                full.push_str(part);
            }
            resolve_project_path(ev, &full)
        }
        Value::Unknown(_) => None,
        Value::Opaque(_) if rest.len() > 1 => None,
        concrete => {
            // `Base.metadata` where `Base = declarative_base(...)`.
            let mut value = concrete.clone();
            for part in &rest[1..] {
                value = ev.attribute(value, part);
            }
            (!value.is_unknown()).then_some(value)
        }
    }
}

/// PEP 562: a module whose `__getattr__` imports names lazily from the
/// modules a literal table names (`{"ID_LEN": "airflow.models.base"}`).
fn lazy_export<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    rest: &[String],
) -> Option<Value> {
    let name = rest.first()?;
    let has_getattr = body.iter().any(
        |statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == "__getattr__"),
    );
    if !has_getattr {
        return None;
    }
    let globals = module_globals(ev, module, body);
    let target = globals.values().find_map(|value| match value {
        Value::Dict(items) => items.iter().find_map(|(key, target)| {
            (key.as_str() == Some(name.as_str()))
                .then(|| target.as_str().map(str::to_owned))
                .flatten()
        }),
        _ => None,
    })?;
    let target = target.replace(':', ".");
    let mut candidates = vec![format!("{target}.{name}"), target];
    for candidate in &mut candidates {
        for part in &rest[1..] {
            candidate.push('.');
            candidate.push_str(part);
        }
    }
    candidates
        .into_iter()
        .find_map(|candidate| resolve_project_path(ev, &candidate))
}

/// The module-level names of `module`, evaluated once per run.
pub(crate) fn module_globals<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
) -> Rc<Names> {
    if let Some(globals) = ev.names().globals.get(module) {
        return globals.clone();
    }
    // A module that imports itself, through others, sees nothing yet.
    ev.names()
        .globals
        .insert(module.to_owned(), Rc::new(HashMap::new()));
    let package = package_of(ev, module);
    let mut globals = HashMap::new();
    ev.in_module(package, HashMap::new(), |run| {
        for statement in runtime_statements(body) {
            match statement {
                Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
                | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                    globals.insert(name.to_string(), Value::Path(format!("{module}.{name}")));
                }
                Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                    run.execute_quietly(statement, &mut globals);
                }
                _ => {}
            }
        }
    });
    let globals = Rc::new(globals);
    ev.names()
        .globals
        .insert(module.to_owned(), globals.clone());
    globals
}

pub(crate) fn eval_in_module<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    expr: &'a Expr,
) -> Value {
    let globals = (*module_globals(ev, module, body)).clone();
    let package = package_of(ev, module);
    ev.in_module(package, globals, |run| {
        let mut locals = HashMap::new();
        run.eval_quietly(expr, &mut locals)
    })
}

pub(crate) fn package_of<'a, E: Evaluator<'a>>(ev: &E, module: &str) -> String {
    if ev.modules().is_package(module) {
        module.to_owned()
    } else {
        module
            .rsplit_once('.')
            .map_or(String::new(), |(package, _)| package.to_owned())
    }
}

/// Where the name `path` is defined, following the imports that
/// re-export it (`app.models.Base` is `app.models.base.Base`).
pub(crate) fn canonical_path<'a, E: Evaluator<'a>>(ev: &mut E, path: &str) -> String {
    let mut path = path.to_owned();
    for _ in 0..MAX_CHAIN {
        let Some((module, name)) = path.rsplit_once('.') else {
            break;
        };
        let modules = ev.modules();
        let Some(body) = modules.module(module) else {
            break;
        };
        let globals = module_globals(ev, module, body);
        match globals.get(name) {
            Some(Value::Path(target)) if *target != path && !is_library(target) => {
                path = target.clone();
            }
            _ => break,
        }
    }
    path
}

/// The definition of the project's class at `path`, following imports.
pub(crate) fn find_project_class<'a, E: Evaluator<'a>>(
    ev: &mut E,
    path: &str,
) -> Option<(String, &'a [Stmt], &'a ast::StmtClassDef)> {
    let mut path = path.to_owned();
    for _ in 0..MAX_CHAIN {
        if is_library(&path) {
            return None;
        }
        let (module, name) = path.rsplit_once('.')?;
        let modules = ev.modules();
        let body = modules.module(module)?;
        if let Some(class) = find_class(body, name) {
            return Some((module.to_owned(), body, class));
        }
        let globals = module_globals(ev, module, body);
        match globals.get(name) {
            Some(Value::Path(target)) if *target != path => path = target.clone(),
            _ => return None,
        }
    }
    None
}

/// Calls `function` of the project's own `module` (a helper imported from
/// outside the file being read), when its source can be found.
pub(crate) fn call_project_function<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    function: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Option<Value> {
    let modules = ev.modules();
    if modules.is_empty() {
        return None;
    }
    let body = modules.module(module)?;
    ev.call_module_function(module, body, function, args, kwargs, range)
}

/// `module` and the project modules it imports, transitively (at most
/// `limit`), in the order they are met.
pub(crate) fn project_modules_from<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    limit: usize,
) -> Vec<String> {
    let mut found = vec![module.to_owned()];
    let mut at = 0;
    while at < found.len() && found.len() < limit {
        let current = found[at].clone();
        at += 1;
        let Some(body) = ev.modules().module(&current) else {
            continue;
        };
        let package = package_of(ev, &current);
        for statement in body {
            let imported: Vec<String> = match statement {
                Stmt::ImportFrom(import) => {
                    let base = import
                        .module
                        .as_ref()
                        .map(|name| name.to_string())
                        .unwrap_or_default();
                    let base = if import.level == 0 {
                        base
                    } else {
                        relative_module(&package, import.level, &base)
                    };
                    let mut names = vec![base.clone()];
                    names.extend(
                        import
                            .names
                            .iter()
                            .map(|alias| format!("{base}.{}", alias.name)),
                    );
                    names
                }
                Stmt::Import(import) => import
                    .names
                    .iter()
                    .map(|alias| alias.name.to_string())
                    .collect(),
                _ => continue,
            };
            for name in imported {
                if is_library(&name) || found.contains(&name) || found.len() >= limit {
                    continue;
                }
                if ev.modules().module(&name).is_some() {
                    found.push(name);
                }
            }
        }
    }
    found
}

/// `Class.attribute`, from the class body or, failing that, its bases.
pub(crate) fn class_attribute<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    class: &'a ast::StmtClassDef,
    attribute: &str,
) -> Option<Value> {
    for statement in class.body.iter().rev() {
        let value = match statement {
            Stmt::Assign(assign)
                if assign
                    .targets
                    .iter()
                    .any(|target| is_name(target, attribute)) =>
            {
                &assign.value
            }
            Stmt::AnnAssign(ast::StmtAnnAssign {
                target,
                value: Some(value),
                ..
            }) if is_name(target, attribute) => value,
            // A property or `declared_attr`: computed at run time.
            Stmt::FunctionDef(def) if def.name.as_str() == attribute => return None,
            _ => continue,
        };
        return match eval_in_module(ev, module, body, value) {
            Value::Unknown(_) => None,
            // A model's column: what `ForeignKey(column=...)` and
            // `Index(...)` take it for.
            Value::Column(spec) if attribute != "__tablename__" => {
                match class_attribute(ev, module, body, class, "__tablename__") {
                    Some(Value::Str(table)) => Some(Value::MappedColumn {
                        table,
                        column: spec.name.clone().unwrap_or_else(|| attribute.to_owned()),
                    }),
                    _ => Some(Value::Column(spec)),
                }
            }
            known => Some(known),
        };
    }
    // A declarative base may give its metadata through its registry
    // (`registry = registry(metadata=MetaData(...))`).
    if attribute == "metadata"
        && let Some(metadata @ Value::MetaData(_)) =
            class_attribute(ev, module, body, class, "registry")
    {
        return Some(metadata);
    }
    let mut declarative = false;
    for base in class_bases(class) {
        match eval_in_module(ev, module, body, base) {
            Value::Path(base) if !is_library(&base) => {
                if let Some(value) = resolve_project_path(ev, &format!("{base}.{attribute}")) {
                    return Some(value);
                }
            }
            Value::Path(base) => {
                declarative |= base.rsplit('.').next() == Some("DeclarativeBase");
            }
            _ => {}
        }
    }
    // SQLAlchemy's `DeclarativeBase` makes a plain `MetaData()`.
    (declarative && attribute == "metadata").then(|| Value::MetaData(Vec::new()))
}
