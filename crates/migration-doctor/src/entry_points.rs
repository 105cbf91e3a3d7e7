//! The entry points under the names in-house migration helpers give them, as thin faces over
//! the core: code written against `alembic_state_recovery.py` ports over
//! directly. Unlike such helpers, nothing here stamps "head" blindly: every
//! write stamps the revision state the schema proves, under a lock.

use std::path::PathBuf;
use std::time::Duration;

use migration_doctor_diagnosis::{Diagnosis, Strategy, TiePolicy};
use migration_doctor_live::IntrospectOptions;
use migration_doctor_recovery::{Decision, Outcome, RecoveryError};
use migration_doctor_scripts::ConfigRequest;

use crate::{
    AnalyzeError, Attendance, Doctor, DoctorError, DoctorOptions, Examination, RecoveryRequest,
};

/// How to find the project and how to behave.
#[derive(Debug, Clone)]
pub struct EnsureOptions {
    /// The project's `alembic.ini` (or `pyproject.toml`).
    pub config_file: PathBuf,
    pub lock_timeout: Duration,
    pub ignore_tables: Vec<String>,
    /// `TABLE.OBJECT` patterns of columns, indexes and constraints left out.
    pub ignore_objects: Vec<String>,
    /// Kept for the familiar shape: an unattended run never picks among
    /// tying candidates, whatever the policy.
    pub tie_policy: Option<TiePolicy>,
    pub introspect: IntrospectOptions,
}

impl EnsureOptions {
    pub fn new(config_file: impl Into<PathBuf>) -> EnsureOptions {
        EnsureOptions {
            config_file: config_file.into(),
            lock_timeout: Duration::from_secs(30),
            ignore_tables: Vec::new(),
            ignore_objects: Vec::new(),
            tie_policy: None,
            introspect: IntrospectOptions::default(),
        }
    }
}

/// `StateInfo`, with the full diagnosis beside its fields.
#[derive(Debug, Clone)]
pub struct StateInfo {
    pub has_existing_schema: bool,
    pub has_alembic_version: bool,
    pub requires_recovery: bool,
    /// The upper-case strategy names (`INITIALIZE_ALEMBIC_VERSION`, …).
    pub recovery_strategy: String,
    pub current_revision: Option<String>,
    pub existing_tables: Vec<String>,
    pub missing_expected_tables: Vec<String>,
    pub diagnosis: Option<Diagnosis>,
    /// Why the state could not be read, when it could not.
    pub error: Option<String>,
}

fn upper_case_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::NormalMigration => "NORMAL_MIGRATION",
        Strategy::NoActionNeeded => "NO_ACTION_NEEDED",
        Strategy::InitializeAlembicVersion => "INITIALIZE_ALEMBIC_VERSION",
        Strategy::CompletePartialMigration => "COMPLETE_PARTIAL_MIGRATION",
        Strategy::RepairCorruptedAlembic => "REPAIR_CORRUPTED_ALEMBIC",
        Strategy::StampExistingSchemaToHead => "STAMP_EXISTING_SCHEMA_TO_HEAD",
        _ => "MANUAL_INTERVENTION",
    }
}

fn writes(strategy: Strategy) -> bool {
    matches!(
        strategy,
        Strategy::InitializeAlembicVersion
            | Strategy::RepairCorruptedAlembic
            | Strategy::CompletePartialMigration
    )
}

impl StateInfo {
    fn failed(error: String) -> StateInfo {
        StateInfo {
            has_existing_schema: false,
            has_alembic_version: false,
            requires_recovery: false,
            recovery_strategy: upper_case_name(Strategy::ManualIntervention).to_owned(),
            current_revision: None,
            existing_tables: Vec::new(),
            missing_expected_tables: Vec::new(),
            diagnosis: None,
            error: Some(error),
        }
    }
}

/// Why a recovery operation did not run or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryFailure {
    #[error(transparent)]
    Analyze(#[from] AnalyzeError),
    #[error(transparent)]
    Recovery(#[from] RecoveryError),
    #[error("{0}")]
    Refused(String),
}

struct Session {
    database_url: String,
    options: EnsureOptions,
}

impl Session {
    fn doctor(&self) -> Result<Doctor, AnalyzeError> {
        let config_file = self.options.config_file.clone();
        let working_dir = config_file
            .parent()
            .map(PathBuf::from)
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Doctor::open(&DoctorOptions {
            config: ConfigRequest {
                config_file: Some(config_file),
                working_dir,
                ..ConfigRequest::default()
            },
            database_url: Some(self.database_url.clone()),
            read_environment: false,
            ignore_tables: self.options.ignore_tables.clone(),
            ignore_objects: self.options.ignore_objects.clone(),
            tie_policy: self.options.tie_policy,
            introspect: self.options.introspect.clone(),
            lock_timeout: self.options.lock_timeout,
            cache: crate::CacheChoice::default(),
        })
    }

    async fn state(&self) -> StateInfo {
        let examination = match self.doctor() {
            Ok(doctor) => doctor.examine().await,
            Err(error) => Err(error),
        };
        match examination {
            Ok(Examination {
                live, diagnosis, ..
            }) => StateInfo {
                has_existing_schema: !live.schema.tables.is_empty(),
                has_alembic_version: live.version_table.contents().is_some(),
                requires_recovery: writes(diagnosis.strategy),
                recovery_strategy: upper_case_name(diagnosis.strategy).to_owned(),
                current_revision: live
                    .version_table
                    .contents()
                    .and_then(|contents| contents.rows.first().cloned().flatten()),
                existing_tables: live.schema.tables.keys().cloned().collect(),
                missing_expected_tables: diagnosis.missing_tables.clone(),
                diagnosis: Some(diagnosis),
                error: None,
            },
            Err(error) => StateInfo::failed(error.to_string()),
        }
    }

    /// Runs an unattended recovery whose decision `veto` may refuse.
    async fn recover(
        &self,
        to_head: bool,
        veto: &(dyn Fn(&Decision) -> Option<String> + Sync),
    ) -> Result<Outcome, RecoveryFailure> {
        let doctor = self.doctor()?;
        let recovery = doctor
            .recover(&RecoveryRequest {
                attendance: Attendance::Unattended,
                to_revision: to_head.then(|| "heads".to_owned()),
                veto: Some(veto),
                ..RecoveryRequest::default()
            })
            .await
            .map_err(|error| match error {
                DoctorError::InvalidScripts(problems) => RecoveryFailure::Refused(format!(
                    "the migration scripts are invalid: {}",
                    problems.join("; ")
                )),
                other => RecoveryFailure::Analyze(other),
            })?;
        match &recovery.outcome.refusal {
            Some(refusal) => Err(RecoveryFailure::Refused(refusal.message.clone())),
            None => Ok(recovery.outcome),
        }
    }

    async fn ensure(&self) -> (bool, StateInfo) {
        if let Err(error) = self.recover(false, &|_| None).await {
            let mut state = self.state().await;
            if state.error.is_none() {
                state.error = Some(error.to_string());
            }
            return (false, state);
        }
        let state = self.state().await;
        let sound = state
            .diagnosis
            .as_ref()
            .is_some_and(|diagnosis| diagnosis.is_sound(false));
        (sound, state)
    }
}

/// Makes the migration-tracking state sound when that is safe (stamping what
/// the schema proves), and reports. `true` when the database ends healthy,
/// fresh or behind (a migration run then finishes the job).
pub async fn ensure_migration_state_healthy(
    database_url: &str,
    options: &EnsureOptions,
) -> (bool, StateInfo) {
    Session {
        database_url: database_url.to_owned(),
        options: options.clone(),
    }
    .ensure()
    .await
}

/// `MigrationStateManager`.
pub struct MigrationStateManager {
    pub database_url: String,
    pub options: EnsureOptions,
}

impl MigrationStateManager {
    pub async fn ensure_healthy_migration_state(&self) -> (bool, StateInfo) {
        ensure_migration_state_healthy(&self.database_url, &self.options).await
    }
}

/// `MigrationTracker`: `check_migrations` recovers first, then reports.
pub struct MigrationTracker {
    pub database_url: String,
    pub options: EnsureOptions,
}

impl MigrationTracker {
    pub async fn check_migrations(&self) -> StateInfo {
        ensure_migration_state_healthy(&self.database_url, &self.options)
            .await
            .1
    }
}

/// `AlembicStateRecovery`: each operation runs only in the state
/// it is for, and refuses otherwise.
pub struct AlembicStateRecovery {
    pub database_url: String,
    pub options: EnsureOptions,
}

impl AlembicStateRecovery {
    fn session(&self) -> Session {
        Session {
            database_url: self.database_url.clone(),
            options: self.options.clone(),
        }
    }

    async fn only(&self, wanted: Strategy) -> Result<Outcome, RecoveryFailure> {
        self.session()
            .recover(false, &|decision: &Decision| {
                (decision.diagnosis.strategy != wanted).then(|| {
                    format!(
                        "this operation is {}, but the database calls for {}",
                        upper_case_name(wanted),
                        upper_case_name(decision.diagnosis.strategy)
                    )
                })
            })
            .await
    }

    /// Creates the version table for an existing schema and stamps the
    /// revision the schema matches.
    pub async fn initialize_alembic_version_for_existing_schema(
        &self,
    ) -> Result<Outcome, RecoveryFailure> {
        self.only(Strategy::InitializeAlembicVersion).await
    }

    pub async fn repair_corrupted_alembic_version(&self) -> Result<Outcome, RecoveryFailure> {
        self.only(Strategy::RepairCorruptedAlembic).await
    }

    /// Re-stamps the state the schema really matches, so that the next
    /// `alembic upgrade` runs what is missing.
    pub async fn complete_partial_migration(&self) -> Result<Outcome, RecoveryFailure> {
        self.only(Strategy::CompletePartialMigration).await
    }

    /// Stamps the heads, after checking that the schema matches them (a
    /// blind stamp of head would not check; this refuses when the schema disagrees).
    pub async fn stamp_existing_schema_to_head(&self) -> Result<Outcome, RecoveryFailure> {
        self.session().recover(true, &|_| None).await
    }
}

impl From<ConfigRequest> for EnsureOptions {
    fn from(request: ConfigRequest) -> EnsureOptions {
        EnsureOptions::new(
            request
                .config_file
                .unwrap_or_else(|| request.working_dir.join("alembic.ini")),
        )
    }
}
