//! The project's own Python modules on disk, for the interpreter's
//! [`ModuleSource`]: `a.b` is `a/b.py` or `a/b/__init__.py` under one of
//! the roots (the script directory, the version locations, and the folders
//! above them, where an application's package usually sits).

use std::path::PathBuf;

use migration_doctor_infer::ModuleSource;

/// Finds modules under `roots`, in order.
#[derive(Debug, Clone)]
pub struct ProjectModules {
    roots: Vec<PathBuf>,
}

impl ProjectModules {
    pub fn new(roots: Vec<PathBuf>) -> ProjectModules {
        ProjectModules { roots }
    }

    fn file(&self, module: &str) -> Option<PathBuf> {
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

impl ModuleSource for ProjectModules {
    fn load(&self, module: &str) -> Option<(PathBuf, String)> {
        if module.is_empty() || module.starts_with('.') {
            return None;
        }
        let path = self.file(module)?;
        let text = std::fs::read_to_string(&path).ok()?;
        Some((path, text))
    }
}
