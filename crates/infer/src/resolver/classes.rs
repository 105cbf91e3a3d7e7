//! The project's classes: attributes of its models (`Run.__tablename__`),
//! their ancestry, a class body as Python builds it, and objects of its
//! classes with their methods run.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use super::evaluator::{Evaluator, MAX_CHAIN, is_library};
use super::names::{
    canonical_path, eval_in_module, find_project_class, module_globals, package_of,
};
use super::syntax::class_bases;
use crate::value::{Instance, TypeSpec, Value};

/// One class of a model's ancestry: its dotted path and, for the
/// project's own classes, their module and definition.
pub(crate) struct ChainLink<'a> {
    pub path: String,
    pub class: Option<(String, &'a ast::StmtClassDef)>,
}

/// The class at `path` and its bases, depth first, each once. Bases
/// that are not classes of the project (a library class, the value of
/// `declarative_base()`) are links without a definition.
pub(crate) fn class_chain<'a, E: Evaluator<'a>>(ev: &mut E, path: &str) -> Vec<ChainLink<'a>> {
    let mut chain: Vec<ChainLink<'a>> = Vec::new();
    let mut pending = vec![path.to_owned()];
    while let Some(path) = pending.pop() {
        if chain.iter().any(|link| link.path == path) || chain.len() >= MAX_CHAIN * 4 {
            continue;
        }
        let Some((module, body, class)) = find_project_class(ev, &path) else {
            chain.push(ChainLink { path, class: None });
            continue;
        };
        let bases: Vec<String> = class_bases(class)
            .filter_map(|base| match eval_in_module(ev, &module, body, base) {
                Value::Path(base) => Some(base),
                // A base that is a value (`Base = declarative_base()`)
                // is known by where it is bound.
                _ => match base {
                    Expr::Name(name) => Some(canonical_path(ev, &format!("{module}.{}", name.id))),
                    _ => None,
                },
            })
            .collect();
        chain.push(ChainLink {
            path,
            class: Some((module, class)),
        });
        // Depth first, left to right, as Python's MRO mostly is.
        pending.extend(bases.into_iter().rev());
    }
    chain
}

/// A class body evaluated as Python runs it, in its module: each
/// attribute's value and the order it was first bound in. Columns
/// declared by annotation alone (`name: Mapped[str]`) or whose type is
/// the annotation's (`mapped_column(index=True)`) get it from there.
pub(crate) fn class_namespace<'a, E: Evaluator<'a>>(
    ev: &mut E,
    module: &str,
    body: &'a [Stmt],
    class: &'a ast::StmtClassDef,
) -> ClassNamespace {
    let globals = (*module_globals(ev, module, body)).clone();
    let package = package_of(ev, module);
    ev.in_module(package, globals, |run| {
        let mut locals = HashMap::new();
        let mut order: HashMap<String, usize> = HashMap::new();
        for statement in &class.body {
            let mut bound: Vec<String> = Vec::new();
            match statement {
                Stmt::Assign(assign) => {
                    run.execute_quietly(statement, &mut locals);
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            bound.push(name.id.to_string());
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    let Expr::Name(name) = assign.target.as_ref() else {
                        continue;
                    };
                    let name = name.id.to_string();
                    let mapped = mapped_annotation(&assign.annotation);
                    let value = match &assign.value {
                        Some(value) => run.eval_quietly(value, &mut locals),
                        None if mapped.is_some() => Value::Column(Box::default()),
                        None => continue,
                    };
                    let value = match (value, mapped) {
                        (Value::Column(mut column), Some((annotated, optional))) => {
                            if column.type_spec.is_none() {
                                column.type_spec = annotated.or_else(|| {
                                    Some(TypeSpec {
                                        name: "unknown".to_owned(),
                                        known_module: false,
                                        args: Vec::new(),
                                        kwargs: Vec::new(),
                                    })
                                });
                            }
                            if column.nullable.is_none() && !column.primary_key {
                                column.nullable = Some(optional);
                            }
                            Value::Column(column)
                        }
                        (value, _) => value,
                    };
                    locals.insert(name.clone(), value);
                    bound.push(name);
                }
                _ => {}
            }
            for name in bound {
                let next = order.len();
                order.entry(name).or_insert(next);
            }
        }
        locals
            .into_iter()
            .map(|(name, value)| {
                let at = order.get(&name).copied();
                (name, (value, at))
            })
            .collect()
    })
}

/// `Class(args)` for a class of the project that is no column type: an
/// object, with its `__init__` run.
pub(crate) fn instantiate<'a, E: Evaluator<'a>>(
    ev: &mut E,
    path: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Option<Value> {
    if ev.modules().is_empty() || is_library(path) {
        return None;
    }
    let (module, _, _) = find_project_class(ev, path)?;
    let class = format!("{module}.{}", path.rsplit('.').next().unwrap_or(path));
    let instance = Value::Instance(Box::new(Instance {
        class,
        attributes: Vec::new(),
        after: None,
    }));
    let Value::Instance(instance) = instance else {
        return None;
    };
    match run_method(ev, *instance.clone(), "__init__", args, kwargs, range) {
        Some((_, Some(initialised))) => Some(Value::Instance(Box::new(initialised))),
        // No `__init__` of the project's: the object as it is.
        _ => Some(Value::Instance(instance)),
    }
}

/// `object.name(args)`.
pub(crate) fn call_instance_method<'a, E: Evaluator<'a>>(
    ev: &mut E,
    instance: Instance,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    match run_method(ev, instance, name, args, kwargs, range) {
        Some((value, _)) => value,
        None => Value::Unknown(format!(
            "calls the method {name}, which is not found in the project's classes"
        )),
    }
}

/// Runs the method `name` found on the instance's class (or after the
/// class a `super()` names); what it returns and `self` as it ended.
fn run_method<'a, E: Evaluator<'a>>(
    ev: &mut E,
    instance: Instance,
    name: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Option<(Value, Option<Instance>)> {
    let chain = class_chain(ev, &instance.class);
    let start = match &instance.after {
        Some(after) => chain.iter().position(|link| link.path == *after)? + 1,
        None => 0,
    };
    let (class_path, module, method) = chain[start..].iter().find_map(|link| {
        let (module, class) = link.class.as_ref()?;
        class.body.iter().find_map(|statement| match statement {
            Stmt::FunctionDef(def) if def.name.as_str() == name => {
                Some((link.path.clone(), module.clone(), def))
            }
            _ => None,
        })
    })?;
    let modules = ev.modules();
    let body = modules.module(&module)?;
    let globals = (*module_globals(ev, &module, body)).clone();
    let package = package_of(ev, &module);
    let this = Instance {
        after: None,
        ..instance
    };
    let mut positional = vec![Value::Instance(Box::new(this))];
    positional.extend(args);
    let saved_class = ev.set_current_class(Some(class_path));
    let (value, locals) = ev.in_module(package, globals, |run| {
        run.call_def_keeping(method, positional, kwargs, range)
    });
    ev.set_current_class(saved_class);
    let first = method
        .parameters
        .args
        .first()
        .map(|parameter| parameter.parameter.name.to_string());
    let after = first.and_then(|first| match locals.get(&first) {
        Some(Value::Instance(instance)) => Some((**instance).clone()),
        _ => None,
    });
    ev.set_changed_object(after.clone());
    Some((value, after))
}

/// The Python type of a `Mapped[...]` annotation as SQLAlchemy's default
/// type map makes it a column type, and whether it is optional.
pub(crate) fn mapped_annotation(annotation: &Expr) -> Option<(Option<TypeSpec>, bool)> {
    let Expr::Subscript(subscript) = annotation else {
        return None;
    };
    let outer = dotted(&subscript.value)?;
    if outer.rsplit('.').next() != Some("Mapped") {
        return None;
    }
    let (inner, optional) = unwrap_optional(&subscript.slice);
    let name = dotted(inner)?;
    let sa_type = match name.rsplit('.').next().unwrap_or(&name) {
        "int" => Some("Integer"),
        "str" => Some("String"),
        "bool" => Some("Boolean"),
        "float" => Some("Float"),
        "bytes" => Some("LargeBinary"),
        "Decimal" => Some("Numeric"),
        "datetime" => Some("DateTime"),
        "date" => Some("Date"),
        "time" => Some("Time"),
        "timedelta" => Some("Interval"),
        "UUID" => Some("Uuid"),
        _ => None,
    };
    Some((
        sa_type.map(|name| TypeSpec {
            name: name.to_owned(),
            known_module: true,
            args: Vec::new(),
            kwargs: Vec::new(),
        }),
        optional,
    ))
}

fn unwrap_optional(expr: &Expr) -> (&Expr, bool) {
    match expr {
        Expr::Subscript(subscript)
            if dotted(&subscript.value).is_some_and(|name| name.ends_with("Optional")) =>
        {
            (&subscript.slice, true)
        }
        Expr::BinOp(binary) if matches!(binary.right.as_ref(), Expr::NoneLiteral(_)) => {
            (&binary.left, true)
        }
        Expr::BinOp(binary) if matches!(binary.left.as_ref(), Expr::NoneLiteral(_)) => {
            (&binary.right, true)
        }
        other => (other, false),
    }
}

fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => {
            Some(format!("{}.{}", dotted(&attribute.value)?, attribute.attr))
        }
        Expr::StringLiteral(literal) => Some(literal.value.to_str().to_owned()),
        _ => None,
    }
}

/// The class namespace as Python builds it: each attribute's value and the
/// order it was first bound in.
pub(crate) type ClassNamespace = HashMap<String, (Value, Option<usize>)>;
