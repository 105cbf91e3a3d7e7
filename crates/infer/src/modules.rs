//! The project's own Python modules, found and parsed once per process, for
//! helper functions that revisions import (`from myapp.migrations.util import
//! add_column`). Parsed modules are kept for the life of the process, so a
//! helper module costs one parse however many revisions call it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ruff_python_ast::Stmt;

type Cache = Mutex<HashMap<PathBuf, Option<&'static [Stmt]>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn module_file(roots: &[PathBuf], module: &str) -> Option<PathBuf> {
    if module.is_empty() || module.starts_with('.') {
        return None;
    }
    let relative: PathBuf = module.split('.').collect();
    roots.iter().find_map(|root| {
        let base = root.join(&relative);
        let file = base.with_extension("py");
        if file.is_file() {
            return Some(file);
        }
        let package = base.join("__init__.py");
        package.is_file().then_some(package)
    })
}

fn parse(path: &Path) -> Option<&'static [Stmt]> {
    let source = std::fs::read_to_string(path).ok()?;
    let parsed = ruff_python_parser::parse_module(&source).ok()?;
    let module: &'static ruff_python_ast::ModModule = Box::leak(Box::new(parsed.into_syntax()));
    Some(&module.body)
}

/// The statements of `module`, when its file is found under `roots` and parses.
pub fn project_module(roots: &[PathBuf], module: &str) -> Option<&'static [Stmt]> {
    let path = module_file(roots, module)?;
    let mut cache = cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = cache.get(&path) {
        return *found;
    }
    let body = parse(&path);
    cache.insert(path, body);
    body
}
