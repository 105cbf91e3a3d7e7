//! The diagnosis: which state a database's migration tracking is in, which
//! revision its schema really matches, and which strategy recovers it.
//!
//! [`analyze`] is a pure, deterministic function of the revision graph, the
//! expected schemas, the live schema and the version rows; it changes
//! nothing anywhere. [`plan_for`] turns a strategy into the SQL it would run,
//! which only ever touches the version table.

mod analyze;
mod compare;
mod plan;

pub use analyze::{
    AnalysisInput, AnalysisOptions, ClosestState, Diagnosis, Finding, Severity, State, Strategy,
    TiePolicy, analyze, glob_match,
};
pub use compare::{Comparison, TableDifference, compare};
pub use plan::plan_for;
