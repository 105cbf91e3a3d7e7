//! Indexes: created and dropped, with the names and implicit indexes
//! each dialect adds.

use migration_doctor_schema::{Index, UniqueConstraint};

use std::sync::Arc;

use super::applier::{Applied, Applier, ApplyError};
use crate::dialect;
use crate::keys::bare_name;
use crate::operation::Operation;

impl Applier<'_> {
    pub fn create_index(
        &mut self,
        key: &str,
        name: &str,
        columns: Vec<String>,
        unique: bool,
    ) -> Applied {
        let dialect = self.dialect;
        // PostgreSQL cuts a name that is too long (raw SQL reaches it; an
        // expression is text, not a name, and keeps its length).
        let clipped_name = self.clip(name);
        let name = clipped_name.as_str();
        let columns: Vec<String> = columns
            .iter()
            .map(|column| without_ordering(column))
            .map(|column| {
                if column.contains(['(', ' ']) {
                    column
                } else {
                    self.clip(&column)
                }
            })
            .collect();
        let table = self.table(key)?;
        if table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some(name))
        {
            return Err(ApplyError::IndexExists {
                table: key.to_owned(),
                index: name.to_owned(),
            });
        }
        if dialect::makes_foreign_key_indexes(dialect) {
            dialect::mysql::drop_implicit_key_indexes(table, &columns);
            if unique {
                // A MySQL unique index is also its unique constraint.
                table.unique_constraints.push(UniqueConstraint {
                    name: Some(name.to_owned()),
                    columns: columns.clone(),
                });
            }
        }
        table.indexes.push(Index {
            name: Some(name.to_owned()),
            columns: columns.clone(),
            unique,
        });
        self.record(Operation::CreateIndex {
            table: key.to_owned(),
            name: name.to_owned(),
            columns,
            unique,
        });
        Ok(())
    }

    /// Drops an index by name, from the named table or from whichever holds it.
    pub fn drop_index(&mut self, name: &str, key: Option<&str>) -> Applied {
        let dialect = self.dialect;
        let mut dropped_from = None;
        let holding: Vec<String> = self
            .schema
            .tables
            .iter()
            .filter(|(table_key, table)| {
                !key.is_some_and(|key| key != *table_key && bare_name(key) != *table_key)
                    && table
                        .indexes
                        .iter()
                        .any(|index| index.name.as_deref() == Some(name))
            })
            .map(|(table_key, _)| table_key.clone())
            .collect();
        for table_key in holding {
            let Some(table) = self.schema.tables.get_mut(&table_key) else {
                continue;
            };
            let table = Arc::make_mut(table);
            table
                .indexes
                .retain(|index| index.name.as_deref() != Some(name));
            {
                if dialect::unique_constraints_are_indexes(dialect) {
                    table
                        .unique_constraints
                        .retain(|unique| unique.name.as_deref() != Some(name));
                }
                dropped_from = Some(table_key.clone());
                break;
            }
        }
        let table = dropped_from.ok_or_else(|| ApplyError::IndexMissing(name.to_owned()))?;
        self.record(Operation::DropIndex {
            table,
            name: name.to_owned(),
        });
        Ok(())
    }
}

/// An index part written as text (`sa.text("created DESC")`) names its
/// column with an ordering, which the databases' catalogs (and so the live
/// schema) keep apart from the column: the column's name, or the text as it
/// is when it is an expression.
fn without_ordering(part: &str) -> String {
    let mut words: Vec<&str> = part.split_whitespace().collect();
    let upper: Vec<String> = words.iter().map(|word| word.to_ascii_uppercase()).collect();
    let mut keep = words.len();
    if keep >= 3
        && upper[keep - 2] == "NULLS"
        && matches!(upper[keep - 1].as_str(), "FIRST" | "LAST")
    {
        keep -= 2;
    }
    if keep >= 2 && matches!(upper[keep - 1].as_str(), "ASC" | "DESC") {
        keep -= 1;
    }
    words.truncate(keep);
    match words.as_slice() {
        [column] if keep < upper.len() && is_identifier(column) => {
            column.trim_matches(|c| c == '"' || c == '`').to_owned()
        }
        _ => part.to_owned(),
    }
}

fn is_identifier(word: &str) -> bool {
    let bare = word.trim_matches(|c| c == '"' || c == '`');
    !bare.is_empty() && bare.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::without_ordering;

    #[test]
    fn an_ordered_index_part_is_its_column() {
        assert_eq!(without_ordering("version_major DESC"), "version_major");
        assert_eq!(without_ordering("\"start time\" ASC"), "\"start time\" ASC");
        assert_eq!(without_ordering("`created` desc nulls last"), "created");
        assert_eq!(without_ordering("created"), "created");
        assert_eq!(without_ordering("lower(name) DESC"), "lower(name) DESC");
        assert_eq!(without_ordering("DESC"), "DESC");
    }
}
