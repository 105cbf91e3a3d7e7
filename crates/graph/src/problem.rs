//! What can be wrong with a revision graph. Each message names the cause,
//! the files involved, and the next step.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphProblem {
    /// Two files declare the same revision id.
    DuplicateRevision {
        revision: String,
        paths: Vec<PathBuf>,
    },
    /// The id holds a character alembic forbids (`@ - + :`), or is empty.
    IllegalRevisionId {
        revision: String,
        path: PathBuf,
        characters: Vec<char>,
    },
    /// A revision names itself as its parent or dependency.
    SelfReference { revision: String, path: PathBuf },
    /// `down_revision` names a revision no file declares.
    MissingDownRevision {
        revision: String,
        path: PathBuf,
        missing: String,
        suggestions: Vec<String>,
    },
    /// `depends_on` names a revision or label no file declares.
    MissingDependency {
        revision: String,
        path: PathBuf,
        missing: String,
        suggestions: Vec<String>,
    },
    /// Two revisions declare the same branch label.
    DuplicateBranchLabel { label: String, paths: Vec<PathBuf> },
    /// A branch label equals a revision id.
    LabelShadowsRevision {
        label: String,
        path: PathBuf,
        revision: String,
    },
    /// Revisions that are their own ancestors, oldest first; `above` counts
    /// the revisions that descend from a cycle and are cut off with it.
    Cycle {
        revisions: Vec<String>,
        paths: Vec<PathBuf>,
        above: usize,
    },
}

impl GraphProblem {
    /// The file the problem is in (the first, when several are).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            GraphProblem::IllegalRevisionId { path, .. }
            | GraphProblem::SelfReference { path, .. }
            | GraphProblem::MissingDownRevision { path, .. }
            | GraphProblem::MissingDependency { path, .. }
            | GraphProblem::LabelShadowsRevision { path, .. } => Some(path),
            GraphProblem::DuplicateRevision { paths, .. }
            | GraphProblem::DuplicateBranchLabel { paths, .. }
            | GraphProblem::Cycle { paths, .. } => paths.first().map(PathBuf::as_path),
        }
    }

    /// A short stable name for the kind of problem (used in JSON findings).
    pub fn code(&self) -> &'static str {
        match self {
            GraphProblem::DuplicateRevision { .. } => "duplicate_revision",
            GraphProblem::IllegalRevisionId { .. } => "illegal_revision_id",
            GraphProblem::SelfReference { .. } => "self_reference",
            GraphProblem::MissingDownRevision { .. } => "missing_down_revision",
            GraphProblem::MissingDependency { .. } => "missing_dependency",
            GraphProblem::DuplicateBranchLabel { .. } => "duplicate_branch_label",
            GraphProblem::LabelShadowsRevision { .. } => "label_shadows_revision",
            GraphProblem::Cycle { .. } => "cycle",
        }
    }
}

fn paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| path.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn maybe(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(" or "))
    }
}

fn show(path: &Path) -> std::path::Display<'_> {
    path.display()
}

impl fmt::Display for GraphProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphProblem::DuplicateRevision {
                revision,
                paths: files,
            } => write!(
                f,
                "revision id {revision} is declared by more than one file ({}); alembic would \
                 silently use only the last. Give one of them a new id (and update the \
                 down_revision that points to it), or delete the stale copy",
                paths(files)
            ),
            GraphProblem::IllegalRevisionId {
                revision,
                path,
                characters,
            } => {
                if characters.is_empty() {
                    write!(
                        f,
                        "{}: the revision id is empty; give the revision an id",
                        show(path)
                    )
                } else {
                    write!(
                        f,
                        "{}: revision id `{revision}` contains {}, which alembic does not allow \
                         in revision ids; rename the revision",
                        show(path),
                        characters
                            .iter()
                            .map(|c| format!("'{c}'"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }
            GraphProblem::SelfReference { revision, path } => write!(
                f,
                "{}: revision {revision} names itself in down_revision or depends_on; point it \
                 at its real parent",
                show(path)
            ),
            GraphProblem::MissingDownRevision {
                revision,
                path,
                missing,
                suggestions,
            } => write!(
                f,
                "{}: revision {revision} has down_revision {missing}, but no file declares \
                 revision {missing}{}; restore the missing file, or point down_revision at the \
                 right parent",
                show(path),
                maybe(suggestions)
            ),
            GraphProblem::MissingDependency {
                revision,
                path,
                missing,
                suggestions,
            } => write!(
                f,
                "{}: revision {revision} depends on {missing}, but no revision or branch label \
                 is called that{}; fix depends_on, or restore the missing file",
                show(path),
                maybe(suggestions)
            ),
            GraphProblem::DuplicateBranchLabel {
                label,
                paths: files,
            } => write!(
                f,
                "branch label `{label}` is declared by more than one revision ({}); alembic \
                 refuses this. Keep the label on the first revision of its branch only",
                paths(files)
            ),
            GraphProblem::LabelShadowsRevision {
                label,
                path,
                revision,
            } => write!(
                f,
                "{}: branch label `{label}` is also the id of revision {revision}; alembic \
                 refuses this. Rename the label",
                show(path)
            ),
            GraphProblem::Cycle {
                revisions,
                paths: files,
                above,
            } => {
                let mut chain = revisions.join(" -> ");
                if let Some(first) = revisions.first() {
                    chain.push_str(" -> ");
                    chain.push_str(first);
                }
                write!(
                    f,
                    "the revisions form a cycle: {chain} (each is the parent of the next; files: \
                     {})",
                    paths(files)
                )?;
                if *above > 0 {
                    write!(f, ", and {above} revision(s) above it cannot be ordered")?;
                }
                write!(
                    f,
                    "; fix the down_revision of one of them so that the history runs one way"
                )
            }
        }
    }
}
