//! What SQLite does on its own: it cannot alter a table in place, so
//! alembic's batch blocks rebuild the table (copy, drop, rename).

/// SQLite's default limit on a table's columns (SQLITE_MAX_COLUMN).
pub(crate) const MAX_COLUMNS: usize = 2_000;
