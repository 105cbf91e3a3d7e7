//! The diagnosis: which state a database's migration tracking is in, which
//! revision its schema really matches, how strong the evidence is, and which
//! strategy recovers it.
//!
//! [`analyze`] is a pure, deterministic function of the revision graph, the
//! expected schemas, the live schema, the version rows and the answers to
//! data probes; it changes nothing anywhere. When it needs a probe answered
//! it says so ([`Diagnosis::probe_requests`]): the caller runs the read-only
//! queries and analyses again. [`plan_for`] turns a strategy into the SQL it
//! would run, which only ever touches the version table.

mod analyze;
mod collisions;
mod compare;
mod completion;
mod context;
mod diagnosis;
mod expression;
mod matching;
mod partial;
mod patterns;
mod plan;
mod ties;
mod valid_rows;
mod verdict;
mod version_rows;
mod vocabulary;

#[cfg(test)]
mod tests;

pub use analyze::analyze;
pub use compare::{Comparer, Comparison, Object, ObjectRules, Score, TableDifference, compare};
pub use diagnosis::{
    AnalysisInput, AnalysisOptions, ClosestState, Collision, Completion, Diagnosis,
    PartialRevision, ProbeAnswer, ProbeReport, ProbeRequest, ProbeResult,
};
pub use migration_doctor_graph::RevisionSet;
pub use patterns::{InvalidPattern, ObjectPatterns, TablePatterns};
pub use plan::plan_for;
pub use vocabulary::{
    Evidence, Finding, FindingCode, Hint, Refusal, Severity, State, Strategy, TiePolicy,
};
