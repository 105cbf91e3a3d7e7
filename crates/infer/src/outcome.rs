//! What interpreting one revision's `upgrade()` found: its operations in
//! order, what could not be followed, and what the migrations assume.

use crate::operation::{DataStep, Operation, OperationAt, UnknownOperation};

/// What running one revision's `upgrade()` found.
#[derive(Debug, Clone, Default, PartialEq, borsh::BorshSerialize, borsh::BorshDeserialize)]
pub struct RevisionOutcome {
    /// Every operation, in order, unknown ones included.
    pub operations: Vec<OperationAt>,
    /// The unknown operations alone.
    pub unknown: Vec<UnknownOperation>,
    /// Tables an operation needed that no earlier revision made: the
    /// migrations assume them.
    pub assumed_tables: Vec<String>,
    /// Indexes (table, name) named by a naming convention that was not
    /// confirmed: their names are guesses.
    pub guessed_index_names: Vec<(String, String)>,
}

impl RevisionOutcome {
    /// Operations followed with certainty (schema changes and data steps).
    /// Operations followed: everything but unknown operations and data
    /// steps known by their look only (catch-alls); the honest share of a
    /// revision that is understood.
    pub fn understood(&self) -> usize {
        self.operations
            .iter()
            .filter(|at| match &at.operation {
                Operation::Unknown(_) => false,
                Operation::Data(step) => step.modelled,
                _ => true,
            })
            .count()
    }

    /// Operations not followed: unknown ones, and catch-all data steps.
    pub fn not_understood(&self) -> usize {
        self.operations.len() - self.understood()
    }

    pub fn data_steps(&self) -> impl Iterator<Item = &DataStep> {
        self.operations.iter().filter_map(|at| match &at.operation {
            Operation::Data(step) => Some(step),
            _ => None,
        })
    }

    /// Whether the revision moves data (it has at least one data step).
    pub fn has_data(&self) -> bool {
        self.data_steps().next().is_some()
    }

    /// Whether it changes any schema object we compare.
    pub fn changes_schema(&self) -> bool {
        self.operations
            .iter()
            .any(|at| at.operation.changes_schema())
    }
}
