//! What the resolver may ask of the interpreter, and what it remembers of
//! the project's modules within one run.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use crate::interpreter::Names;
use crate::modules::ModuleCache;
use crate::value::{Instance, Value};

/// Top-level modules that are never the project's own.
const LIBRARY_ROOTS: &[&str] = &[
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "builtins",
    "typing",
    "typing_extensions",
    "abc",
    "collections",
    "contextlib",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "logging",
    "math",
    "os",
    "pathlib",
    "random",
    "re",
    "string",
    "sys",
    "textwrap",
    "time",
    "uuid",
    "warnings",
];

/// How many names may be chased through one another (imports of imports,
/// base classes of base classes).
pub(crate) const MAX_CHAIN: usize = 12;

/// What one run has learned of the project's modules.
#[derive(Default)]
pub(crate) struct ProjectNames {
    pub(crate) globals: HashMap<String, Rc<Names>>,
    pub(crate) resolved: HashMap<String, Option<Value>>,
    pub(crate) resolving: Vec<String>,
}

/// Whether `path` names something of a library rather than of the project.
pub(crate) fn is_library(path: &str) -> bool {
    let root = path.split('.').next().unwrap_or(path);
    root.is_empty() || LIBRARY_ROOTS.contains(&root)
}

/// The evaluation a resolver needs: running a module's statements and a
/// class's methods in that module's scope, quietly. The interpreter
/// answers it; the resolver sees nothing else of it.
pub(crate) trait Evaluator<'a>: Sized {
    /// The project's modules.
    fn modules(&self) -> &'a ModuleCache;
    /// What this run has learned of them.
    fn names(&mut self) -> &mut ProjectNames;
    /// Runs `work` with `globals` as the module's names and `package` for
    /// relative imports, then restores the scope.
    fn in_module<T>(
        &mut self,
        package: String,
        globals: Names,
        work: impl FnOnce(&mut Self) -> T,
    ) -> T;
    fn execute_quietly(&mut self, statement: &'a Stmt, locals: &mut Names);
    fn eval_quietly(&mut self, expr: &'a Expr, locals: &mut Names) -> Value;
    fn run_body_quietly(&mut self, body: &'a [Stmt], locals: &mut Names) -> Option<Value>;
    /// Runs a function definition with its arguments bound; what it
    /// returns and its locals as they ended.
    fn call_def_keeping(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> (Value, Names);
    /// Calls `function` of `module` (statements `body`).
    fn call_module_function(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        function: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Option<Value>;
    /// `base.name`.
    fn attribute(&mut self, base: Value, name: &str) -> Value;
    /// The class whose method runs (for `super()`); the one before.
    fn set_current_class(&mut self, class: Option<String>) -> Option<String>;
    /// The object as the method that just returned left it.
    fn set_changed_object(&mut self, object: Option<Instance>);
}
