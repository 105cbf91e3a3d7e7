//! What a project adds to its revisions' own operations.

use std::sync::Arc;

use crate::naming::NamingConvention;

/// What a project adds to its revisions' own operations.
#[derive(Debug, Clone, Default)]
pub struct ProjectSetup {
    /// The models whose tables exist before the base revisions
    /// (`package.module:Base.metadata`).
    pub baseline: Option<String>,
    /// The naming convention alembic's operations use (from `env.py`).
    pub naming: Arc<NamingConvention>,
    /// The ini's main section, for `context.config.get_main_option(...)`.
    pub main_options: Arc<Vec<(String, String)>>,
}
