//! The host of migration files: what interpreting one revision (or a
//! project's models, or `env.py`) acts on. The applier that changes the
//! expected schema and records each operation, the dialect, the project's
//! modules and what this run learned of them, the ini's options.

use std::path::Path;
use std::sync::Arc;

use migration_doctor_schema::{Dialect, Schema};
use ruff_text_size::TextRange;

use crate::apply::Applier;
use crate::interpreter::Interpreter;
use crate::modules::ModuleCache;
use crate::operation::{DataStep, Operation};
use crate::outcome::RevisionOutcome;
use crate::resolver::ProjectNames;

pub(crate) struct Migration<'a> {
    pub dialect: Dialect,
    pub applier: Applier<'a>,
    /// The project's own modules, for helpers and models it imports.
    pub modules: &'a ModuleCache,
    /// What this run has learned of them.
    pub names: ProjectNames,
    /// The ini's main section (`context.config.get_main_option`).
    pub main_options: Arc<Vec<(String, String)>>,
    /// The project module being read (for a baseline), else empty.
    pub current_module: String,
}

/// The interpreter, running migration code.
pub(crate) type Run<'a> = Interpreter<'a, Migration<'a>>;

/// An interpreter for `source` (at `path`) that applies what it follows to
/// `schema`, as `dialect` would.
pub(crate) fn new_run<'a>(
    path: &'a Path,
    source: &'a str,
    dialect: Dialect,
    schema: &'a mut Schema,
    modules: &'a ModuleCache,
) -> Run<'a> {
    let host = Migration {
        dialect,
        applier: Applier::new(schema, dialect),
        modules,
        names: ProjectNames::default(),
        main_options: Arc::default(),
        current_module: String::new(),
    };
    Interpreter::new(path, source, host)
}

/// What the run found.
pub(crate) fn finish(run: Run<'_>) -> RevisionOutcome {
    let unknown = run.unknowns;
    let mut applier = run.host.applier;
    RevisionOutcome {
        operations: std::mem::take(&mut applier.log),
        unknown,
        assumed_tables: std::mem::take(&mut applier.assumed).into_iter().collect(),
        guessed_index_names: std::mem::take(&mut applier.guessed_index_names)
            .into_iter()
            .collect(),
    }
}

/// Sets the line that the next applied operations are recorded at.
pub(crate) fn at(run: &mut Run<'_>, range: TextRange) {
    run.host.applier.line = run.line(range);
}

/// Records a data step at `range`.
pub(crate) fn data_step(run: &mut Run<'_>, range: TextRange, step: DataStep) {
    at(run, range);
    run.host.applier.record(Operation::Data(step));
}
