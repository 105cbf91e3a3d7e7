//! Read-only probes: the questions the diagnosis asks to tell whether a
//! data step ran ("does any row still satisfy the `WHERE` of this
//! `UPDATE`?"). Each runs read-only under a statement timeout (see each
//! dialect's backend) and is rolled back; a probe that fails or times out is
//! an answer too ("failed"), never an error of the whole run.

use std::time::Duration;

use crate::connect::Database;

/// Runs each query in `schema` (the schema the diagnosis read); `Ok(true)`
/// when it returned a row.
pub async fn run_probes(
    database: &mut Database,
    queries: &[String],
    timeout: Duration,
    schema: &str,
) -> Vec<Result<bool, String>> {
    let mut answers = Vec::with_capacity(queries.len());
    for query in queries {
        answers.push(database.probe(query, timeout, schema).await);
    }
    answers
}
