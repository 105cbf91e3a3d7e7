//! Finding and reading every revision file of a script directory.
//!
//! Which files count follows alembic 1.20 (`Script._list_py_dir` and
//! `Script._from_path`): in each existing version location, the files of the
//! folder in name order; with `recursive_version_locations`, then its
//! subfolders in name order, depth first; `__pycache__` folders are skipped;
//! only names ending in `.py` count, except `__init__*` and editor lock files
//! (`.#*`); a file reached twice (the same real path from two locations) is
//! read once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use std::cell::Cell;

use crate::config::AlembicConfig;
use crate::headers::{self, RevisionHeaders};
use crate::imports::ProjectImports;
use crate::literal::{Imports, PyValue};
use crate::problem::{ProblemKind, ScriptProblem, Severity};
use crate::revision_file::{RevisionFile, read_revision_file};

/// Everything read from a script directory: the revisions it declares, in
/// alembic's file order, and the problems met.
#[derive(Debug, Clone)]
pub struct ScriptDirectory {
    pub config: AlembicConfig,
    pub revisions: Vec<RevisionFile>,
    pub problems: Vec<ScriptProblem>,
}

impl ScriptDirectory {
    /// Reads every revision file the configuration points at. Never fails as
    /// a whole: unreadable or broken files become problems.
    pub fn read(config: AlembicConfig) -> ScriptDirectory {
        ScriptDirectory::read_with(config, &RevisionHeaders::default())
    }

    /// Like [`ScriptDirectory::read`], taking the variables of a file that
    /// `headers` holds (for exactly its path and text) instead of parsing
    /// it, and keeping in `headers` what may be written back.
    pub fn read_with(config: AlembicConfig, headers: &RevisionHeaders) -> ScriptDirectory {
        let base = std::fs::canonicalize(&config.script_location)
            .unwrap_or_else(|_| config.script_location.clone());
        let mut files = Vec::new();
        let mut seen = HashSet::new();
        for location in &config.version_locations {
            let Ok(location) = std::fs::canonicalize(location) else {
                continue; // alembic skips locations that do not exist
            };
            let mut listed = Vec::new();
            list_python_files(&location, config.recursive_version_locations, &mut listed);
            for file in listed {
                if seen.insert(file.clone()) {
                    files.push(file);
                }
            }
        }

        // Reading and parsing dominate; spread them over the cores, keeping
        // alembic's file order in the result.
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .clamp(1, 8);
        let chunk = files.len().div_ceil(threads).max(64);
        let mut read: Vec<(Vec<RevisionFile>, Vec<ScriptProblem>)> = Vec::new();
        let starts: Vec<&Path> = std::iter::once(base.as_path())
            .chain(config.version_locations.iter().map(PathBuf::as_path))
            .collect();
        std::thread::scope(|scope| {
            let workers: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    let (base, starts) = (&base, &starts);
                    scope.spawn(move || read_files(part, base, starts, headers))
                })
                .collect();
            for worker in workers {
                // Each file's reading is isolated (`read_files`): a worker
                // itself does not fail.
                read.push(worker.join().unwrap_or_default());
            }
        });
        let mut revisions = Vec::with_capacity(files.len());
        let mut problems = Vec::new();
        for (part_revisions, part_problems) in read {
            revisions.extend(part_revisions);
            problems.extend(part_problems);
        }
        ScriptDirectory {
            config,
            revisions,
            problems,
        }
    }

    /// True when a problem makes the scripts unusable (alembic would refuse them).
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|problem| problem.severity() == Severity::Error)
    }
}

/// The project's imports, noting whether a file asked them anything.
struct Watched<'a> {
    imports: &'a dyn Imports,
    asked: Cell<bool>,
}

impl Imports for Watched<'_> {
    fn constant(&self, module: &str, name: &str) -> Option<PyValue> {
        self.asked.set(true);
        self.imports.constant(module, name)
    }
}

fn read_files(
    files: &[PathBuf],
    base: &Path,
    import_roots: &[&Path],
    headers: &RevisionHeaders,
) -> (Vec<RevisionFile>, Vec<ScriptProblem>) {
    let imports = ProjectImports::new(import_roots.iter().copied());
    let mut revisions = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let relative = relative_to(file, base);
        let name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(file) {
            Ok(source) => {
                let key = headers::key(&relative, &name, &source);
                let source = match headers.get(key, &relative, source) {
                    Ok(known) => {
                        revisions.push(known);
                        continue;
                    }
                    Err(source) => source,
                };
                let watched = Watched {
                    imports: &imports,
                    asked: Cell::new(false),
                };
                // A defect of the reader on one file stays that file's problem.
                let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    injected_reader_failure(&name);
                    read_revision_file(&relative, &name, source, &watched)
                }));
                match read {
                    Ok((revision, found)) => {
                        // Variables that depend on nothing but the file.
                        if let Some(file) = &revision
                            && found.is_empty()
                            && !watched.asked.get()
                        {
                            headers.remember(key, file);
                        }
                        revisions.extend(revision);
                        problems.extend(found);
                    }
                    Err(panic) => problems.push(ScriptProblem::new(
                        &relative,
                        None,
                        ProblemKind::ReaderFailed {
                            message: panic_message(panic.as_ref()),
                        },
                    )),
                }
            }
            Err(error) => problems.push(ScriptProblem::new(
                &relative,
                None,
                ProblemKind::Unreadable {
                    message: error.to_string(),
                },
            )),
        }
    }
    (revisions, problems)
}

/// For fault-injection tests only (cargo feature `fault-injection`): with
/// `MIGRATION_DOCTOR_PANIC_ON_FILE=<file name>` the reader fails on that
/// file as a defect would. Without the feature it does nothing.
fn injected_reader_failure(name: &str) {
    #[cfg(feature = "fault-injection")]
    if std::env::var("MIGRATION_DOCTOR_PANIC_ON_FILE").is_ok_and(|file| file == name) {
        panic!("injected reader failure");
    }
    let _ = name;
}

/// The text a panic was raised with (`panic!("...")`), for one-paragraph
/// reports of a defect.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an internal error".to_owned())
}

/// Whether alembic would consider the file a revision script.
fn is_revision_file_name(name: &str) -> bool {
    name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
}

/// Lists revision files as alembic does. Paths are real paths (alembic
/// resolves symlinks too), built from the already-resolved folder so that
/// only symlinked entries cost a `canonicalize`.
fn list_python_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let Ok(mut kind) = entry.file_type() else {
            continue;
        };
        let mut path = entry.path();
        if kind.is_symlink() {
            let Ok(real) = std::fs::canonicalize(&path) else {
                continue; // a dangling link
            };
            let Ok(metadata) = std::fs::metadata(&real) else {
                continue;
            };
            kind = metadata.file_type();
            path = real;
        }
        if kind.is_dir() {
            dirs.push(path);
        } else if entry
            .file_name()
            .to_str()
            .is_some_and(is_revision_file_name)
        {
            files.push(path);
        }
    }
    // By name, as alembic sorts `os.listdir`; each name taken out once
    // (a path's name is found by parsing it).
    files.sort_by_cached_key(|path| path.file_name().map(std::ffi::OsStr::to_owned));
    out.extend(files);
    if recursive {
        dirs.sort();
        for sub in dirs {
            if !sub
                .file_name()
                .is_some_and(|name| name.to_string_lossy().ends_with("__pycache__"))
            {
                list_python_files(&sub, recursive, out);
            }
        }
    }
}

/// `path` relative to `base`, with `..` where it lies outside.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let path_parts: Vec<_> = path.components().collect();
    let base_parts: Vec<_> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_alembic_reads() {
        assert!(is_revision_file_name("ab12_add_users.py"));
        assert!(!is_revision_file_name("__init__.py"));
        assert!(!is_revision_file_name(".#ab12.py"));
        assert!(!is_revision_file_name("notes.txt"));
        assert!(!is_revision_file_name("ab12.pyc"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(
                Path::new("/p/migrations/versions/a.py"),
                Path::new("/p/migrations")
            ),
            PathBuf::from("versions/a.py")
        );
        assert_eq!(
            relative_to(Path::new("/p/other/a.py"), Path::new("/p/migrations")),
            PathBuf::from("../other/a.py")
        );
    }
}
