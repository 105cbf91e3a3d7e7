//! The expected schema after every revision, derived statically from each
//! revision's `upgrade()`: no Python, no database.
//!
//! [`ExpectedSchemas::compute`] interprets every revision of a graph once,
//! in the graph's order, for one dialect. What cannot be followed statically
//! is kept as [`UnknownOperation`]s (file, line, text), never dropped.

mod apply;
mod interpreter;
mod modules;
mod operations;
mod sa_types;
mod sql;
mod states;
mod value;

pub use interpreter::{RevisionOutcome, UnknownOperation, run_upgrade, run_upgrade_in};
pub use sa_types::type_family;
pub use states::ExpectedSchemas;
