//! Reads an alembic project statically: its configuration (`alembic.ini`,
//! `pyproject.toml`) and its revision files, without Python and without a
//! database.
//!
//! ```no_run
//! use migration_doctor_scripts::{ConfigRequest, ScriptDirectory, load_config};
//! let config = load_config(&ConfigRequest {
//!     working_dir: std::env::current_dir()?,
//!     ..ConfigRequest::default()
//! })?;
//! let scripts = ScriptDirectory::read(config);
//! for revision in &scripts.revisions {
//!     println!("{} <- {:?}", revision.revision, revision.down_revisions);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod directory;
mod headers;
mod imports;
mod ini;
mod literal;
mod module_scope;
mod problem;
mod revision_file;

pub use config::{AlembicConfig, ConfigError, ConfigRequest, DEFAULT_SECTION, load_config};
pub use directory::{ScriptDirectory, panic_message, relative_to};
pub use headers::{RevisionHeaders, replace_file};
pub use imports::{ModuleRoots, ProjectImports};
pub use ini::{IniDocument, IniError};
pub use literal::{Imports, NoImports, PyValue, Scope, evaluate};
pub use module_scope::module_scope;
pub use problem::{ProblemKind, ScriptProblem, Severity};
pub use revision_file::{RevisionFile, read_revision_file};
