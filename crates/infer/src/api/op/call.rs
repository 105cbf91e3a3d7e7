//! One call of `op.<name>(...)` or `batch_op.<name>(...)`, as its handler
//! reads it: arguments by position or keyword, and the table a batch
//! block implies.

use ruff_text_size::TextRange;

use crate::api::arguments::{arg, kwarg, string};
use crate::apply::ApplyError;
use crate::keys::table_key;
use crate::value::Value;

/// What a handler gives back: the call's value, or, when the call cannot
/// be followed, why (it becomes an unknown operation at the call).
pub(crate) type Handled = Result<Value, String>;

/// A change applied to the expected schema, as a handler gives it back:
/// the call's value is `None`; a change the schema refuses (the real
/// migration would fail there too) is why the call is not followed.
pub(crate) fn applied(result: Result<(), ApplyError>) -> Handled {
    result.map(|()| Value::None).map_err(String::from)
}

/// A handler of one `op.*` name.
pub(crate) type Handler = fn(&mut crate::api::host::Run<'_>, &OpCall) -> Handled;

pub(crate) struct OpCall {
    /// The operation's name (`add_column`).
    pub name: String,
    /// In a batch block: the table (and schema) the block alters.
    pub batch: Option<(String, Option<String>)>,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
    /// The schema the operation names (`schema=`), or the batch block's.
    pub schema: Option<String>,
    pub range: TextRange,
}

impl OpCall {
    pub(crate) fn new(
        name: &str,
        batch: Option<(String, Option<String>)>,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> OpCall {
        let schema = match &batch {
            Some((_, schema)) => schema.clone(),
            None => string(kwarg(&kwargs, "schema")),
        };
        OpCall {
            name: name.to_owned(),
            batch,
            args,
            kwargs,
            schema,
            range,
        }
    }

    /// How far positionals shift: in a batch block the table is implied,
    /// so `batch_op.add_column(col)` is `op.add_column(table, col)`.
    pub(crate) fn shift(&self) -> usize {
        usize::from(self.batch.is_none())
    }

    /// The argument at `position` or named `keyword`.
    pub(crate) fn arg(&self, position: usize, keyword: &str) -> Option<&Value> {
        arg(&self.args, &self.kwargs, position, keyword)
    }

    /// The keyword argument `keyword`.
    pub(crate) fn kwarg(&self, keyword: &str) -> Option<&Value> {
        kwarg(&self.kwargs, keyword)
    }

    /// The argument at `position` or named `keyword`, when it is a string.
    pub(crate) fn string(&self, position: usize, keyword: &str) -> Option<String> {
        string(self.arg(position, keyword))
    }

    /// The table: the batch block's, or the argument at `position` or
    /// named `keyword`.
    pub(crate) fn table_arg(&self, position: usize, keyword: &str) -> Option<String> {
        match &self.batch {
            Some((table, _)) => Some(table.clone()),
            None => self.string(position, keyword),
        }
    }

    /// The key of `table` in the schema the call names.
    pub(crate) fn table_key(&self, table: &str) -> String {
        table_key(table, self.schema.as_deref())
    }
}
