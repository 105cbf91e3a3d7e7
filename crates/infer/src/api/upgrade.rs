//! Entry points: `upgrade()` of one revision file run against a schema,
//! and the naming convention `env.py` gives alembic.

use std::collections::HashMap;
use std::path::Path;

use migration_doctor_schema::{Dialect, Schema};
use ruff_python_ast::Stmt;

use crate::api::host::{finish, new_run};
use crate::interpreter::python::runtime_statements;
use crate::modules::ModuleCache;
use crate::naming::NamingConvention;
use crate::outcome::RevisionOutcome;
use crate::setup::ProjectSetup;
use crate::value::Value;

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
    let mut run = new_run(path, source, dialect, schema, modules);
    run.host.applier.naming = setup.naming.clone();
    run.host.main_options = setup.main_options.clone();
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
                run.execute_quietly(statement, &mut module_locals);
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
    finish(run)
}

/// The naming convention of the `target_metadata` that `env.py` hands to
/// alembic (followed into the project's modules: `Base.metadata`, a
/// `MetaData(naming_convention=...)`); SQLAlchemy's default when it has
/// none, and that default unconfirmed when it cannot be followed.
pub fn env_naming_convention(path: &Path, source: &str, modules: &ModuleCache) -> NamingConvention {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    let mut scratch = Schema::default();
    let mut run = new_run(path, source, Dialect::Sqlite, &mut scratch, modules);
    let mut globals = HashMap::new();
    for statement in runtime_statements(&parsed.syntax().body) {
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
