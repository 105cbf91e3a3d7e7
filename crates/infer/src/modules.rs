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

/// Modules given as text, by dotted name (for tests and embedders); a
/// package's text under `package.__init__`.
impl ModuleSource for HashMap<String, String> {
    fn load(&self, module: &str) -> Option<(PathBuf, String)> {
        let path: PathBuf = module.split('.').collect();
        if let Some(text) = self.get(module) {
            return Some((path.with_extension("py"), text.clone()));
        }
        let text = self.get(&format!("{module}.__init__"))?;
        Some((path.join("__init__.py"), text.clone()))
    }
}

/// Parsed modules, each parsed once, owned by whoever computes expected
/// schemas (a project's session), never by the process.
pub struct ModuleCache {
    source: Option<Box<dyn ModuleSource>>,
    parsed: FrozenMap<String, Box<Option<ParsedModule>>>,
    /// Every module looked for, with the fingerprint of what was found:
    /// what a cache of operations depends on besides the revision files.
    read: std::sync::Mutex<Vec<ModuleRead>>,
}

/// A module looked for by name, and a fingerprint of its file and text
/// (`None`: not one of the project's own).
pub type ModuleRead = (String, Option<u128>);

fn fingerprint(path: &std::path::Path, text: &str) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(&[0]);
    hasher.update(text.as_bytes());
    hasher.digest128()
}

struct ParsedModule {
    /// Whether the module is a package (`a/b/__init__.py`), which decides
    /// what its relative imports are relative to.
    is_package: bool,
    path: PathBuf,
    text: String,
    syntax: ModModule,
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
            read: std::sync::Mutex::default(),
        }
    }

    /// No project modules: helpers imported from elsewhere stay unknown.
    pub fn none() -> ModuleCache {
        ModuleCache {
            source: None,
            parsed: FrozenMap::new(),
            read: std::sync::Mutex::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_none()
    }

    /// The statements of `module`, when its source is found and parses.
    pub fn module(&self, module: &str) -> Option<&[Stmt]> {
        self.parsed(module)
            .map(|parsed| parsed.syntax.body.as_slice())
    }

    /// The file and text of `module`, for messages that cite its lines.
    pub fn source(&self, module: &str) -> Option<(&std::path::Path, &str)> {
        self.parsed(module)
            .map(|parsed| (parsed.path.as_path(), parsed.text.as_str()))
    }

    /// Whether `module` is a package (its file is an `__init__.py`).
    pub fn is_package(&self, module: &str) -> bool {
        self.parsed(module).is_some_and(|parsed| parsed.is_package)
    }

    fn parsed(&self, module: &str) -> Option<&ParsedModule> {
        let source = self.source.as_ref()?;
        if module.is_empty() || module.starts_with('.') {
            return None;
        }
        if let Some(parsed) = self.parsed.get(module) {
            return parsed.as_ref();
        }
        let loaded = source.load(module);
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((
                module.to_owned(),
                loaded.as_ref().map(|(path, text)| fingerprint(path, text)),
            ));
        let parsed = loaded.and_then(|(path, text)| {
            let syntax = ruff_python_parser::parse_module(&text).ok()?.into_syntax();
            Some(ParsedModule {
                is_package: path.file_name().is_some_and(|name| name == "__init__.py"),
                path,
                text,
                syntax,
            })
        });
        self.parsed
            .insert(module.to_owned(), Box::new(parsed))
            .as_ref()
    }

    /// The modules looked for so far, in the order first asked.
    pub fn modules_read(&self) -> Vec<ModuleRead> {
        self.read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether every module of `recorded` still has the same file and
    /// text (or is still not one of the project's own). Reads the files
    /// again; parses nothing.
    pub fn unchanged(&self, recorded: &[ModuleRead]) -> bool {
        recorded.iter().all(|(module, expected)| {
            let now = self
                .source
                .as_ref()
                .and_then(|source| source.load(module))
                .map(|(path, text)| fingerprint(&path, &text));
            now == *expected
        })
    }
}
