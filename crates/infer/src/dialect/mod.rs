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
/// given ("auto"): on SQLite, which cannot alter a table in place.
pub fn batch_rebuilds_by_default(dialect: Dialect) -> bool {
    dialect == Dialect::Sqlite
}

/// Whether `alter_column` restates the whole column (`MODIFY`/`CHANGE`)
/// for a new type, a new name or a nullability change, with
/// `existing_type` and `existing_nullable` filling in what is not changed.
pub fn alter_restates_column(dialect: Dialect) -> bool {
    dialect == Dialect::Mysql
}

/// Whether unique constraints are unique indexes (MySQL): making one makes
/// the other, dropping one drops both.
pub fn unique_constraints_are_indexes(dialect: Dialect) -> bool {
    dialect == Dialect::Mysql
}

/// Whether dropping a column drops whole every index and unique constraint
/// that names it (PostgreSQL; SQLite's batch rebuild), rather than taking
/// the column out of them (MySQL).
pub fn drop_column_takes_whole_keys(dialect: Dialect) -> bool {
    dialect != Dialect::Mysql
}

/// Whether dropping a column of the primary key drops the whole key
/// (PostgreSQL), rather than the key keeping its other columns.
pub fn drop_column_drops_primary_key(dialect: Dialect) -> bool {
    dialect == Dialect::Postgresql
}

/// Whether `ALTER COLUMN ... TYPE` to an enum type that exists keeps that
/// type's labels (PostgreSQL: alembic adds none).
pub fn alter_type_keeps_enum_labels(dialect: Dialect) -> bool {
    dialect == Dialect::Postgresql
}

/// Whether one `CREATE TABLE` makes one index for a key and the unique
/// constraints that repeat its columns (PostgreSQL), so that the
/// repetitions are not made.
pub fn merges_repeated_unique_keys(dialect: Dialect) -> bool {
    dialect == Dialect::Postgresql
}

/// Whether a primary-key column declared `nullable=True` stays nullable
/// (SQLite: SQLAlchemy writes no NOT NULL and SQLite adds none).
pub fn key_column_may_stay_nullable(dialect: Dialect) -> bool {
    dialect == Dialect::Sqlite
}

/// Whether `name` (as `with_variant(..., "mariadb")` gives it) names
/// `dialect`.
pub fn answers_to(dialect: Dialect, name: &str) -> bool {
    name == dialect.name() || (dialect == Dialect::Mysql && name == "mariadb")
}

/// The name the database gives an unnamed unique constraint on `columns`
/// of `table` (bare name `bare`), where it gives one.
pub(crate) fn unique_constraint_name(
    dialect: Dialect,
    table: &migration_doctor_schema::Table,
    bare: &str,
    columns: &[String],
) -> Option<String> {
    match dialect {
        Dialect::Postgresql => Some(postgresql::constraint_name(bare, columns, "key")),
        Dialect::Mysql => Some(mysql::index_name(table, columns)),
        Dialect::Sqlite => None,
    }
}

/// The name the database gives an unnamed foreign key on `columns` of
/// `table` (bare name `bare`), where it gives one.
pub(crate) fn foreign_key_name(
    dialect: Dialect,
    table: &migration_doctor_schema::Table,
    bare: &str,
    columns: &[String],
) -> Option<String> {
    match dialect {
        Dialect::Postgresql => Some(postgresql::constraint_name(bare, columns, "fkey")),
        Dialect::Mysql => Some(mysql::foreign_key_name(table, bare)),
        Dialect::Sqlite => None,
    }
}
