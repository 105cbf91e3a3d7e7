//! The audit record of a write (docs/contract.md, "Safety rules", rule 4):
//! one JSON line appended before the write (what is about to be written,
//! over what) and one after it (what was written, and how to undo it), for
//! every front end. Without the first line nothing is written; a failure of
//! the second is a warning, since the write itself is done.

use std::io::Write;
use std::path::Path;

use migration_doctor_recovery::Outcome;
use serde_json::json;

/// Where the records go, and what each names of the session.
pub(crate) struct AuditLog<'a> {
    pub path: &'a Path,
    /// The project's configuration file.
    pub configuration: Option<&'a Path>,
    /// The database, its password masked.
    pub database: String,
    /// The schema read, when one was named.
    pub schema: Option<&'a str>,
    /// Where the database URL came from.
    pub url_source: &'static str,
}

impl AuditLog<'_> {
    /// The line written before the write: the plan and the rows it replaces.
    pub fn intent(&self, outcome: &Outcome) -> Result<(), String> {
        self.append("intent", outcome)
    }

    /// The line written after the write.
    pub fn outcome(&self, outcome: &Outcome) -> Result<(), String> {
        self.append("outcome", outcome)
    }

    fn append(&self, phase: &str, outcome: &Outcome) -> Result<(), String> {
        let unix_time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let (user, host) = user_and_host();
        let record = json!({
            "phase": phase,
            "unix_time": unix_time,
            "tool_version": env!("CARGO_PKG_VERSION"),
            "user": user,
            "host": host,
            "configuration": self.configuration,
            "database": self.database,
            "schema": self.schema,
            "url_source": self.url_source,
            "state": outcome.diagnosis.as_ref().map(|diagnosis| diagnosis.state.name()),
            "evidence": outcome.diagnosis.as_ref().map(|diagnosis| diagnosis.evidence.name()),
            "applied": outcome.applied,
            "before": outcome.before,
            "after": outcome.after,
            "statements": outcome.statements,
            "undo": outcome.undo,
        });
        let failed = |error: std::io::Error| {
            format!(
                "cannot append to the audit log {}: {error}",
                self.path.display()
            )
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path)
            .map_err(failed)?;
        writeln!(file, "{record}").map_err(failed)?;
        file.sync_data().map_err(failed)
    }
}

/// Who ran it, where, as the environment says.
fn user_and_host() -> (String, String) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|host| !host.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|host| host.trim().to_owned())
        })
        .unwrap_or_default();
    (user, host)
}
