//! Schema changes applied to the expected schema, with the effects each
//! dialect adds on its own (see [`crate::dialect`]): one room for what each
//! kind of change touches, and the replay of recorded operations.

mod applier;
mod batch;
mod columns;
mod constraints;
mod indexes;
mod replay;
mod tables;

pub use applier::{Applier, ApplyError, ColumnDefinition};
pub use batch::BatchStart;
