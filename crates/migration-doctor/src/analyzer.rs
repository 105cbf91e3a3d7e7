//! `MigrationStateAnalyzer`, under the name the seed report gave it: reads
//! the scripts and the database and returns the diagnosis. It writes
//! nothing.

use std::path::PathBuf;

use migration_doctor_diagnosis::{AnalysisInput, AnalysisOptions, Diagnosis, analyze};
use migration_doctor_live::{
    Access, DatabaseUrl, IntrospectOptions, LiveError, connect, read_live,
};
use migration_doctor_scripts::{ConfigError, ConfigRequest};

use crate::Project;

/// Why an analysis could not run (the database or the configuration; a
/// broken script directory is a diagnosis, not an error).
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Database(#[from] LiveError),
}

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
        let project = Project::open(&self.config)?;
        let url = DatabaseUrl::parse(&self.database_url).map_err(LiveError::from)?;
        let mut database = connect(&url, Access::ReadOnly, &self.config.working_dir).await?;
        let live = match read_live(&mut database, &self.introspect).await {
            Ok(live) => live,
            Err(error) => {
                database.close().await;
                return Err(error.into());
            }
        };
        let errors = project.errors();
        let expected = errors
            .is_empty()
            .then(|| project.expected_schemas(live.dialect));
        let mut options = self.options.clone();
        options
            .ignore_tables
            .extend(project.config.ignore_tables.iter().cloned());
        let diagnose = |probes: &[migration_doctor_diagnosis::ProbeResult]| {
            analyze(AnalysisInput {
                graph: &project.graph,
                script_errors: &errors,
                expected: expected.as_ref(),
                live: &live,
                options: &options,
                probes,
            })
        };
        let diagnosis =
            migration_doctor_recovery::diagnose_with_probes(&mut database, &diagnose).await;
        database.close().await;
        Ok((diagnosis, live))
    }
}
