//! A small interpreter for the Python of migration files: enough of the
//! language that real ones use (constants, string formatting, lists, `for`
//! over literal collections, helper functions, conditionals, classes of the
//! project) to follow every call they make.
//!
//! It knows Python, not alembic or SQLAlchemy: what a name, an attribute or
//! a call means beyond the language is asked of its [`Host`] (see
//! `crate::api`). Whatever cannot be known statically becomes an unknown
//! operation with its file, line and text; it is never silently dropped,
//! and the branches it guards are not guessed.

mod calls;
mod expressions;
pub(crate) mod python;
mod run;
mod statements;

pub(crate) use run::{Host, Interpreter, Names};
