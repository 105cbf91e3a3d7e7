//! Comparing a live schema with an expected one. Table and column names
//! decide whether they match; types, nullability, keys and indexes only
//! rank ties and produce findings (they are where dialects and drivers
//! differ most, so they never decide alone).

use std::collections::BTreeSet;

use migration_doctor_schema::{Schema, Table};
use serde::Serialize;

/// How one table differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableDifference {
    pub table: String,
    pub missing_columns: Vec<String>,
    pub unexpected_columns: Vec<String>,
    /// Columns whose type family, nullability or key membership differ.
    pub details: Vec<String>,
}

/// The comparison of a live schema with one expected state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub missing_tables: Vec<String>,
    pub unexpected_tables: Vec<String>,
    pub tables: Vec<TableDifference>,
}

impl Comparison {
    /// Same tables, and the same columns in each.
    pub fn names_match(&self) -> bool {
        self.missing_tables.is_empty()
            && self.unexpected_tables.is_empty()
            && self.tables.iter().all(|table| {
                table.missing_columns.is_empty() && table.unexpected_columns.is_empty()
            })
    }

    /// How far apart by names: every missing or unexpected table and column counts.
    pub fn name_distance(&self) -> usize {
        self.missing_tables.len()
            + self.unexpected_tables.len()
            + self
                .tables
                .iter()
                .map(|table| table.missing_columns.len() + table.unexpected_columns.len())
                .sum::<usize>()
    }

    /// The differences of names (tables and columns), one phrase each, as
    /// both the findings and the detailed report show them.
    pub fn name_differences(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing_tables.is_empty() {
            out.push(format!(
                "missing tables: {}",
                self.missing_tables.join(", ")
            ));
        }
        if !self.unexpected_tables.is_empty() {
            out.push(format!(
                "unexpected tables: {}",
                self.unexpected_tables.join(", ")
            ));
        }
        for table in &self.tables {
            if !table.missing_columns.is_empty() {
                out.push(format!(
                    "{}: missing columns {}",
                    table.table,
                    table.missing_columns.join(", ")
                ));
            }
            if !table.unexpected_columns.is_empty() {
                out.push(format!(
                    "{}: unexpected columns {}",
                    table.table,
                    table.unexpected_columns.join(", ")
                ));
            }
        }
        out
    }

    /// How far apart by details, once the names agree.
    pub fn detail_distance(&self) -> usize {
        self.tables.iter().map(|table| table.details.len()).sum()
    }
}

/// Compares the user tables of `live` (already filtered of ignored ones)
/// with the unqualified tables of `expected`.
pub fn compare(expected: &Schema, live: &Schema, ignored: &dyn Fn(&str) -> bool) -> Comparison {
    let expected_names: BTreeSet<&String> = expected
        .tables
        .keys()
        .filter(|name| !name.contains('.') && !ignored(name))
        .collect();
    let live_names: BTreeSet<&String> = live.tables.keys().filter(|name| !ignored(name)).collect();
    let mut comparison = Comparison {
        missing_tables: expected_names
            .difference(&live_names)
            .map(|name| (*name).clone())
            .collect(),
        unexpected_tables: live_names
            .difference(&expected_names)
            .map(|name| (*name).clone())
            .collect(),
        tables: Vec::new(),
    };
    for name in expected_names.intersection(&live_names) {
        let difference = compare_table(name, &expected.tables[*name], &live.tables[*name]);
        if difference
            != (TableDifference {
                table: (*name).clone(),
                ..TableDifference::default()
            })
        {
            comparison.tables.push(difference);
        }
    }
    comparison
}

fn compare_table(name: &str, expected: &Table, live: &Table) -> TableDifference {
    let expected_columns: BTreeSet<&str> =
        expected.columns.iter().map(|c| c.name.as_str()).collect();
    let live_columns: BTreeSet<&str> = live.columns.iter().map(|c| c.name.as_str()).collect();
    let mut difference = TableDifference {
        table: name.to_owned(),
        missing_columns: expected_columns
            .difference(&live_columns)
            .map(|c| (*c).to_owned())
            .collect(),
        unexpected_columns: live_columns
            .difference(&expected_columns)
            .map(|c| (*c).to_owned())
            .collect(),
        details: Vec::new(),
    };
    for column in &expected.columns {
        let Some(found) = live.column(&column.name) else {
            continue;
        };
        let comparable = !matches!(
            column.type_family,
            migration_doctor_schema::TypeFamily::Other(_)
        );
        if comparable && column.type_family != found.type_family {
            difference.details.push(format!(
                "column {}: expected type {}, found {} ({})",
                column.name, column.type_family, found.type_family, found.native_type
            ));
        }
        if column.nullable != found.nullable {
            difference.details.push(format!(
                "column {}: expected {}, found {}",
                column.name,
                if column.nullable {
                    "NULL allowed"
                } else {
                    "NOT NULL"
                },
                if found.nullable {
                    "NULL allowed"
                } else {
                    "NOT NULL"
                }
            ));
        }
    }
    if expected.primary_key != live.primary_key {
        difference.details.push(format!(
            "primary key: expected ({}), found ({})",
            expected.primary_key.join(", "),
            live.primary_key.join(", ")
        ));
    }
    let named = |indexes: &[migration_doctor_schema::Index]| -> BTreeSet<String> {
        indexes
            .iter()
            .filter_map(|index| index.name.clone())
            .collect()
    };
    let (expected_indexes, live_indexes) = (named(&expected.indexes), named(&live.indexes));
    for index in expected_indexes.difference(&live_indexes) {
        difference
            .details
            .push(format!("index {index}: expected, not found"));
    }
    for index in live_indexes.difference(&expected_indexes) {
        difference
            .details
            .push(format!("index {index}: found, not expected"));
    }
    difference
}

#[cfg(test)]
mod tests {
    use migration_doctor_schema::{Column, Schema, Table, TypeFamily};

    use super::*;

    fn table(columns: &[(&str, TypeFamily)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(name, family)| Column {
                    name: (*name).to_owned(),
                    type_family: family.clone(),
                    native_type: String::new(),
                    nullable: true,
                    default: None,
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn names_decide_details_rank() {
        let mut expected = Schema::default();
        expected.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]),
        );
        let mut live = Schema::default();
        live.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::BigInteger), ("email", TypeFamily::Text)]),
        );
        live.insert_table("audit".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let comparison = compare(&expected, &live, &|name| name == "audit");
        assert!(comparison.names_match(), "{comparison:?}");
        assert_eq!(
            comparison.detail_distance(),
            1,
            "the type differs: a detail, not a mismatch"
        );
        let comparison = compare(&expected, &live, &|_| false);
        assert!(!comparison.names_match());
        assert_eq!(comparison.unexpected_tables, ["audit"]);
        assert_eq!(comparison.name_distance(), 1);
    }
}
