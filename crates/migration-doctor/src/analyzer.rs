//! `MigrationStateAnalyzer`, under its familiar name: reads
//! the scripts and the database and returns the diagnosis. It writes
//! nothing.

use std::path::PathBuf;

use migration_doctor_diagnosis::{AnalysisOptions, Diagnosis};
use migration_doctor_live::IntrospectOptions;
use migration_doctor_scripts::ConfigRequest;

use crate::{Doctor, DoctorError, DoctorOptions};

/// Why an analysis could not run (the database or the configuration; a
/// broken script directory is a diagnosis, not an error).
pub type AnalyzeError = DoctorError;

/// Analyses one database against one alembic project.
#[derive(Debug, Clone)]
pub struct MigrationStateAnalyzer {
    /// A SQLAlchemy URL (`postgresql+psycopg2://…`, `sqlite:///app.db`, …).
    pub database_url: String,
    /// Where the alembic configuration is.
    pub config: ConfigRequest,
    pub options: AnalysisOptions,
    pub introspect: IntrospectOptions,
}

impl MigrationStateAnalyzer {
    /// `config_file`: the project's `alembic.ini` (or `pyproject.toml`).
    pub fn new(
        database_url: impl Into<String>,
        config_file: impl Into<PathBuf>,
    ) -> MigrationStateAnalyzer {
        let config_file = config_file.into();
        let working_dir = config_file
            .parent()
            .map(PathBuf::from)
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        MigrationStateAnalyzer {
            database_url: database_url.into(),
            config: ConfigRequest {
                config_file: Some(config_file),
                working_dir,
                ..ConfigRequest::default()
            },
            options: AnalysisOptions::default(),
            introspect: IntrospectOptions::default(),
        }
    }

    /// Reads the scripts and the database (read-only) and decides the state.
    pub async fn analyze_migration_state(&self) -> Result<Diagnosis, AnalyzeError> {
        self.analyze_with_live()
            .await
            .map(|(diagnosis, _)| diagnosis)
    }

    /// The diagnosis with the live database it was made from.
    pub async fn analyze_with_live(
        &self,
    ) -> Result<(Diagnosis, migration_doctor_live::LiveDatabase), AnalyzeError> {
        let doctor = Doctor::open(&DoctorOptions {
            config: self.config.clone(),
            database_url: Some(self.database_url.clone()),
            read_environment: false,
            ignore_tables: self.options.ignore_tables.texts(),
            ignore_objects: self.options.ignore_objects.texts(),
            tie_policy: self.options.tie_policy,
            introspect: self.introspect.clone(),
            ..DoctorOptions::default()
        })?;
        let examination = doctor.examine().await?;
        Ok((examination.diagnosis, examination.live))
    }
}
