//! What SQLite does on its own: it cannot alter a table in place, so
//! alembic's batch blocks rebuild the table (copy, drop, rename).

/// Whether `batch_alter_table` rebuilds the table when `recreate=` is not
/// given ("auto"): on SQLite it does.
pub(crate) const BATCH_REBUILDS_BY_DEFAULT: bool = true;

/// SQLite's default limit on a table's columns (SQLITE_MAX_COLUMN).
pub(crate) const MAX_COLUMNS: usize = 2_000;
