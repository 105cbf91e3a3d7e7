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
mod compare;
mod patterns;
mod plan;

pub use analyze::{
    AnalysisInput, AnalysisOptions, ClosestState, Collision, Completion, Diagnosis, Evidence,
    Finding, FindingCode, Hint, PartialRevision, ProbeAnswer, ProbeReport, ProbeRequest,
    ProbeResult, Refusal, Severity, State, Strategy, TiePolicy, analyze,
};
pub use compare::{Comparer, Comparison, Score, TableDifference, compare};
pub use patterns::{InvalidPattern, TablePatterns};
pub use plan::plan_for;
