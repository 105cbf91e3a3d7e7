//! What each database does on its own, beyond what a migration says: the
//! names it gives unnamed constraints and indexes, the indexes it makes for
//! foreign keys, what an `ALTER` restates, its limits. One module per
//! dialect; the applier, the DDL renderer and the comparison read them
//! here, so that each behaviour is written down once.

pub mod mysql;
pub mod postgresql;
pub mod sqlite;

use migration_doctor_schema::Dialect;

/// The most columns a table can have on `dialect`: past it the database
/// refuses the column, and the bound keeps a hostile file's name checks
/// small.
pub fn max_columns(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Postgresql => postgresql::MAX_COLUMNS,
        Dialect::Mysql => mysql::MAX_COLUMNS,
        Dialect::Sqlite => sqlite::MAX_COLUMNS,
    }
}

/// The longest name the database keeps whole, where it cuts longer ones
/// (SQLite keeps any length).
pub fn identifier_limit(dialect: Dialect) -> Option<usize> {
    match dialect {
        Dialect::Postgresql => Some(postgresql::MAX_IDENTIFIER),
        Dialect::Mysql => Some(mysql::MAX_IDENTIFIER),
        Dialect::Sqlite => None,
    }
}

/// Whether the server makes (and names) an index of its own for a foreign
/// key: InnoDB does, so such an index is the server's, not a migration's.
pub fn makes_foreign_key_indexes(dialect: Dialect) -> bool {
    dialect == Dialect::Mysql
}

/// Whether DDL runs inside the revision's transaction, so that a failing
/// revision leaves nothing behind (MySQL commits each DDL statement).
pub fn transactional_ddl(dialect: Dialect) -> bool {
    dialect != Dialect::Mysql
}

/// Whether `batch_alter_table` rebuilds its table when `recreate=` is not
/// given.
pub fn batch_rebuilds_by_default(dialect: Dialect) -> bool {
    dialect == Dialect::Sqlite && sqlite::BATCH_REBUILDS_BY_DEFAULT
}

/// Whether `alter_column` restates the whole column (`MODIFY`/`CHANGE`)
/// for a new type, a new name or a nullability change, with
/// `existing_type` and `existing_nullable` filling in what is not changed.
pub fn alter_restates_column(dialect: Dialect) -> bool {
    dialect == Dialect::Mysql
}
