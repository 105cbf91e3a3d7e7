//! What PostgreSQL does on its own: the names it gives unnamed
//! constraints, and the length it cuts identifiers to.

/// PostgreSQL's identifier limit (NAMEDATALEN - 1).
pub(crate) const MAX_IDENTIFIER: usize = 63;

/// PostgreSQL's limit on a table's columns (MaxHeapAttributeNumber).
pub(crate) const MAX_COLUMNS: usize = 1_600;

/// A table or column name as PostgreSQL keeps it: cut to 63 bytes (at a
/// character boundary), which SQLAlchemy does not check for tables and
/// columns.
pub(crate) fn clip(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER {
        return name.to_owned();
    }
    let mut end = MAX_IDENTIFIER;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

/// PostgreSQL's name for an unnamed constraint: `<table>_<columns>_<suffix>`,
/// cut to 63 bytes as `ChooseConstraintName` does.
pub(crate) fn constraint_name(table: &str, columns: &[String], suffix: &str) -> String {
    let mut name = format!("{table}_{}_{suffix}", columns.join("_"));
    if name.len() > MAX_IDENTIFIER {
        let keep = MAX_IDENTIFIER - suffix.len() - 1;
        let mut head = format!("{table}_{}", columns.join("_"));
        while head.len() > keep {
            head.pop();
        }
        name = format!("{head}_{suffix}");
    }
    name
}
