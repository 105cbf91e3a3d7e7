//! Problems met while reading a script directory. Reading never fails as a
//! whole: it returns what it could read and these.

use std::fmt;
use std::path::{Path, PathBuf};

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// alembic itself would refuse the scripts: the graph cannot be trusted.
    Error,
    /// Worth knowing; the graph is still the one alembic builds.
    Warning,
}

/// A problem in one file, with its position when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptProblem {
    /// The file, relative to the script directory.
    pub path: PathBuf,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file is not valid Python.
    Syntax { message: String },
    /// A revision variable is bound to something only Python could compute.
    NotLiteral { variable: String, text: String },
    /// A revision variable has a value alembic cannot use.
    WrongType {
        variable: String,
        expected: &'static str,
    },
    /// The file declares `revision` but no `down_revision`.
    NoDownRevision { revision: String },
    /// A `.py` file without `revision` whose name is no legacy id.
    NoRevision,
    /// The file could not be read.
    Unreadable { message: String },
    /// The reader itself failed on this file (a defect of migration-doctor,
    /// kept to this one file).
    ReaderFailed { message: String },
}

impl ScriptProblem {
    pub fn new(path: &Path, position: Option<(usize, usize)>, kind: ProblemKind) -> ScriptProblem {
        ScriptProblem {
            path: path.to_path_buf(),
            position,
            kind,
        }
    }

    pub fn severity(&self) -> Severity {
        match self.kind {
            ProblemKind::NoRevision => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for ScriptProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": ")?;
        match &self.kind {
            ProblemKind::Syntax { message } => write!(
                f,
                "the file is not valid Python ({message}); alembic cannot import it either. \
                 Fix the syntax, or move the file out of the versions folder"
            ),
            ProblemKind::NotLiteral { variable, text } => write!(
                f,
                "`{variable}` is computed (`{text}`) and cannot be read without running Python. \
                 Write it as a string literal, as alembic's templates do"
            ),
            ProblemKind::WrongType { variable, expected } => write!(
                f,
                "`{variable}` must be {expected}. Fix the assignment in the file"
            ),
            ProblemKind::NoDownRevision { revision } => write!(
                f,
                "revision {revision} has no `down_revision` variable, so alembic cannot place \
                 it. Add `down_revision = None` for a base, or the parent's id"
            ),
            ProblemKind::NoRevision => write!(
                f,
                "no `revision` variable; migration-doctor ignores this file, but alembic \
                 refuses to load it (\"Could not determine revision id from filename\"). Move \
                 helper modules out of the versions folder"
            ),
            ProblemKind::Unreadable { message } => write!(
                f,
                "cannot be read ({message}). Check the file's permissions and encoding (UTF-8)"
            ),
            ProblemKind::ReaderFailed { message } => write!(
                f,
                "migration-doctor failed while reading this file ({message}); the other files \
                 were read. Please report it with the file attached"
            ),
        }
    }
}
