//! Why a command stopped, and the exit code that says so (docs/contract.md, "Exit codes"):
//! 0 healthy or done; 1 problems found or recovery refused; 2 usage or
//! configuration error; 3 database unreachable or permission denied;
//! 4 invalid scripts; 5 the migration lock was not obtained in time; and
//! `ensure --then CMD` exits with CMD's own status when CMD fails.

use std::process::ExitCode;

#[derive(Debug)]
pub enum Failure {
    /// A wrong option, or configuration that cannot be used.
    Usage(String),
    /// The revision files or the graph are broken; each entry is one problem.
    InvalidScripts(Vec<String>),
    /// The database cannot be reached or read.
    Database(String),
    /// The analysis found problems (its report is already printed).
    ProblemsFound,
    /// A recovery was refused, for the reason given.
    Refused(String),
    /// The scripts are invalid (the report is already printed).
    InvalidScriptsReported,
    /// Another process held the migration lock for the whole wait.
    LockTimeout(String),
    /// `ensure --then CMD`: CMD failed with this status (or could not start).
    CommandFailed { message: String, status: u8 },
    /// A fleet's reports are printed; the worst of their exit statuses.
    Reported { status: u8 },
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Usage(_) => ExitCode::from(2),
            Failure::InvalidScripts(_) => ExitCode::from(4),
            Failure::Database(_) => ExitCode::from(3),
            Failure::ProblemsFound | Failure::Refused(_) => ExitCode::from(1),
            Failure::InvalidScriptsReported => ExitCode::from(4),
            Failure::LockTimeout(_) => ExitCode::from(5),
            Failure::CommandFailed { status, .. } | Failure::Reported { status } => {
                ExitCode::from(*status)
            }
        }
    }

    /// The exit status as a number, for the JSON error object.
    pub fn status(&self) -> u8 {
        match self {
            Failure::Usage(_) => 2,
            Failure::InvalidScripts(_) | Failure::InvalidScriptsReported => 4,
            Failure::Database(_) => 3,
            Failure::ProblemsFound | Failure::Refused(_) => 1,
            Failure::LockTimeout(_) => 5,
            Failure::CommandFailed { status, .. } | Failure::Reported { status } => *status,
        }
    }

    /// A stable name for the kind of failure (`error.code` in JSON).
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Usage(_) => "usage",
            Failure::InvalidScripts(_) | Failure::InvalidScriptsReported => "invalid_scripts",
            Failure::Database(_) => "database",
            Failure::ProblemsFound => "problems_found",
            Failure::Refused(_) => "refused",
            Failure::LockTimeout(_) => "lock_timeout",
            Failure::CommandFailed { .. } => "command_failed",
            Failure::Reported { .. } => "reported",
        }
    }

    /// The JSON error object (`{"code", "message", "exit_code"}`).
    pub fn error_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code(),
            "message": self.messages().join("; "),
            "exit_code": self.status(),
        })
    }

    pub fn messages(&self) -> Vec<String> {
        match self {
            Failure::Usage(message) => vec![message.clone()],
            Failure::InvalidScripts(problems) => problems.clone(),
            Failure::Database(message)
            | Failure::Refused(message)
            | Failure::LockTimeout(message)
            | Failure::CommandFailed { message, .. } => vec![message.clone()],
            Failure::ProblemsFound | Failure::InvalidScriptsReported | Failure::Reported { .. } => {
                Vec::new()
            }
        }
    }
}

impl From<migration_doctor::ConfigError> for Failure {
    fn from(error: migration_doctor::ConfigError) -> Failure {
        Failure::Usage(error.to_string())
    }
}

impl From<migration_doctor::live::LiveError> for Failure {
    fn from(error: migration_doctor::live::LiveError) -> Failure {
        if error.is_usage_error() {
            Failure::Usage(error.to_string())
        } else {
            Failure::Database(error.to_string())
        }
    }
}

impl From<migration_doctor::DoctorError> for Failure {
    fn from(error: migration_doctor::DoctorError) -> Failure {
        use migration_doctor::DoctorError;
        match error {
            DoctorError::InvalidScripts(problems) => Failure::InvalidScripts(problems),
            DoctorError::Recovery(
                error @ migration_doctor::recovery::RecoveryError::LockTimeout { .. },
            ) => Failure::LockTimeout(format!("{error} (--lock-timeout SECONDS)")),
            error if error.is_usage_error() => Failure::Usage(error.to_string()),
            error => Failure::Database(error.to_string()),
        }
    }
}
