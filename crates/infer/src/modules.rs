//! The project's own Python modules, for helper functions that revisions
//! import (`from myapp.migrations.util import add_column`). Where their text
//! comes from is the caller's business (a [`ModuleSource`]: the file system
//! for a project, a map in tests), so that interpreting stays free of I/O.
//! A [`ModuleCache`] parses each module once and lends its statements for
//! as long as it lives: a helper module costs one parse however many
//! revisions call it.

use std::collections::HashMap;
use std::path::PathBuf;

use elsa::sync::FrozenMap;
use ruff_python_ast::{ModModule, Stmt};

/// Finds the text of the project's own modules by dotted name.
pub trait ModuleSource: Send + Sync {
    /// The file of `module` (for messages) and its text, when it is one of
    /// the project's own.
    fn load(&self, module: &str) -> Option<(PathBuf, String)>;
}

/// Modules given as text, by dotted name (for tests and embedders).
impl ModuleSource for HashMap<String, String> {
    fn load(&self, module: &str) -> Option<(PathBuf, String)> {
        let text = self.get(module)?;
        let path: PathBuf = module.split('.').collect();
        Some((path.with_extension("py"), text.clone()))
    }
}

/// Parsed modules, each parsed once, owned by whoever computes expected
/// schemas (a project's session), never by the process.
pub struct ModuleCache {
    source: Option<Box<dyn ModuleSource>>,
    parsed: FrozenMap<String, Box<Option<ModModule>>>,
}

impl std::fmt::Debug for ModuleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleCache")
            .field("has_source", &self.source.is_some())
            .finish()
    }
}

impl ModuleCache {
    pub fn new(source: impl ModuleSource + 'static) -> ModuleCache {
        ModuleCache {
            source: Some(Box::new(source)),
            parsed: FrozenMap::new(),
        }
    }

    /// No project modules: helpers imported from elsewhere stay unknown.
    pub fn none() -> ModuleCache {
        ModuleCache {
            source: None,
            parsed: FrozenMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_none()
    }

    /// The statements of `module`, when its source is found and parses.
    pub fn module(&self, module: &str) -> Option<&[Stmt]> {
        let source = self.source.as_ref()?;
        if module.is_empty() || module.starts_with('.') {
            return None;
        }
        if let Some(parsed) = self.parsed.get(module) {
            return parsed.as_ref().map(|parsed| parsed.body.as_slice());
        }
        let parsed = source.load(module).and_then(|(_, text)| {
            ruff_python_parser::parse_module(&text)
                .ok()
                .map(|parsed| parsed.into_syntax())
        });
        self.parsed
            .insert(module.to_owned(), Box::new(parsed))
            .as_ref()
            .map(|parsed| parsed.body.as_slice())
    }
}
