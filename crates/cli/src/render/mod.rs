//! Rendering of analysis results; only this crate knows output formats.

pub mod diagnosis_json;
pub mod diagnosis_text;
pub mod graph_dot;
pub mod graph_json;
pub mod graph_mermaid;
pub mod graph_text;
pub mod schema_json;
pub mod schema_text;

use std::path::Path;

/// Paths in output use `/` whatever the platform, as alembic users write them.
pub fn portable_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
