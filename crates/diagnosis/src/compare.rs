//! Comparing a live schema with an expected state in every detail the
//! migrations determine: tables, columns, type family, nullability, primary
//! key, unique constraints, indexes and foreign keys. Names alone never make
//! a match.
//!
//! A difference in a table that an unknown operation may have touched is
//! *unverified*: it is listed, and it proves nothing either way. Unique
//! constraints and foreign keys are compared by what they constrain (their
//! columns and targets), because their names are where dialects, drivers and
//! naming conventions differ most; indexes by name, columns and uniqueness.
//! Types are compared by family, and a type the reader could not resolve
//! (`other`) is not compared.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use migration_doctor_infer::ExpectedState;
use migration_doctor_schema::{Schema, Table, TypeFamily};
use serde::Serialize;

/// How one table differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableDifference {
    pub table: String,
    pub missing_columns: Vec<String>,
    pub unexpected_columns: Vec<String>,
    /// Types, nullability, keys, indexes and constraints that differ.
    pub details: Vec<String>,
}

impl TableDifference {
    fn is_empty(&self) -> bool {
        self.missing_columns.is_empty()
            && self.unexpected_columns.is_empty()
            && self.details.is_empty()
    }

    fn count(&self) -> usize {
        self.missing_columns.len() + self.unexpected_columns.len() + self.details.len()
    }

    fn phrases(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing_columns.is_empty() {
            out.push(format!(
                "{}: missing columns {}",
                self.table,
                self.missing_columns.join(", ")
            ));
        }
        if !self.unexpected_columns.is_empty() {
            out.push(format!(
                "{}: unexpected columns {}",
                self.table,
                self.unexpected_columns.join(", ")
            ));
        }
        out.extend(
            self.details
                .iter()
                .map(|detail| format!("{}: {detail}", self.table)),
        );
        out
    }
}

/// The comparison of a live schema with one expected state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub missing_tables: Vec<String>,
    pub unexpected_tables: Vec<String>,
    /// Tables present on both sides that differ, with certainty.
    pub tables: Vec<TableDifference>,
    /// Differences in uncertain tables, one phrase each: they prove nothing.
    pub unverified: Vec<String>,
}

impl Comparison {
    /// No certain detail differs.
    pub fn agrees(&self) -> bool {
        self.distance() == 0
    }

    /// How many certain differences: every missing or unexpected table,
    /// column, and differing detail counts one.
    pub fn distance(&self) -> usize {
        self.missing_tables.len()
            + self.unexpected_tables.len()
            + self
                .tables
                .iter()
                .map(TableDifference::count)
                .sum::<usize>()
    }

    /// The certain differences, one phrase each.
    pub fn differences(&self) -> Vec<String> {
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
            out.extend(table.phrases());
        }
        out
    }
}

/// Compares one live schema with many expected states. Tables are shared
/// between the states of a history, so each distinct table version is
/// compared once and its difference reused: matching against thousands of
/// states costs little more than the number of distinct table versions.
pub struct Comparer<'a> {
    live: &'a Schema,
    /// Live and expected tables left out of every comparison.
    skip: &'a (dyn Fn(&str) -> bool + Sync),
    cache: Mutex<HashMap<(usize, String), Option<TableDifference>>>,
}

impl<'a> Comparer<'a> {
    pub fn new(live: &'a Schema, skip: &'a (dyn Fn(&str) -> bool + Sync)) -> Comparer<'a> {
        Comparer {
            live,
            skip,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn compare(&self, expected: &ExpectedState) -> Comparison {
        let uncertainty = &expected.uncertainty;
        let expected_names: BTreeSet<&String> = expected
            .schema
            .tables
            .keys()
            .filter(|name| !name.contains('.') && !(self.skip)(name))
            .collect();
        let live_names: BTreeSet<&String> = self
            .live
            .tables
            .keys()
            .filter(|name| !(self.skip)(name))
            .collect();
        let mut comparison = Comparison::default();
        for name in expected_names.difference(&live_names) {
            if uncertainty.covers(name) {
                comparison
                    .unverified
                    .push(format!("table {name} is missing"));
            } else {
                comparison.missing_tables.push((*name).clone());
            }
        }
        for name in live_names.difference(&expected_names) {
            if uncertainty.open {
                comparison
                    .unverified
                    .push(format!("table {name} is not expected"));
            } else {
                comparison.unexpected_tables.push((*name).clone());
            }
        }
        for name in expected_names.intersection(&live_names) {
            let table = &expected.schema.tables[*name];
            let Some(difference) = self.table_difference(name, table) else {
                continue;
            };
            if uncertainty.covers(name) {
                comparison.unverified.extend(difference.phrases());
            } else {
                comparison.tables.push(difference);
            }
        }
        comparison
    }

    fn table_difference(&self, name: &str, expected: &Arc<Table>) -> Option<TableDifference> {
        let key = (Arc::as_ptr(expected) as usize, name.to_owned());
        if let Ok(cache) = self.cache.lock()
            && let Some(known) = cache.get(&key)
        {
            return known.clone();
        }
        let live = self.live.tables.get(name)?;
        let difference = compare_table(name, expected, live);
        let difference = (!difference.is_empty()).then_some(difference);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, difference.clone());
        }
        difference
    }
}

/// Compares `live` with an expected schema without uncertainty (a plain
/// schema, such as the one `--to-revision` names).
pub fn compare(
    expected: &Schema,
    live: &Schema,
    skip: &(dyn Fn(&str) -> bool + Sync),
) -> Comparison {
    let state = ExpectedState {
        schema: expected.clone(),
        uncertainty: Default::default(),
    };
    Comparer::new(live, skip).compare(&state)
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "NULL allowed" } else { "NOT NULL" }
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
        let comparable = !matches!(column.type_family, TypeFamily::Other(_));
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
                nullability(column.nullable),
                nullability(found.nullable)
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
    // Indexes: by name, then by what they index.
    let named = |table: &Table| -> BTreeSet<(String, Vec<String>, bool)> {
        table
            .indexes
            .iter()
            .filter_map(|index| {
                index
                    .name
                    .clone()
                    .map(|name| (name, index.columns.clone(), index.unique))
            })
            .collect()
    };
    let (expected_indexes, live_indexes) = (named(expected), named(live));
    for (index, columns, unique) in expected_indexes.difference(&live_indexes) {
        match live_indexes.iter().find(|(name, ..)| name == index) {
            Some((_, found_columns, found_unique)) => difference.details.push(format!(
                "index {index}: expected {}({}), found {}({})",
                if *unique { "unique " } else { "" },
                columns.join(", "),
                if *found_unique { "unique " } else { "" },
                found_columns.join(", ")
            )),
            None => difference
                .details
                .push(format!("index {index}: expected, not found")),
        }
    }
    for (index, ..) in live_indexes.difference(&expected_indexes) {
        if !expected_indexes.iter().any(|(name, ..)| name == index) {
            difference
                .details
                .push(format!("index {index}: found, not expected"));
        }
    }
    let uniques = |table: &Table| -> BTreeSet<Vec<String>> {
        table
            .unique_constraints
            .iter()
            .map(|unique| unique.columns.clone())
            .collect()
    };
    let (expected_uniques, live_uniques) = (uniques(expected), uniques(live));
    for columns in expected_uniques.difference(&live_uniques) {
        difference.details.push(format!(
            "unique constraint on ({}): expected, not found",
            columns.join(", ")
        ));
    }
    for columns in live_uniques.difference(&expected_uniques) {
        difference.details.push(format!(
            "unique constraint on ({}): found, not expected",
            columns.join(", ")
        ));
    }
    let keys = |table: &Table| -> BTreeSet<(Vec<String>, String, Vec<String>)> {
        table
            .foreign_keys
            .iter()
            .map(|key| {
                (
                    key.columns.clone(),
                    key.referred_table.clone(),
                    key.referred_columns.clone(),
                )
            })
            .collect()
    };
    let (expected_keys, live_keys) = (keys(expected), keys(live));
    for (columns, table, referred) in expected_keys.difference(&live_keys) {
        difference.details.push(format!(
            "foreign key ({}) -> {table}({}): expected, not found",
            columns.join(", "),
            referred.join(", ")
        ));
    }
    for (columns, table, referred) in live_keys.difference(&expected_keys) {
        difference.details.push(format!(
            "foreign key ({}) -> {table}({}): found, not expected",
            columns.join(", "),
            referred.join(", ")
        ));
    }
    difference
}

#[cfg(test)]
mod tests {
    use migration_doctor_schema::{Column, Index, Schema, Table, TypeFamily};

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
    fn every_detail_decides() {
        let mut expected = Schema::default();
        let mut users = table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]);
        users.indexes.push(Index {
            name: Some("ix_users_email".to_owned()),
            columns: vec!["email".to_owned()],
            unique: false,
        });
        expected.insert_table("users".to_owned(), users);
        let mut live = Schema::default();
        live.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]),
        );
        live.insert_table("audit".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let comparison = compare(&expected, &live, &|name| name == "audit");
        assert!(
            !comparison.agrees(),
            "same names, a missing index: no match"
        );
        assert_eq!(
            comparison.differences(),
            ["users: index ix_users_email: expected, not found"]
        );
        let comparison = compare(&expected, &live, &|_| false);
        assert_eq!(comparison.unexpected_tables, ["audit"]);
        assert_eq!(comparison.distance(), 2);
    }

    #[test]
    fn differences_in_uncertain_tables_are_unverified() {
        let mut state = ExpectedState::default();
        state.schema.insert_table(
            "users".to_owned(),
            table(&[("id", TypeFamily::Integer), ("email", TypeFamily::Text)]),
        );
        state.uncertainty.tables.insert("users".to_owned());
        let mut live = Schema::default();
        live.insert_table("users".to_owned(), table(&[("id", TypeFamily::Integer)]));
        let skip = |_: &str| false;
        let comparison = Comparer::new(&live, &skip).compare(&state);
        assert!(comparison.agrees());
        assert_eq!(comparison.unverified, ["users: missing columns email"]);
    }
}
