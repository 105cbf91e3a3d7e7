pub mod database;
pub mod graph;
pub mod schema;
