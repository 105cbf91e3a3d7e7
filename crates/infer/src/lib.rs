//! The expected schema after every revision, derived statically from each
//! revision's `upgrade()`: no Python, no database.
//!
//! [`ExpectedSchemas::compute`] interprets every revision of a graph once,
//! in the graph's order, for one dialect. Each revision's effect is kept as
//! a list of [`Operation`]s; the expected schema is what applying them
//! gives. What cannot be followed statically is kept as
//! [`UnknownOperation`]s (file, line, text), never dropped, and the tables
//! it may touch are [`Uncertainty`].

#![warn(clippy::too_many_lines)]

mod api;
mod apply;
mod cache;
mod ddl;
pub mod dialect;
mod env_py;
mod interpreter;
mod keys;
mod models;
mod modules;
mod naming;
mod operation;
mod outcome;
mod probe;
mod resolver;
mod sa_types;
mod setup;
mod states;
mod value;

pub use api::{env_naming_convention, run_upgrade, run_upgrade_in, run_upgrade_with};
pub use apply::ApplyError;
pub use cache::{CacheState, OperationsCache};
pub use ddl::{DdlStatement, NotRenderable, creates, render_creations};
pub use env_py::target_metadata_path;
pub use keys::qualified_table;
pub use models::{BaselineError, run_baseline};
pub use modules::{ModuleCache, ModuleRead, ModuleSource};
pub use naming::NamingConvention;
pub use operation::{
    ColumnChange, DataStep, Operation, OperationAt, Probe, Uncertainty, UnknownOperation,
};
pub use outcome::RevisionOutcome;
pub use sa_types::type_family;
pub use setup::ProjectSetup;
pub use states::{ExpectedSchemas, ExpectedState, ManagedObjects, apply_operation};
