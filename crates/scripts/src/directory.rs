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

use crate::config::AlembicConfig;
use crate::imports::ProjectImports;
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
        let base = std::fs::canonicalize(&config.script_location)
            .unwrap_or_else(|_| config.script_location.clone());
        let mut revisions = Vec::new();
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        let imports = ProjectImports::new(
            std::iter::once(base.as_path())
                .chain(config.version_locations.iter().map(PathBuf::as_path)),
        );
        for location in &config.version_locations {
            if !location.is_dir() {
                continue;
            }
            let mut files = Vec::new();
            list_python_files(location, config.recursive_version_locations, &mut files);
            for file in files {
                let real = std::fs::canonicalize(&file).unwrap_or(file);
                if !seen.insert(real.clone()) {
                    continue;
                }
                let relative = relative_to(&real, &base);
                let name = real
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let source = match std::fs::read_to_string(&real) {
                    Ok(source) => source,
                    Err(error) => {
                        problems.push(ScriptProblem::new(
                            &relative,
                            None,
                            ProblemKind::Unreadable {
                                message: error.to_string(),
                            },
                        ));
                        continue;
                    }
                };
                let (revision, found) = read_revision_file(&relative, &name, source, &imports);
                revisions.extend(revision);
                problems.extend(found);
            }
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

/// Whether alembic would consider the file a revision script.
fn is_revision_file_name(name: &str) -> bool {
    name.ends_with(".py") && !name.starts_with("__init__") && !name.starts_with(".#")
}

fn list_python_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path);
        } else if entry
            .file_name()
            .to_str()
            .is_some_and(is_revision_file_name)
        {
            files.push(path);
        }
    }
    files.sort();
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
