//! Constants of the project's own modules, found on disk without Python.
//!
//! Some projects name their branch labels through a shared module
//! (`from neutron.db.migration import cli`, then `cli.EXPAND_BRANCH`). A
//! module `a.b` is looked for as `a/b.py` or `a/b/__init__.py` under each
//! search root (the folders above the script directory and the version
//! locations); its module-level constants are read as a revision file's are.
//! Modules are read at most once, only when a revision variable needs them,
//! and an import cycle resolves to "unknown".

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::literal::{Imports, PyValue, Scope};
use crate::module_scope::module_scope;

/// How many imported names may be chased through one another.
const MAX_CHAIN: usize = 8;

/// Where the project's own modules are looked for: each given folder and
/// all its ancestors, in order; `a.b` is `a/b.py` or `a/b/__init__.py`.
#[derive(Debug, Clone, Default)]
pub struct ModuleRoots {
    roots: Vec<PathBuf>,
}

impl ModuleRoots {
    pub fn new<'a>(starts: impl IntoIterator<Item = &'a Path>) -> ModuleRoots {
        let mut roots: Vec<PathBuf> = Vec::new();
        for start in starts {
            for ancestor in start.ancestors() {
                if !roots.iter().any(|root| root == ancestor) {
                    roots.push(ancestor.to_path_buf());
                }
            }
        }
        ModuleRoots { roots }
    }

    /// The file of `module`, under the first root that has it.
    pub fn file(&self, module: &str) -> Option<PathBuf> {
        if module.is_empty() || module.starts_with('.') {
            return None;
        }
        let relative: PathBuf = module.split('.').collect();
        self.roots.iter().find_map(|root| {
            let base = root.join(&relative);
            let file = base.with_extension("py");
            if file.is_file() {
                return Some(file);
            }
            let package = base.join("__init__.py");
            package.is_file().then_some(package)
        })
    }
}

pub struct ProjectImports {
    roots: ModuleRoots,
    scopes: RefCell<HashMap<String, Option<Rc<Scope>>>>,
    loading: RefCell<HashSet<String>>,
}

impl ProjectImports {
    /// Searches the given folders and all their ancestors.
    pub fn new<'a>(starts: impl IntoIterator<Item = &'a Path>) -> ProjectImports {
        ProjectImports {
            roots: ModuleRoots::new(starts),
            scopes: RefCell::new(HashMap::new()),
            loading: RefCell::new(HashSet::new()),
        }
    }

    fn module_file(&self, module: &str) -> Option<PathBuf> {
        self.roots.file(module)
    }

    fn scope(&self, module: &str) -> Option<Rc<Scope>> {
        if let Some(cached) = self.scopes.borrow().get(module) {
            return cached.clone();
        }
        if !self.loading.borrow_mut().insert(module.to_owned()) {
            return None; // an import cycle
        }
        let scope = self.module_file(module).and_then(|file| {
            let source = std::fs::read_to_string(file).ok()?;
            let parsed = ruff_python_parser::parse_module(&source).ok()?;
            Some(Rc::new(module_scope(
                &parsed.syntax().body,
                self,
                |_, _, _| {},
            )))
        });
        self.loading.borrow_mut().remove(module);
        self.scopes
            .borrow_mut()
            .insert(module.to_owned(), scope.clone());
        scope
    }
}

impl Imports for ProjectImports {
    fn constant(&self, module: &str, name: &str) -> Option<PyValue> {
        let (mut module, mut name) = (module.to_owned(), name.to_owned());
        for _ in 0..MAX_CHAIN {
            let found = self
                .scope(&module)
                .and_then(|scope| scope.get(&name).cloned());
            match found {
                Some(PyValue::Imported {
                    module: next_module,
                    name: next_name,
                }) => {
                    (module, name) = (next_module, next_name);
                }
                Some(value) => return Some(value),
                None => {
                    let submodule = format!("{module}.{name}");
                    return self
                        .module_file(&submodule)
                        .map(|_| PyValue::Module(submodule));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_through_modules_and_re_exports() {
        let root = tempfile::tempdir().expect("tempdir");
        let package = root.path().join("app/db");
        std::fs::create_dir_all(&package).expect("mkdir");
        std::fs::write(root.path().join("app/__init__.py"), "").expect("w");
        std::fs::write(
            package.join("__init__.py"),
            "from app.db.cli import EXPAND as EXPAND\n",
        )
        .expect("w");
        std::fs::write(
            package.join("cli.py"),
            "EXPAND = 'expand'\nCONTRACT = EXPAND[:0] + 'contract'\n",
        )
        .expect("w");
        let scripts = package.join("migrations");
        std::fs::create_dir_all(&scripts).expect("mkdir");
        let imports = ProjectImports::new([scripts.as_path()]);
        assert_eq!(
            imports.constant("app.db", "cli"),
            Some(PyValue::Module("app.db.cli".to_owned()))
        );
        assert_eq!(
            imports.constant("app.db.cli", "EXPAND"),
            Some(PyValue::Str("expand".to_owned()))
        );
        assert_eq!(
            imports.constant("app.db", "EXPAND"),
            Some(PyValue::Str("expand".to_owned()))
        );
        // subscripts are not constants we evaluate
        assert_eq!(imports.constant("app.db.cli", "CONTRACT"), None);
        assert_eq!(imports.constant("elsewhere", "X"), None);
    }
}
