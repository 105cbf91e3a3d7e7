//! A small interpreter for the Python of `upgrade()`: enough of the
//! language that real migration files use (constants, string formatting,
//! lists, `for` over literal collections, helper functions of the same file,
//! conditionals on the dialect and on what the database holds) to follow
//! every `op.*` call and apply it to the expected schema.
//!
//! Whatever cannot be known statically (a loop over a query result, a helper
//! imported from the application, a condition on data) becomes an
//! [`UnknownOperation`] with its file, line and text; it is never silently
//! dropped, and the branches it guards are not guessed.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::apply::Applier;
use crate::keys::table_key;
use crate::modules::ModuleCache;
use crate::naming::NamingConvention;
use crate::operation::{DataStep, Operation, OperationAt, UnknownOperation};
use crate::operations;
use crate::project::{ProjectNames, is_library};
use crate::states::ProjectSetup;
use crate::value::Value;
use migration_doctor_schema::{Dialect, Schema};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

/// How deep helper functions may call one another.
const MAX_DEPTH: usize = 32;
/// How many iterations one `for` may run.
const MAX_ITERATIONS: usize = 100_000;
/// How many statements, expressions and comprehension items one revision
/// file may evaluate in all, so that no file (nested loops, functions
/// calling themselves twice) can hang the tool: a real migration evaluates
/// a few tens of thousands.
const MAX_STEPS: u64 = 4_000_000;
/// The longest string a file may build (`"x" * 10**12` is no identifier).
const MAX_STRING: usize = 1 << 20;

/// What running one revision's `upgrade()` found.
#[derive(Debug, Clone, Default, PartialEq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct RevisionOutcome {
    /// Every operation, in order, unknown ones included.
    pub operations: Vec<OperationAt>,
    /// The unknown operations alone.
    pub unknown: Vec<UnknownOperation>,
    /// Tables an operation needed that no earlier revision made: the
    /// migrations assume them.
    pub assumed_tables: Vec<String>,
    /// Indexes (table, name) named by a naming convention that was not
    /// confirmed: their names are guesses.
    pub guessed_index_names: Vec<(String, String)>,
}

impl RevisionOutcome {
    /// Operations followed with certainty (schema changes and data steps).
    /// Operations followed: everything but unknown operations and data
    /// steps known by their look only (catch-alls); the honest share of a
    /// revision that is understood.
    pub fn understood(&self) -> usize {
        self.operations
            .iter()
            .filter(|at| match &at.operation {
                Operation::Unknown(_) => false,
                Operation::Data(step) => step.modelled,
                _ => true,
            })
            .count()
    }

    /// Operations not followed: unknown ones, and catch-all data steps.
    pub fn not_understood(&self) -> usize {
        self.operations.len() - self.understood()
    }

    pub fn data_steps(&self) -> impl Iterator<Item = &DataStep> {
        self.operations.iter().filter_map(|at| match &at.operation {
            Operation::Data(step) => Some(step),
            _ => None,
        })
    }

    /// Whether the revision moves data (it has at least one data step).
    pub fn has_data(&self) -> bool {
        self.data_steps().next().is_some()
    }

    /// Whether it changes any schema object we compare.
    pub fn changes_schema(&self) -> bool {
        self.operations
            .iter()
            .any(|at| at.operation.changes_schema())
    }
}

enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

pub struct Run<'a> {
    pub dialect: Dialect,
    path: &'a Path,
    source: &'a str,
    line_starts: Vec<usize>,
    pub(crate) globals: HashMap<String, Value>,
    pub(crate) functions: HashMap<String, &'a ast::StmtFunctionDef>,
    pub applier: Applier<'a>,
    pub outcome: RevisionOutcome,
    depth: usize,
    /// The project's own modules, for helpers a revision imports.
    pub(crate) modules: &'a ModuleCache,
    /// The package relative imports resolve against, while a project
    /// module's names are evaluated.
    pub(crate) package: Option<String>,
    pub(crate) project: ProjectNames,
    /// The project module being read (for a baseline), else empty.
    current_module: String,
    /// The ini's main section (`context.config.get_main_option`).
    pub(crate) main_options: Arc<Vec<(String, String)>>,
    /// The class whose method runs, for `super()`.
    pub(crate) current_class: Option<String>,
    /// The object as the method that just returned left it.
    pub(crate) changed_object: Option<crate::value::Instance>,
    /// The enclosing names of functions defined inside functions.
    closures: HashMap<usize, HashMap<String, Value>>,
    /// While a helper of another module runs: the call in the revision file
    /// that unknown operations are reported at.
    foreign_site: Option<TextRange>,
    /// What is left of [`MAX_STEPS`]; at zero the run unwinds.
    steps_left: u64,
    /// The lines already reported as unknown (one report per line).
    unknown_lines: std::collections::HashSet<usize>,
}

/// Runs `upgrade()` of one revision file against `schema`.
pub fn run_upgrade(
    path: &Path,
    source: &str,
    dialect: Dialect,
    schema: &mut Schema,
) -> RevisionOutcome {
    run_upgrade_in(path, source, dialect, schema, &ModuleCache::none())
}

/// Like [`run_upgrade`], also following helper functions that the revision
/// imports from the project's own modules, found under `roots` (as
/// `a/b.py` or `a/b/__init__.py` for `a.b`).
pub fn run_upgrade_in(
    path: &Path,
    source: &str,
    dialect: Dialect,
    schema: &mut Schema,
    modules: &ModuleCache,
) -> RevisionOutcome {
    run_upgrade_with(
        path,
        source,
        dialect,
        schema,
        modules,
        &ProjectSetup::default(),
    )
}

/// Like [`run_upgrade_in`], with what the project adds: unnamed
/// constraints and indexes named by its naming convention, and its ini's
/// options for `context.config.get_main_option(...)`.
pub fn run_upgrade_with(
    path: &Path,
    source: &str,
    dialect: Dialect,
    schema: &mut Schema,
    modules: &ModuleCache,
    setup: &ProjectSetup,
) -> RevisionOutcome {
    // `eval`/`execute` and sqlparser grow their stack on the heap when less
    // than this is left; the default (128 KiB) is less than one chain of
    // sqlparser's frames in a debug build (found by the short fuzz run).
    static STACK: std::sync::Once = std::sync::Once::new();
    STACK.call_once(|| {
        recursive::set_minimum_stack_size(1024 * 1024);
        recursive::set_stack_allocation_size(8 * 1024 * 1024);
    });
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    let body = &parsed.syntax().body;
    let mut run = Run::new(path, source, dialect, schema, modules);
    run.applier.naming = setup.naming.clone();
    run.main_options = setup.main_options.clone();
    // Module level: imports, constants and function definitions, in order.
    let mut module_locals = HashMap::new();
    for statement in body {
        match statement {
            Stmt::FunctionDef(function) => {
                run.functions.insert(function.name.id.to_string(), function);
                module_locals.insert(
                    function.name.id.to_string(),
                    Value::Function(function.name.id.to_string()),
                );
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                let mut quiet = run.quietly();
                quiet.execute(statement, &mut module_locals);
            }
            _ => {}
        }
    }
    run.globals = module_locals;
    if let Some(upgrade) = run.functions.get("upgrade").copied() {
        if upgrade.parameters.args.is_empty() && upgrade.parameters.posonlyargs.is_empty() {
            let mut locals = HashMap::new();
            run.block(&upgrade.body, &mut locals);
        } else {
            run.unknown(
                upgrade.range,
                "upgrade() takes arguments (a multi-database template)",
            );
        }
    }
    run.finish()
}

/// The naming convention of the `target_metadata` that `env.py` hands to
/// alembic (followed into the project's modules: `Base.metadata`, a
/// `MetaData(naming_convention=...)`); SQLAlchemy's default when it has
/// none, and that default unconfirmed when it cannot be followed.
pub fn env_naming_convention(path: &Path, source: &str, modules: &ModuleCache) -> NamingConvention {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    let mut scratch = Schema::default();
    let mut run = Run::new(path, source, Dialect::Sqlite, &mut scratch, modules);
    let mut globals = HashMap::new();
    for statement in crate::project::runtime_statements(&parsed.syntax().body) {
        if matches!(
            statement,
            Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::AnnAssign(_)
        ) {
            run.execute_quietly(statement, &mut globals);
        }
    }
    let metadata = match run.lookup("target_metadata", &globals) {
        Value::List(items) => items.into_iter().next().unwrap_or(Value::None),
        value => value,
    };
    match metadata {
        Value::MetaData(entries) => NamingConvention::from_entries(entries),
        // `target_metadata = None`: alembic's operations use SQLAlchemy's
        // default.
        Value::None => NamingConvention::default(),
        _ => NamingConvention::unconfirmed(),
    }
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        path: &'a Path,
        source: &'a str,
        dialect: Dialect,
        schema: &'a mut Schema,
        modules: &'a ModuleCache,
    ) -> Run<'a> {
        Run {
            dialect,
            path,
            source,
            line_starts: line_starts(source),
            globals: HashMap::new(),
            functions: HashMap::new(),
            applier: Applier::new(schema, dialect),
            outcome: RevisionOutcome::default(),
            depth: 0,
            modules,
            package: None,
            project: ProjectNames::default(),
            current_module: String::new(),
            main_options: Arc::default(),
            current_class: None,
            changed_object: None,
            closures: HashMap::new(),
            foreign_site: None,
            steps_left: MAX_STEPS,
            unknown_lines: std::collections::HashSet::new(),
        }
    }

    /// Spends one step; `false` when the file's budget is spent (the first
    /// time, at `range`, an unknown operation says so): the caller stops.
    fn step(&mut self, range: TextRange) -> bool {
        match self.steps_left {
            0 => false,
            1 => {
                self.steps_left = 0;
                self.unknown(
                    range,
                    &format!(
                        "the file runs more than {MAX_STEPS} steps (nested loops, or \
                         recursion?); migration-doctor follows no further"
                    ),
                );
                false
            }
            _ => {
                self.steps_left -= 1;
                true
            }
        }
    }

    pub(crate) fn current_module(&self) -> &str {
        &self.current_module
    }

    pub(crate) fn set_current_module(&mut self, module: &str) {
        self.current_module = module.to_owned();
    }

    /// From here on, lines and texts in messages are of `path`.
    pub(crate) fn enter_file(&mut self, path: &'a Path, source: &'a str) {
        self.path = path;
        self.source = source;
        self.line_starts = line_starts(source);
    }

    pub(crate) fn finish(mut self) -> RevisionOutcome {
        self.outcome.operations = std::mem::take(&mut self.applier.log);
        self.outcome.assumed_tables = std::mem::take(&mut self.applier.assumed)
            .into_iter()
            .collect();
        self.outcome.guessed_index_names = std::mem::take(&mut self.applier.guessed_index_names)
            .into_iter()
            .collect();
        self.outcome
    }

    /// Module-level statements run without recording unknowns: a module
    /// constant we cannot compute only matters if `upgrade()` uses it.
    fn quietly(&mut self) -> QuietRun<'_, 'a> {
        QuietRun { run: self }
    }

    fn line(&self, range: TextRange) -> usize {
        let range = self.foreign_site.unwrap_or(range);
        let offset = range.start().to_usize();
        self.line_starts.partition_point(|start| *start <= offset)
    }

    fn text(&self, range: TextRange) -> String {
        let range = self.foreign_site.unwrap_or(range);
        self.source
            .get(range.start().to_usize()..range.end().to_usize())
            .and_then(|text| text.lines().next())
            .unwrap_or("")
            .trim()
            .to_owned()
    }

    /// Drops the unknown operations recorded after the first `kept` (a
    /// quiet run's), so that their lines can be reported later.
    fn forget_unknowns_after(&mut self, kept: usize) {
        for unknown in self
            .outcome
            .unknown
            .drain(kept.min(self.outcome.unknown.len())..)
        {
            self.unknown_lines.remove(&unknown.line);
        }
    }

    /// Records something that could not be followed.
    pub fn unknown(&mut self, range: TextRange, reason: &str) {
        self.unknown_touching(range, reason, true);
    }

    /// Records code that cannot be followed but cannot change any table
    /// either (see [`UnknownOperation::touches_no_table`]).
    pub fn unknown_without_tables(&mut self, range: TextRange, reason: &str) {
        self.unknown_touching(range, reason, false);
    }

    fn unknown_touching(&mut self, range: TextRange, reason: &str, touches_tables: bool) {
        let line = self.line(range);
        if !self.unknown_lines.insert(line) {
            return;
        }
        let text = self.text(range);
        let unknown = UnknownOperation {
            path: self.path.to_path_buf(),
            line,
            text,
            reason: reason.to_owned(),
            names: self.names_in(range),
            touches_no_table: !touches_tables,
        };
        self.outcome.unknown.push(unknown.clone());
        self.applier.line = line;
        self.applier.record(Operation::Unknown(unknown));
    }

    /// Records a data step at `range`.
    pub fn data_step(&mut self, range: TextRange, step: DataStep) {
        self.applier.line = self.line(range);
        self.applier.record(Operation::Data(step));
    }

    /// Sets the line that the next applied operations are recorded at.
    pub fn at(&mut self, range: TextRange) {
        self.applier.line = self.line(range);
    }

    /// Identifier-like string literals in the source of `range` (the call
    /// site when a foreign helper runs): the tables an unknown operation
    /// may touch are among them.
    fn names_in(&self, range: TextRange) -> Vec<String> {
        let range = self.foreign_site.unwrap_or(range);
        let text = self
            .source
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("");
        let mut names = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((start, quote)) = chars.next() {
            if quote != '"' && quote != '\'' {
                continue;
            }
            let mut end = None;
            for (at, next) in chars.by_ref() {
                if next == quote {
                    end = Some(at);
                    break;
                }
                if next == '\n' {
                    break;
                }
            }
            let Some(end) = end else { continue };
            let literal = &text[start + 1..end];
            let identifier = !literal.is_empty()
                && literal
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if identifier && !names.iter().any(|name| name == literal) {
                names.push(literal.to_owned());
            }
        }
        names
    }

    fn block(&mut self, body: &'a [Stmt], locals: &mut HashMap<String, Value>) -> Flow {
        for statement in body {
            match self.execute(statement, locals) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    // Deeply nested code (helpers calling helpers, parser recovery's nested
    // definitions) grows the stack on the heap instead of overflowing it.
    #[recursive::recursive]
    fn execute(&mut self, statement: &'a Stmt, locals: &mut HashMap<String, Value>) -> Flow {
        if !self.step(statement.range()) {
            // Unwinds every loop and call up to `upgrade()`.
            return Flow::Return(Value::Unknown(String::new()));
        }
        match statement {
            Stmt::Expr(expression) => {
                if let Expr::Call(call) = expression.value.as_ref()
                    && let Some(flow) = self.list_mutation(call, locals)
                {
                    return flow;
                }
                let value = self.eval(&expression.value, locals);
                if let Value::Unknown(reason) = value
                    && !reason.is_empty()
                {
                    self.unknown(statement.range(), &reason);
                }
                Flow::Normal
            }
            Stmt::Assign(assign) => {
                let value = self.eval(&assign.value, locals);
                for target in &assign.targets {
                    self.bind(target, value.clone(), locals);
                }
                Flow::Normal
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let value = self.eval(value, locals);
                    self.bind(&assign.target, value, locals);
                }
                Flow::Normal
            }
            Stmt::AugAssign(assign) => {
                let current = self.eval(&assign.target, locals);
                let right = self.eval(&assign.value, locals);
                let value = binary(assign.op, current, right);
                self.bind(&assign.target, value, locals);
                Flow::Normal
            }
            Stmt::If(branch) => {
                let test = self.eval(&branch.test, locals);
                match test.truthy() {
                    Some(true) => return self.block(&branch.body, locals),
                    Some(false) => {}
                    None => {
                        self.unknown(
                            branch.range,
                            "a condition that depends on something only known at run time",
                        );
                        return Flow::Normal;
                    }
                }
                for clause in &branch.elif_else_clauses {
                    let taken = match &clause.test {
                        None => Some(true),
                        Some(test) => self.eval(test, locals).truthy(),
                    };
                    match taken {
                        Some(true) => return self.block(&clause.body, locals),
                        Some(false) => {}
                        None => {
                            self.unknown(
                                clause.range,
                                "a condition that depends on something only known at run time",
                            );
                            return Flow::Normal;
                        }
                    }
                }
                Flow::Normal
            }
            Stmt::For(for_loop) => {
                let iterable = self.eval(&for_loop.iter, locals);
                let Some(items) = iterate(&iterable) else {
                    self.unknown(for_loop.range, "a loop over values only known at run time");
                    return Flow::Normal;
                };
                for item in items.into_iter().take(MAX_ITERATIONS) {
                    self.bind(&for_loop.target, item, locals);
                    match self.block(&for_loop.body, locals) {
                        Flow::Break => return Flow::Normal,
                        Flow::Return(value) => return Flow::Return(value),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
                if !for_loop.orelse.is_empty() {
                    return self.block(&for_loop.orelse, locals);
                }
                Flow::Normal
            }
            Stmt::With(with) => {
                let mut rebuilt_tables = Vec::new();
                for item in &with.items {
                    let value = self.eval(&item.context_expr, locals);
                    if let Value::Batch {
                        table,
                        schema,
                        rebuilt: true,
                    } = &value
                    {
                        let key = self.table_key(table, schema.as_deref());
                        let start = self.applier.batch_start(&key);
                        rebuilt_tables.push((key, start));
                    }
                    if let Some(target) = &item.optional_vars {
                        self.bind(target, value, locals);
                    }
                }
                let flow = self.block(&with.body, locals);
                for (key, start) in rebuilt_tables {
                    self.applier.recreate_batch_indexes(&key, start);
                }
                flow
            }
            Stmt::Try(attempt) => {
                // The migration's intended path is the one without exceptions.
                let flow = self.block(&attempt.body, locals);
                if !matches!(flow, Flow::Normal) {
                    return flow;
                }
                let flow = self.block(&attempt.orelse, locals);
                if !matches!(flow, Flow::Normal) {
                    return flow;
                }
                self.block(&attempt.finalbody, locals)
            }
            Stmt::Return(ret) => Flow::Return(
                ret.value
                    .as_ref()
                    .map_or(Value::None, |value| self.eval(value, locals)),
            ),
            Stmt::Break(_) => Flow::Break,
            Stmt::Continue(_) => Flow::Continue,
            Stmt::FunctionDef(function) => {
                self.functions
                    .insert(function.name.id.to_string(), function);
                locals.insert(
                    function.name.id.to_string(),
                    Value::Function(function.name.id.to_string()),
                );
                if self.depth > 0 || !locals.is_empty() {
                    self.closures.insert(closure_key(function), locals.clone());
                }
                Flow::Normal
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let dotted = alias.name.as_str();
                    match &alias.asname {
                        Some(bound) => {
                            locals.insert(bound.to_string(), Value::Path(dotted.to_owned()));
                        }
                        None => {
                            let top = dotted.split('.').next().unwrap_or(dotted);
                            locals.insert(top.to_owned(), Value::Path(top.to_owned()));
                        }
                    }
                }
                Flow::Normal
            }
            Stmt::ImportFrom(import) => {
                let module = import
                    .module
                    .as_ref()
                    .map(|module| module.to_string())
                    .unwrap_or_default();
                let module = match (import.level, &self.package) {
                    (0, _) => module,
                    // Relative to the package of the module being read.
                    (level, Some(package)) => {
                        crate::project::relative_module(package, level, &module)
                    }
                    (level, None) => format!("{}{module}", ".".repeat(level as usize)),
                };
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    locals.insert(bound, Value::Path(format!("{module}.{}", alias.name)));
                }
                Flow::Normal
            }
            Stmt::Pass(_)
            | Stmt::Assert(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Delete(_) => Flow::Normal,
            Stmt::Raise(_) => Flow::Return(Value::None),
            Stmt::ClassDef(_) => Flow::Normal,
            _ => {
                self.unknown(
                    statement.range(),
                    "a statement migration-doctor does not interpret",
                );
                Flow::Normal
            }
        }
    }

    /// `names.append(x)` / `names.extend(xs)` on a local list.
    fn list_mutation(
        &mut self,
        call: &'a ast::ExprCall,
        locals: &mut HashMap<String, Value>,
    ) -> Option<Flow> {
        let Expr::Attribute(attribute) = call.func.as_ref() else {
            return None;
        };
        let Expr::Name(name) = attribute.value.as_ref() else {
            return None;
        };
        let method = attribute.attr.as_str();
        if !matches!(method, "append" | "extend" | "insert") {
            return None;
        }
        let current = locals
            .get(name.id.as_str())
            .cloned()
            .or_else(|| self.globals.get(name.id.as_str()).cloned())?;
        let Value::List(mut items) = current else {
            return None;
        };
        let args: Vec<Value> = call
            .arguments
            .args
            .iter()
            .map(|arg| self.eval(arg, locals))
            .collect();
        match (method, args.as_slice()) {
            ("append", [value]) => items.push(value.clone()),
            ("extend", [Value::List(more)]) => items.extend(more.iter().cloned()),
            ("insert", [Value::Int(at), value]) => {
                let at = usize::try_from(*at).unwrap_or(0).min(items.len());
                items.insert(at, value.clone());
            }
            _ => {
                locals.insert(name.id.to_string(), Value::Unknown(String::new()));
                return Some(Flow::Normal);
            }
        }
        locals.insert(name.id.to_string(), Value::List(items));
        Some(Flow::Normal)
    }

    fn bind(&mut self, target: &'a Expr, value: Value, locals: &mut HashMap<String, Value>) {
        match target {
            Expr::Name(name) => {
                locals.insert(name.id.to_string(), value);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let items = iterate(&value).filter(|items| items.len() == elts.len());
                for (at, element) in elts.iter().enumerate() {
                    let item = items
                        .as_ref()
                        .and_then(|items| items.get(at).cloned())
                        .unwrap_or_else(|| Value::Unknown(String::new()));
                    self.bind(element, item, locals);
                }
            }
            // `self.name = value` in a method of a project class.
            Expr::Attribute(attribute) => {
                if let Expr::Name(owner) = attribute.value.as_ref()
                    && let Some(Value::Instance(instance)) = locals.get_mut(owner.id.as_str())
                {
                    let name = attribute.attr.to_string();
                    instance.attributes.retain(|(known, _)| *known != name);
                    instance.attributes.push((name, value));
                }
            }
            _ => {}
        }
    }

    fn lookup(&mut self, name: &str, locals: &HashMap<String, Value>) -> Value {
        if let Some(value) = locals.get(name).or_else(|| self.globals.get(name)) {
            if let Value::Path(path) = value
                && !is_library(path)
            {
                let path = path.clone();
                return self
                    .resolve_project_path(&path)
                    .unwrap_or(Value::Path(path));
            }
            return value.clone();
        }
        match name {
            "len" | "range" | "str" | "int" | "list" | "tuple" | "set" | "sorted" | "enumerate"
            | "zip" | "any" | "all" | "print" | "dict" | "isinstance" | "globals" | "reversed"
            | "bool" => Value::Path(format!("builtins.{name}")),
            _ => Value::Unknown(format!("`{name}` is not defined in the file")),
        }
    }

    #[recursive::recursive]
    pub fn eval(&mut self, expr: &'a Expr, locals: &mut HashMap<String, Value>) -> Value {
        if !self.step(expr.range()) {
            return Value::Unknown(String::new());
        }
        match expr {
            Expr::StringLiteral(literal) => Value::Str(literal.value.to_str().to_owned()),
            Expr::NoneLiteral(_) => Value::None,
            Expr::BooleanLiteral(literal) => Value::Bool(literal.value),
            Expr::NumberLiteral(number) => match &number.value {
                ast::Number::Int(int) => int
                    .as_i64()
                    .map_or(Value::Unknown(String::new()), Value::Int),
                ast::Number::Float(float) => Value::Float(*float),
                ast::Number::Complex { .. } => Value::Unknown(String::new()),
            },
            Expr::EllipsisLiteral(_) => Value::None,
            Expr::BytesLiteral(_) => Value::Opaque("bytes".to_owned()),
            Expr::Name(name) => self.lookup(name.id.as_str(), locals),
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                let mut items = Vec::new();
                for element in elts {
                    if let Expr::Starred(starred) = element {
                        match iterate(&self.eval(&starred.value, locals)) {
                            Some(more) => items.extend(more),
                            None => return Value::Unknown(String::new()),
                        }
                    } else {
                        items.push(self.eval(element, locals));
                    }
                }
                Value::List(items)
            }
            Expr::Dict(dict) => {
                let mut items = Vec::new();
                for item in &dict.items {
                    let Some(key) = &item.key else {
                        return Value::Unknown(String::new());
                    };
                    let key = self.eval(key, locals);
                    let value = self.eval(&item.value, locals);
                    items.push((key, value));
                }
                Value::Dict(items)
            }
            Expr::FString(fstring) => {
                let mut out = String::new();
                for part in fstring.value.iter() {
                    match part {
                        ast::FStringPart::Literal(literal) => out.push_str(literal.as_str()),
                        ast::FStringPart::FString(fstring) => {
                            for element in fstring.elements.iter() {
                                match element {
                                    ast::InterpolatedStringElement::Literal(literal) => {
                                        out.push_str(&literal.value)
                                    }
                                    ast::InterpolatedStringElement::Interpolation(
                                        interpolation,
                                    ) => {
                                        match to_text(&self.eval(&interpolation.expression, locals))
                                        {
                                            Some(text) => out.push_str(&text),
                                            None => return Value::Unknown(String::new()),
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Value::Str(out)
            }
            Expr::BinOp(binop) => {
                let left = self.eval(&binop.left, locals);
                let right = self.eval(&binop.right, locals);
                binary(binop.op, left, right)
            }
            Expr::UnaryOp(unary) => {
                let operand = self.eval(&unary.operand, locals);
                match (unary.op, operand) {
                    (ast::UnaryOp::Not, value) => value
                        .truthy()
                        .map_or(Value::Unknown(String::new()), |b| Value::Bool(!b)),
                    (ast::UnaryOp::USub, Value::Int(number)) => Value::Int(-number),
                    (ast::UnaryOp::USub, Value::Float(number)) => Value::Float(-number),
                    (ast::UnaryOp::UAdd, value) => value,
                    _ => Value::Unknown(String::new()),
                }
            }
            Expr::BoolOp(boolop) => {
                let is_and = boolop.op == ast::BoolOp::And;
                let mut last = Value::None;
                for value in &boolop.values {
                    last = self.eval(value, locals);
                    match last.truthy() {
                        None => return Value::Unknown(String::new()),
                        Some(truth) if truth != is_and => return last,
                        Some(_) => {}
                    }
                }
                last
            }
            Expr::Compare(compare) => {
                let mut left = self.eval(&compare.left, locals);
                for (op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
                    let right = self.eval(right, locals);
                    match compare_values(*op, &left, &right) {
                        Some(true) => left = right,
                        Some(false) => return Value::Bool(false),
                        None => return Value::Unknown(String::new()),
                    }
                }
                Value::Bool(true)
            }
            Expr::If(conditional) => match self.eval(&conditional.test, locals).truthy() {
                Some(true) => self.eval(&conditional.body, locals),
                Some(false) => self.eval(&conditional.orelse, locals),
                None => Value::Unknown(String::new()),
            },
            Expr::Subscript(subscript) => {
                let value = self.eval(&subscript.value, locals);
                if let Expr::Slice(slice) = subscript.slice.as_ref() {
                    let bound =
                        |run: &mut Self,
                         expr: &'a Option<Box<Expr>>,
                         locals: &mut HashMap<String, Value>| match expr {
                            Some(expr) => match run.eval(expr, locals) {
                                Value::Int(number) => Some(Some(number)),
                                _ => None,
                            },
                            None => Some(None),
                        };
                    let (Some(lower), Some(upper)) = (
                        bound(self, &slice.lower, locals),
                        bound(self, &slice.upper, locals),
                    ) else {
                        return Value::Unknown(String::new());
                    };
                    return slice_value(&value, lower, upper);
                }
                let index = self.eval(&subscript.slice, locals);
                subscript_value(&value, &index)
            }
            Expr::Attribute(attribute) => {
                let base = self.eval(&attribute.value, locals);
                match operations::attribute(self, base, attribute.attr.as_str()) {
                    Value::Path(path) if !is_library(&path) => self
                        .resolve_project_path(&path)
                        .unwrap_or(Value::Path(path)),
                    value => value,
                }
            }
            Expr::Call(call) => {
                // `super()` in a method of a project class.
                if matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "super")
                    && call.arguments.args.is_empty()
                    && let (Some(Value::Instance(instance)), Some(class)) =
                        (locals.get("self"), self.current_class.clone())
                {
                    let mut parent = (**instance).clone();
                    parent.after = Some(class);
                    return Value::Instance(Box::new(parent));
                }
                let callee = self.eval(&call.func, locals);
                let mut args = Vec::new();
                for arg in &call.arguments.args {
                    if let Expr::Starred(starred) = arg {
                        match iterate(&self.eval(&starred.value, locals)) {
                            Some(items) => args.extend(items),
                            None => {
                                return Value::Unknown(format!(
                                    "`{}`: arguments only known at run time",
                                    self.text(call.range())
                                ));
                            }
                        }
                    } else {
                        args.push(self.eval(arg, locals));
                    }
                }
                let mut kwargs = Vec::new();
                for keyword in &call.arguments.keywords {
                    let value = self.eval(&keyword.value, locals);
                    match &keyword.arg {
                        Some(name) => kwargs.push((name.to_string(), value)),
                        None => match value {
                            Value::Dict(items) => {
                                for (key, value) in items {
                                    if let Value::Str(key) = key {
                                        kwargs.push((key, value));
                                    }
                                }
                            }
                            _ => {
                                return Value::Unknown(format!(
                                    "`{}`: arguments only known at run time",
                                    self.text(call.range())
                                ));
                            }
                        },
                    }
                }
                // A method of a project object changes that object (`self.x
                // = …` in `obj.setup()` or `super().__init__(…)`): the caller's
                // name for it sees the change, as Python's shared object would.
                let receiver = match call.func.as_ref() {
                    Expr::Attribute(attribute) => match attribute.value.as_ref() {
                        Expr::Name(name) => Some(name.id.to_string()),
                        Expr::Call(inner) if matches!(inner.func.as_ref(), Expr::Name(name) if name.id.as_str() == "super") => {
                            Some("self".to_owned())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                self.changed_object = None;
                let value = self.call(callee, args, kwargs, call.range());
                if let Some(receiver) = receiver
                    && let Some(changed) = self.changed_object.take()
                    && let Some(Value::Instance(object)) = locals.get_mut(&receiver)
                    && object.class == changed.class
                {
                    object.attributes = changed.attributes;
                }
                value
            }
            Expr::ListComp(comprehension) => {
                self.comprehension(&comprehension.elt, &comprehension.generators, locals)
            }
            Expr::Generator(generator) => {
                self.comprehension(&generator.elt, &generator.generators, locals)
            }
            Expr::SetComp(comprehension) => {
                self.comprehension(&comprehension.elt, &comprehension.generators, locals)
            }
            Expr::DictComp(comprehension) => match &comprehension.key {
                Some(key) => self
                    .comprehension_pairs(
                        key,
                        &comprehension.value,
                        &comprehension.generators,
                        locals,
                    )
                    .map_or(Value::Unknown(String::new()), Value::Dict),
                None => Value::Unknown(String::new()),
            },
            Expr::Lambda(_) => Value::Opaque("lambda".to_owned()),
            _ => Value::Unknown(String::new()),
        }
    }

    fn comprehension(
        &mut self,
        element: &'a Expr,
        generators: &'a [ast::Comprehension],
        locals: &mut HashMap<String, Value>,
    ) -> Value {
        let [generator] = generators else {
            return Value::Unknown(String::new());
        };
        let Some(items) = iterate(&self.eval(&generator.iter, locals)) else {
            return Value::Unknown(String::new());
        };
        let mut scope = locals.clone();
        let mut out = Vec::new();
        for item in items.into_iter().take(MAX_ITERATIONS) {
            if !self.step(generator.range) {
                return Value::Unknown(String::new());
            }
            self.bind(&generator.target, item, &mut scope);
            let mut keep = true;
            for condition in &generator.ifs {
                match self.eval(condition, &mut scope).truthy() {
                    Some(true) => {}
                    Some(false) => keep = false,
                    None => return Value::Unknown(String::new()),
                }
            }
            if keep {
                out.push(self.eval(element, &mut scope));
            }
        }
        Value::List(out)
    }

    /// `{key: value for target in iterable if condition}`.
    fn comprehension_pairs(
        &mut self,
        key: &'a Expr,
        value: &'a Expr,
        generators: &'a [ast::Comprehension],
        locals: &mut HashMap<String, Value>,
    ) -> Option<Vec<(Value, Value)>> {
        let [generator] = generators else {
            return None;
        };
        let items = iterate(&self.eval(&generator.iter, locals))?;
        let mut scope = locals.clone();
        let mut out = Vec::new();
        for item in items.into_iter().take(MAX_ITERATIONS) {
            if !self.step(generator.range) {
                return None;
            }
            self.bind(&generator.target, item, &mut scope);
            let mut keep = true;
            for condition in &generator.ifs {
                keep &= self.eval(condition, &mut scope).truthy()?;
            }
            if keep {
                out.push((self.eval(key, &mut scope), self.eval(value, &mut scope)));
            }
        }
        Some(out)
    }

    fn call(
        &mut self,
        callee: Value,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        match callee {
            Value::Function(name) => self.call_function(&name, args, kwargs, range),
            Value::Path(path) => operations::call_path(self, &path, args, kwargs, range),
            Value::Method(base, name) => {
                operations::call_method(self, *base, &name, args, kwargs, range)
            }
            Value::Unknown(reason) if !reason.is_empty() => Value::Unknown(reason),
            _ => Value::Unknown(format!(
                "`{}` calls something only known at run time",
                self.text(range)
            )),
        }
    }

    fn call_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        let Some(function) = self.functions.get(name).copied() else {
            return Value::Unknown(format!("function {name} is not defined in the file"));
        };
        self.call_def(function, args, kwargs, range)
    }

    /// Runs a function (or method) definition with its arguments bound.
    pub(crate) fn call_def(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        self.call_def_keeping(function, args, kwargs, range).0
    }

    /// Like [`Run::call_def`], also giving back the function's locals as
    /// they ended (a method's `self`, with what it set).
    pub(crate) fn call_def_keeping(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> (Value, HashMap<String, Value>) {
        if self.depth >= MAX_DEPTH {
            self.unknown(range, "helper functions call one another too deeply");
            return (Value::Unknown(String::new()), HashMap::new());
        }
        let parameters = &function.parameters;
        // A function defined inside another sees that one's names (a
        // closure), as they were when it was defined.
        let mut locals = self
            .closures
            .get(&closure_key(function))
            .cloned()
            .unwrap_or_default();
        let positional: Vec<&ast::ParameterWithDefault> = parameters
            .posonlyargs
            .iter()
            .chain(parameters.args.iter())
            .collect();
        let mut args = args.into_iter();
        for parameter in &positional {
            let name = parameter.parameter.name.to_string();
            let value = args.next().or_else(|| {
                kwargs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.clone())
            });
            let value = match value {
                Some(value) => value,
                None => match &parameter.default {
                    Some(default) => {
                        let mut empty = HashMap::new();
                        self.eval(default, &mut empty)
                    }
                    None => Value::Unknown(String::new()),
                },
            };
            locals.insert(name, value);
        }
        if let Some(rest) = &parameters.vararg {
            locals.insert(rest.name.to_string(), Value::List(args.collect()));
        }
        for parameter in &parameters.kwonlyargs {
            let name = parameter.parameter.name.to_string();
            let value = kwargs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| {
                    parameter.default.as_ref().map(|default| {
                        let mut empty = HashMap::new();
                        self.eval(default, &mut empty)
                    })
                })
                .unwrap_or(Value::Unknown(String::new()));
            locals.insert(name, value);
        }
        if let Some(rest) = &parameters.kwarg {
            let named: Vec<String> = positional
                .iter()
                .map(|p| p.parameter.name.to_string())
                .collect();
            let extra = kwargs
                .into_iter()
                .filter(|(key, _)| !named.contains(key))
                .map(|(key, value)| (Value::Str(key), value))
                .collect();
            locals.insert(rest.name.to_string(), Value::Dict(extra));
        }
        self.depth += 1;
        let flow = self.block(&function.body, &mut locals);
        self.depth -= 1;
        let value = match flow {
            Flow::Return(value) => value,
            _ => Value::None,
        };
        (value, locals)
    }

    /// Calls `function` of the project's own `module` (a helper imported from
    /// outside the revision file), when its source can be found.
    pub fn call_project_function(
        &mut self,
        module: &str,
        function: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Option<Value> {
        if self.modules.is_empty() || self.depth >= MAX_DEPTH {
            return None;
        }
        let modules: &'a ModuleCache = self.modules;
        let body = modules.module(module)?;
        if !body
            .iter()
            .any(|statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == function))
        {
            return None;
        }
        let saved_site = self.foreign_site;
        if self.foreign_site.is_none() {
            self.foreign_site = Some(range);
        }
        let mut globals = HashMap::new();
        let mut functions = HashMap::new();
        for statement in body {
            match statement {
                Stmt::FunctionDef(def) => {
                    functions.insert(def.name.id.to_string(), def);
                    globals.insert(
                        def.name.id.to_string(),
                        Value::Function(def.name.id.to_string()),
                    );
                }
                Stmt::ClassDef(class) => {
                    globals.insert(
                        class.name.id.to_string(),
                        Value::Path(format!("{module}.{}", class.name)),
                    );
                }
                Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                    let mut quiet = self.quietly();
                    quiet.execute(statement, &mut globals);
                }
                _ => {}
            }
        }
        let saved_globals = std::mem::replace(&mut self.globals, globals);
        let saved_functions = std::mem::replace(&mut self.functions, functions);
        let value = self.call_function(function, args, kwargs, range);
        self.globals = saved_globals;
        self.functions = saved_functions;
        self.foreign_site = saved_site;
        Some(value)
    }

    pub fn table_key(&self, name: &str, schema: Option<&str>) -> String {
        table_key(name, schema)
    }

    pub fn schema(&self) -> &Schema {
        self.applier.schema
    }
}

/// A function definition's identity, for its closure.
fn closure_key(function: &ast::StmtFunctionDef) -> usize {
    std::ptr::from_ref(function) as usize
}

fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// Runs statements without reporting unknowns.
struct QuietRun<'r, 'a> {
    run: &'r mut Run<'a>,
}

impl<'a> Run<'a> {
    pub(crate) fn execute_quietly(
        &mut self,
        statement: &'a Stmt,
        locals: &mut HashMap<String, Value>,
    ) {
        self.quietly().execute(statement, locals);
    }

    pub(crate) fn eval_quietly(
        &mut self,
        expr: &'a Expr,
        locals: &mut HashMap<String, Value>,
    ) -> Value {
        let saved = self.outcome.unknown.len();
        let operations = self.applier.log.len();
        let value = self.eval(expr, locals);
        self.forget_unknowns_after(saved);
        self.applier.log.truncate(operations);
        value
    }

    /// Runs a function body quietly; what it returns, if it returns.
    pub(crate) fn run_body_quietly(
        &mut self,
        body: &'a [Stmt],
        locals: &mut HashMap<String, Value>,
    ) -> Option<Value> {
        let saved = self.outcome.unknown.len();
        let operations = self.applier.log.len();
        let flow = self.block(body, locals);
        self.forget_unknowns_after(saved);
        self.applier.log.truncate(operations);
        match flow {
            Flow::Return(value) => Some(value),
            _ => None,
        }
    }
}

impl<'a> QuietRun<'_, 'a> {
    fn execute(&mut self, statement: &'a Stmt, locals: &mut HashMap<String, Value>) {
        let saved = self.run.outcome.unknown.len();
        let operations = self.run.applier.log.len();
        self.run.execute(statement, locals);
        self.run.forget_unknowns_after(saved);
        self.run.applier.log.truncate(operations);
    }
}

pub fn to_text(value: &Value) -> Option<String> {
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
pub fn iterate(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::List(items) => Some(items.clone()),
        Value::Dict(items) => Some(items.iter().map(|(key, _)| key.clone()).collect()),
        Value::Str(text) => Some(text.chars().map(|c| Value::Str(c.to_string())).collect()),
        _ => None,
    }
}

fn binary(op: ast::Operator, left: Value, right: Value) -> Value {
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
fn percent_format(format: &str, args: &Value) -> Value {
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

fn compare_values(op: ast::CmpOp, left: &Value, right: &Value) -> Option<bool> {
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

fn equal(left: &Value, right: &Value) -> Option<bool> {
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

fn contains(container: &Value, item: &Value) -> Option<bool> {
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

fn subscript_value(value: &Value, index: &Value) -> Value {
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

fn slice_value(value: &Value, lower: Option<i64>, upper: Option<i64>) -> Value {
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
