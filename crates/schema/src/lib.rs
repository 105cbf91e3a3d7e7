//! The schema model shared by both halves of migration-doctor: the expected
//! schema derived from migrations and the live schema read from a database
//! are values of these same types, so that they can be compared.
//!
//! The database as found ([`LiveDatabase`]: its schema and version table)
//! is modelled here too, so that the analysis needs no database driver.
//!
//! Everything here is a plain value: no I/O, no database, no dialect
//! connection. Names are kept exactly as the database (or the migration)
//! spells them; comparison rules live in the diagnosis.

mod database;
mod model;
mod plan;
mod types;

pub use database::{DEFAULT_VERSION_TABLE, LiveDatabase, VersionTable, VersionTableContents};
pub use model::{
    Column, Dialect, ForeignKey, Index, ReferentialAction, Schema, Table, Tables, UniqueConstraint,
    string_literal,
};
pub use plan::{PlanStep, VersionTablePlace};
pub use types::TypeFamily;
