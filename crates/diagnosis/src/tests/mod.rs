//! Unit tests of the decision: no database, no Python.

mod builder;
mod rules;
