//! The interpreter's state and its contract with what it interprets for:
//! the budget that keeps any file from hanging it, where in which file it
//! is (for messages), the names in scope, and the unknown operations it
//! reports. What names, attributes and calls mean beyond Python itself is
//! the [`Host`]'s to say.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::TextRange;

use super::python::line_starts;
use crate::operation::UnknownOperation;
use crate::value::{Instance, Value};

/// How deep helper functions may call one another.
pub(crate) const MAX_DEPTH: usize = 32;
/// How many iterations one `for` may run.
pub(crate) const MAX_ITERATIONS: usize = 100_000;
/// How many statements, expressions and comprehension items one revision
/// file may evaluate in all, so that no file (nested loops, functions
/// calling themselves twice) can hang the tool: a real migration evaluates
/// a few tens of thousands.
const MAX_STEPS: u64 = 4_000_000;

/// The names bound in one scope.
pub(crate) type Names = HashMap<String, Value>;

/// How a statement ends.
pub(crate) enum Flow {
    Normal,
    Return(Value),
    Break,
    Continue,
}

/// What the interpreted code runs against: the meaning of the names,
/// attributes and calls that Python itself does not define (alembic's
/// `op`, SQLAlchemy, the project's own modules), and where the effects go.
/// Each function gets the whole interpreter, so that a handler can
/// evaluate, call back and report.
pub(crate) trait Host<'a>: Sized {
    /// What `with` returns to when its block ends (see [`Host::enter`]).
    type Exit;

    /// The value a dotted name stands for (`myapp.models.ID_LEN`), when the
    /// host can see it; `None` leaves the name as it is.
    fn resolve(run: &mut Interpreter<'a, Self>, path: &str) -> Option<Value>;

    /// `base.name`.
    fn attribute(run: &mut Interpreter<'a, Self>, base: Value, name: &str) -> Value;

    /// A call of the function a dotted name stands for (`op.add_column(...)`).
    fn call_path(
        run: &mut Interpreter<'a, Self>,
        path: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value;

    /// A call of a method of a value (`batch_op.drop_column(...)`).
    fn call_method(
        run: &mut Interpreter<'a, Self>,
        base: Value,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value;

    /// `with value:` begins; what to do when its block ends, if anything.
    fn enter(run: &mut Interpreter<'a, Self>, value: &Value) -> Option<Self::Exit>;

    /// The block of a `with` that [`Host::enter`] answered has ended.
    fn exit(run: &mut Interpreter<'a, Self>, exit: Self::Exit);

    /// Something that could not be followed, at `line`, for the host's
    /// record of effects.
    fn record_unknown(&mut self, line: usize, unknown: &UnknownOperation);

    /// How many effects are recorded, and forgetting those after the first
    /// `kept` (what a quiet run did).
    fn effects(&self) -> usize;
    fn forget_effects_after(&mut self, kept: usize);
}

/// One interpretation of one file (and the helpers it calls), on behalf of
/// a host.
pub(crate) struct Interpreter<'a, H> {
    pub host: H,
    path: &'a Path,
    source: &'a str,
    line_starts: Vec<usize>,
    pub(crate) globals: Names,
    pub(crate) functions: HashMap<String, &'a ast::StmtFunctionDef>,
    pub(crate) depth: usize,
    /// The package relative imports resolve against, while a project
    /// module's names are evaluated.
    pub(crate) package: Option<String>,
    /// The class whose method runs, for `super()`.
    pub(crate) current_class: Option<String>,
    /// The object as the method that just returned left it.
    pub(crate) changed_object: Option<Instance>,
    /// The enclosing names of functions defined inside functions.
    pub(crate) closures: HashMap<usize, Names>,
    /// While a helper of another module runs: the call in the interpreted
    /// file that unknown operations are reported at.
    pub(crate) foreign_site: Option<TextRange>,
    /// What is left of [`MAX_STEPS`]; at zero the run unwinds.
    steps_left: u64,
    /// The lines already reported as unknown (one report per line).
    unknown_lines: HashSet<usize>,
    /// What could not be followed, in order.
    pub(crate) unknowns: Vec<UnknownOperation>,
}

impl<'a, H: Host<'a>> Interpreter<'a, H> {
    pub(crate) fn new(path: &'a Path, source: &'a str, host: H) -> Interpreter<'a, H> {
        Interpreter {
            host,
            path,
            source,
            line_starts: line_starts(source),
            globals: HashMap::new(),
            functions: HashMap::new(),
            depth: 0,
            package: None,
            current_class: None,
            changed_object: None,
            closures: HashMap::new(),
            foreign_site: None,
            steps_left: MAX_STEPS,
            unknown_lines: HashSet::new(),
            unknowns: Vec::new(),
        }
    }

    /// Spends one step; `false` when the file's budget is spent (the first
    /// time, at `range`, an unknown operation says so): the caller stops.
    pub(crate) fn step(&mut self, range: TextRange) -> bool {
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

    /// From here on, lines and texts in messages are of `path`.
    pub(crate) fn enter_file(&mut self, path: &'a Path, source: &'a str) {
        self.path = path;
        self.source = source;
        self.line_starts = line_starts(source);
    }

    pub(crate) fn line(&self, range: TextRange) -> usize {
        let range = self.foreign_site.unwrap_or(range);
        let offset = range.start().to_usize();
        self.line_starts.partition_point(|start| *start <= offset)
    }

    pub(crate) fn text(&self, range: TextRange) -> String {
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
        for unknown in self.unknowns.drain(kept.min(self.unknowns.len())..) {
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
        self.host.record_unknown(line, &unknown);
        self.unknowns.push(unknown);
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

    /// Runs `work` with `module`'s names as the globals (and its package
    /// for relative imports), then restores the revision's own.
    pub(crate) fn in_module<T>(
        &mut self,
        package: String,
        globals: HashMap<String, Value>,
        work: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved_globals = std::mem::replace(&mut self.globals, globals);
        let saved_functions = std::mem::take(&mut self.functions);
        let saved_package = self.package.replace(package);
        let value = work(self);
        self.globals = saved_globals;
        self.functions = saved_functions;
        self.package = saved_package;
        value
    }

    /// Runs `work` without recording what it could not follow, nor its
    /// effects: a module constant we cannot compute only matters if the
    /// code that runs uses it.
    fn quietly<T>(&mut self, work: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.unknowns.len();
        let effects = self.host.effects();
        let value = work(self);
        self.forget_unknowns_after(saved);
        self.host.forget_effects_after(effects);
        value
    }

    pub(crate) fn execute_quietly(&mut self, statement: &'a Stmt, locals: &mut Names) {
        self.quietly(|run| {
            run.execute(statement, locals);
        });
    }

    pub(crate) fn eval_quietly(&mut self, expr: &'a Expr, locals: &mut Names) -> Value {
        self.quietly(|run| run.eval(expr, locals))
    }

    /// Runs a function body quietly; what it returns, if it returns.
    pub(crate) fn run_body_quietly(
        &mut self,
        body: &'a [Stmt],
        locals: &mut Names,
    ) -> Option<Value> {
        match self.quietly(|run| run.block(body, locals)) {
            Flow::Return(value) => Some(value),
            _ => None,
        }
    }
}
