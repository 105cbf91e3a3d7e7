//! The project's own Python modules on disk, for the interpreter's
//! [`ModuleSource`]: found as the revision reader finds them
//! ([`ModuleRoots`]: the script directory, the version locations, and the
//! folders above them, where an application's package usually sits).

use std::path::PathBuf;

use migration_doctor_infer::ModuleSource;
use migration_doctor_scripts::ModuleRoots;

/// Reads modules found under the roots.
#[derive(Debug, Clone)]
pub struct ProjectModules {
    roots: ModuleRoots,
}

impl ProjectModules {
    pub fn new(roots: ModuleRoots) -> ProjectModules {
        ProjectModules { roots }
    }
}

impl ModuleSource for ProjectModules {
    fn load(&self, module: &str) -> Option<(PathBuf, String)> {
        let path = self.roots.file(module)?;
        let text = std::fs::read_to_string(&path).ok()?;
        Some((path, text))
    }
}
