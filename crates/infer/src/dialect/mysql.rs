//! What MySQL (and MariaDB) do on their own: the names InnoDB gives
//! unnamed indexes and foreign keys, and the index it makes for a foreign
//! key and drops again once another index can serve it.

use migration_doctor_schema::Table;

/// MySQL's identifier limit.
pub(crate) const MAX_IDENTIFIER: usize = 64;

/// InnoDB's limit on a table's columns.
pub(crate) const MAX_COLUMNS: usize = 4_096;

/// InnoDB drops the index it made for a foreign key once another index
/// (here one on `columns`) can serve the key.
pub(crate) fn drop_implicit_key_indexes(table: &mut Table, columns: &[String]) {
    let implicit: Vec<(Vec<String>, Vec<String>)> = table
        .foreign_keys
        .iter()
        .filter(|key| columns.starts_with(&key.columns))
        .map(|key| {
            let names = key
                .name
                .iter()
                .cloned()
                .chain(key.columns.first().cloned())
                .collect();
            (key.columns.clone(), names)
        })
        .collect();
    table.indexes.retain(|index| {
        !implicit.iter().any(|(columns, names)| {
            index.columns == *columns
                && index.name.as_ref().is_some_and(|name| names.contains(name))
        })
    });
}

/// MySQL names an unnamed index after its first column, adding `_2`, `_3`…
/// when that name is taken.
pub(crate) fn index_name(table: &Table, columns: &[String]) -> String {
    let base = columns.first().cloned().unwrap_or_default();
    let taken = |candidate: &str| {
        table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some(candidate))
    };
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or(base)
}

/// `orders_ibfk_2`: the name InnoDB gives an unnamed foreign key of `orders`.
pub(crate) fn is_generated_key_name(table: &str, name: &str) -> bool {
    name.strip_prefix(table)
        .and_then(|rest| rest.strip_prefix("_ibfk_"))
        .is_some_and(|number| !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
}

/// InnoDB's name for an unnamed foreign key of `table` (bare name
/// `bare`): `<table>_ibfk_<n>`, numbered after the keys it has.
pub(crate) fn foreign_key_name(table: &Table, bare: &str) -> String {
    format!("{bare}_ibfk_{}", table.foreign_keys.len() + 1)
}
