pub mod cache;
pub mod check;
pub mod database;
pub mod diagnose;
pub mod fleet;
pub mod graph;
pub mod recover;
pub mod schema;
