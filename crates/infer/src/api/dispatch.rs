//! What names, attributes and calls mean beyond Python: the [`Host`] of
//! migration files. A dotted name's call goes to the room of its API
//! (Python's builtins, alembic's `op` and `context`, SQLAlchemy, the
//! project's own modules); a method goes to the room of its receiver.
//! The interpreter's questions from the resolver are answered here too.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use crate::api::attributes::{ALEMBIC_CONFIG, LOGGER, SESSION, attribute};
use crate::api::builtins::{builtin, dict_method, list_method, string_method};
use crate::api::connection::{config_method, connection_method, context_function, session_method};
use crate::api::host::{Migration, Run};
use crate::api::inspector::{dialect_method, inspector_call};
use crate::api::op::op_call;
use crate::api::sqlalchemy::{project_types_in, sqlalchemy_call, type_method};
use crate::apply::BatchStart;
use crate::interpreter::{Host, Interpreter, Names};
use crate::keys::table_key;
use crate::modules::ModuleCache;
use crate::operation::{Operation, UnknownOperation};
use crate::resolver::{
    Evaluator, ProjectNames, call_instance_method, call_project_function, instantiate,
    project_type, resolve_project_path,
};
use crate::value::{Instance, TypeSpec, Value};

/// Calls with no effect on the schema at statement level.
const HARMLESS_ROOTS: &[&str] = &[
    "print", "logging", "logger", "log", "LOGGER", "LOG", "warnings", "time", "sys",
];

impl<'a> Host<'a> for Migration<'a> {
    /// A batch block that rebuilds its table: the table, and what it held
    /// when the block began.
    type Exit = (String, BatchStart);

    fn resolve(run: &mut Run<'a>, path: &str) -> Option<Value> {
        resolve_project_path(run, path)
    }

    fn attribute(run: &mut Run<'a>, base: Value, name: &str) -> Value {
        attribute(run, base, name)
    }

    /// A call of the function or class a dotted name stands for, by its API.
    fn call_path(
        run: &mut Run<'a>,
        path: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        if let Some(name) = path.strip_prefix("builtins.") {
            return builtin(name, &args, &kwargs);
        }
        if let Some(operation) = path.strip_prefix("alembic.op.") {
            return op_call(run, None, operation, args, kwargs, range);
        }
        if let Some(function) = path.strip_prefix("alembic.context.") {
            return context_function(run, function, &args, &kwargs, range);
        }
        let last = path.rsplit('.').next().unwrap_or(path);
        if path.starts_with("sqlalchemy") || path.starts_with("sqlmodel") {
            let args = project_types_in(run, args);
            let kwargs = kwargs
                .into_iter()
                .map(|(key, value)| (key, project_types_in(run, vec![value]).remove(0)))
                .collect();
            return sqlalchemy_call(last, path, args, kwargs);
        }
        let root = path.split('.').next().unwrap_or(path);
        if matches!(last, "getLogger" | "get_logger") {
            return Value::Opaque(LOGGER.to_owned());
        }
        if HARMLESS_ROOTS.contains(&root) || root.is_empty() {
            return Value::None;
        }
        call_project_path(run, path, last, args, kwargs, range)
    }

    /// A call of a method of `base`, by the kind of object it is.
    fn call_method(
        run: &mut Run<'a>,
        base: Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        match base {
            Value::Batch { table, schema, .. } => {
                op_call(run, Some((table, schema)), name, args, kwargs, range)
            }
            Value::Inspector => inspector_call(run, name, &args, &kwargs),
            Value::Type(spec) => type_method(run, spec, name, args, kwargs),
            Value::Instance(instance) => {
                call_instance_method(run, *instance, name, args, kwargs, range)
            }
            Value::Dialect => dialect_method(run, name, args, kwargs),
            Value::Bind | Value::Context => connection_method(run, name, &args, &kwargs, range),
            Value::Str(text) => string_method(&text, name, &args, &kwargs),
            Value::Opaque(what) if what == SESSION => {
                session_method(run, name, &args, &kwargs, range)
            }
            Value::Opaque(what) if what == LOGGER => Value::None,
            Value::Opaque(what) if what == ALEMBIC_CONFIG => {
                config_method(run, name, &args, &kwargs)
            }
            Value::MetaData(_) if name == "reflect" => Value::None,
            // `registry(metadata=...).generate_base()`: a base with that metadata.
            Value::MetaData(entries) if name == "generate_base" => Value::MetaData(entries),
            Value::Dict(items) => dict_method(items, name, &args),
            Value::List(items) => list_method(&items, name, &args),
            _ => Value::Unknown(String::new()),
        }
    }

    fn enter(run: &mut Run<'a>, value: &Value) -> Option<Self::Exit> {
        let Value::Batch {
            table,
            schema,
            rebuilt: true,
        } = value
        else {
            return None;
        };
        let key = table_key(table, schema.as_deref());
        let start = run.host.applier.batch_start(&key);
        Some((key, start))
    }

    fn exit(run: &mut Run<'a>, (key, start): Self::Exit) {
        run.host.applier.recreate_batch_indexes(&key, start);
    }

    fn record_unknown(&mut self, line: usize, unknown: &UnknownOperation) {
        self.applier.line = line;
        self.applier.record(Operation::Unknown(unknown.clone()));
    }

    fn effects(&self) -> usize {
        self.applier.log.len()
    }

    fn forget_effects_after(&mut self, kept: usize) {
        self.applier.log.truncate(kept);
    }
}

/// A call of something of the project's own modules: a helper function,
/// a column type, or a class to instantiate.
fn call_project_path(
    run: &mut Run<'_>,
    path: &str,
    last: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    range: TextRange,
) -> Value {
    let is_class = last.chars().next().is_some_and(char::is_uppercase);
    if let Some((module, function)) = path.rsplit_once('.')
        && !is_class
        && let Some(value) =
            call_project_function(run, module, function, args.clone(), kwargs.clone(), range)
    {
        return value;
    }
    if is_class {
        if let Some(spec) = project_type(run, path, &args, &kwargs) {
            return Value::Type(spec);
        }
        if let Some(object) = instantiate(run, path, args.clone(), kwargs.clone(), range) {
            return object;
        }
        // A class of the application we cannot see through: as a column
        // type it is `other`, which is not compared.
        return Value::Type(TypeSpec {
            name: last.to_owned(),
            known_module: false,
            args,
            kwargs,
        });
    }
    Value::Unknown(format!("calls {path}, which is defined outside the file"))
}

impl<'a> Evaluator<'a> for Run<'a> {
    fn modules(&self) -> &'a ModuleCache {
        self.host.modules
    }

    fn names(&mut self) -> &mut ProjectNames {
        &mut self.host.names
    }

    fn in_module<T>(
        &mut self,
        package: String,
        globals: Names,
        work: impl FnOnce(&mut Self) -> T,
    ) -> T {
        Interpreter::in_module(self, package, globals, work)
    }

    fn execute_quietly(&mut self, statement: &'a Stmt, locals: &mut Names) {
        Interpreter::execute_quietly(self, statement, locals);
    }

    fn eval_quietly(&mut self, expr: &'a Expr, locals: &mut Names) -> Value {
        Interpreter::eval_quietly(self, expr, locals)
    }

    fn run_body_quietly(&mut self, body: &'a [Stmt], locals: &mut Names) -> Option<Value> {
        Interpreter::run_body_quietly(self, body, locals)
    }

    fn call_def_keeping(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> (Value, Names) {
        Interpreter::call_def_keeping(self, function, args, kwargs, range)
    }

    fn call_module_function(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        function: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Option<Value> {
        Interpreter::call_module_function(self, module, body, function, args, kwargs, range)
    }

    fn attribute(&mut self, base: Value, name: &str) -> Value {
        attribute(self, base, name)
    }

    fn set_current_class(&mut self, class: Option<String>) -> Option<String> {
        std::mem::replace(&mut self.current_class, class)
    }

    fn set_changed_object(&mut self, object: Option<Instance>) {
        self.changed_object = object;
    }
}
