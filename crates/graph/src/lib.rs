//! The alembic revision graph: heads, bases, branch and merge points, branch
//! labels, `depends_on`, identifier resolution, and the problems that make a
//! graph untrustworthy (cycles, missing parents, duplicate ids).
//!
//! The graph is a plain value built from the files the `scripts` crate read;
//! it never touches the file system or a database.

mod graph;
mod problem;
mod resolve;
mod revision_set;

pub use graph::{Revision, RevisionGraph, RevisionIndex};
pub use problem::GraphProblem;
pub use resolve::ResolveError;
pub use revision_set::RevisionSet;
