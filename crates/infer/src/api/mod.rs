//! What migration code means beyond Python: the APIs a revision calls,
//! one room each, and the host that ties them to the interpreter.
//!
//! - [`op`]: alembic's `op` and `batch_op`, one handler per operation,
//!   registered by name;
//! - `sqlalchemy`: SQLAlchemy's schema constructors and types;
//! - `inspector`: the inspector's and the dialect's questions, answered
//!   from the expected schema;
//! - `connection`: alembic's context, the connection, sessions, SQL;
//! - `sql`: SQL text (`op.execute("ALTER TABLE ...")`) parsed and applied;
//! - `builtins`: Python's builtins and the methods of its values;
//! - `attributes`: `base.name` on the objects above;
//! - `dispatch`: the [`Host`](crate::interpreter::Host) that routes each
//!   call to its room;
//! - `upgrade`: the entry points.

mod arguments;
mod attributes;
mod builtins;
mod connection;
mod dispatch;
pub(crate) mod host;
mod inspector;
mod op;
mod sql;
mod sqlalchemy;
mod upgrade;

pub use upgrade::{env_naming_convention, run_upgrade, run_upgrade_in, run_upgrade_with};
