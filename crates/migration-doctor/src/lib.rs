//! migration-doctor as a library: diagnose and repair the migration-tracking
//! state of alembic-managed databases from a Rust service.
//!
//! This crate is the public face over the stage crates, re-exported here:
//! [`scripts`] reads the alembic project statically and [`graph`] builds its
//! revision graph ([`Project::open`] does both in one call); [`live`]
//! connects to a database and reads its schema and version table into the
//! [`schema`] model; [`infer`] derives the expected schema after every
//! revision from the migrations themselves.
//!
//! ```no_run
//! # async fn run() -> Result<(), migration_doctor::AnalyzeError> {
//! use migration_doctor::MigrationStateAnalyzer;
//! let analyzer = MigrationStateAnalyzer::new("postgresql://app@db/shop", "alembic.ini");
//! let diagnosis = analyzer.analyze_migration_state().await?;
//! println!("{:?} → {:?} at {:?}", diagnosis.state, diagnosis.strategy, diagnosis.matched_revisions);
//! # Ok(()) }
//! ```
//!
//! ```no_run
//! use migration_doctor::{ConfigRequest, Project};
//! let project = Project::open(&ConfigRequest {
//!     config_file: Some("alembic.ini".into()),
//!     working_dir: std::env::current_dir()?,
//!     ..ConfigRequest::default()
//! })?;
//! for head in project.graph.heads() {
//!     println!("head: {}", project.graph.revision(head).id());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod analyzer;
mod audit;
mod check;
mod doctor;
mod entry_points;
mod fleet;
mod modules;
mod planner;

pub use analyzer::{AnalyzeError, MigrationStateAnalyzer};
pub use check::{CheckCode, CheckFinding, CheckLevel, CheckOptions, CheckReport};
pub use doctor::{
    DatabaseTarget, Doctor, DoctorError, DoctorOptions, Ensured, Examination, Recovery,
    RecoveryRequest, UrlSource,
};
pub use entry_points::{
    AlembicStateRecovery, EnsureOptions, MigrationStateManager, MigrationTracker, RecoveryFailure,
    StateInfo, ensure_migration_state_healthy,
};
pub use fleet::{FleetSource, FleetTarget, FleetWrite, FleetWritten, Shard, Waves};
pub use migration_doctor_diagnosis as diagnosis;
pub use migration_doctor_graph as graph;
pub use migration_doctor_infer as infer;
pub use migration_doctor_infer::CacheState;
pub use migration_doctor_live as live;
pub use migration_doctor_recovery as recovery;
pub use migration_doctor_schema as schema;
pub use migration_doctor_scripts as scripts;
pub use modules::ProjectModules;
pub use planner::{Attendance, RecoveryPlanner};

pub use migration_doctor_graph::{GraphProblem, ResolveError, RevisionGraph};
pub use migration_doctor_scripts::{
    AlembicConfig, ConfigError, ConfigRequest, ScriptDirectory, ScriptProblem, Severity,
};

/// An alembic project read from disk: its configuration, its revision graph,
/// and every problem met while reading the files.
#[derive(Debug, Clone)]
pub struct Project {
    pub config: AlembicConfig,
    pub graph: RevisionGraph,
    /// Problems of individual files (syntax, unreadable variables), errors and
    /// warnings alike.
    pub script_problems: Vec<ScriptProblem>,
    /// The project's own Python modules, parsed once, shared by clones.
    pub modules: std::sync::Arc<migration_doctor_infer::ModuleCache>,
    /// What the project adds to its revisions: the baseline from its
    /// models, and the naming convention of `env.py`'s `target_metadata`.
    pub setup: migration_doctor_infer::ProjectSetup,
    /// The folder of the operations cache, read (never written) when the
    /// expected schemas are computed; `None` reads none. See
    /// [`Project::write_cache`].
    pub cache: Option<std::path::PathBuf>,
    /// The revision files' variables as read (from the cache where it held
    /// them), for [`Project::write_cache`].
    headers: std::sync::Arc<migration_doctor_scripts::RevisionHeaders>,
}

/// Where the operations cache is (see [`Project::write_cache`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CacheChoice {
    /// `.migration-doctor-cache` beside the configuration file.
    #[default]
    BesideConfig,
    /// This folder.
    Folder(std::path::PathBuf),
    /// None: every revision is interpreted.
    Off,
}

impl CacheChoice {
    /// The folder it names for a project of `config`.
    pub fn folder(&self, config: &AlembicConfig) -> Option<std::path::PathBuf> {
        match self {
            CacheChoice::BesideConfig => Some(Project::default_cache_folder(config)),
            CacheChoice::Folder(folder) => Some(folder.clone()),
            CacheChoice::Off => None,
        }
    }
}

/// What [`Project::write_cache`] wrote.
#[derive(Debug, Clone)]
pub struct CacheWritten {
    pub dialect: migration_doctor_schema::Dialect,
    pub path: std::path::PathBuf,
    /// Revisions whose operations were already in the cache.
    pub reused: usize,
    /// Revisions interpreted for it.
    pub interpreted: usize,
    /// What the file held before.
    pub before: migration_doctor_infer::CacheState,
}

impl Project {
    /// Reads the configuration, every revision file, and builds the graph.
    /// Fails only when there is no usable configuration; broken revision
    /// files and graphs are reported through [`Project::errors`].
    ///
    /// Reads the operations cache beside the configuration file, if there
    /// is one (see [`Project::open_with_cache`]).
    pub fn open(request: &ConfigRequest) -> Result<Project, ConfigError> {
        Project::open_with_cache(request, &CacheChoice::default())
    }

    /// Like [`Project::open`], with the operations cache (the revision
    /// files' variables, then each revision's operations) read from where
    /// `choice` says.
    pub fn open_with_cache(
        request: &ConfigRequest,
        choice: &CacheChoice,
    ) -> Result<Project, ConfigError> {
        let config = migration_doctor_scripts::load_config(request)?;
        let folder = choice.folder(&config);
        let headers = folder
            .as_deref()
            .map(migration_doctor_scripts::RevisionHeaders::open)
            .unwrap_or_default();
        let mut project = Project::from_scripts(ScriptDirectory::read_with(config, &headers));
        project.cache = folder;
        project.headers = std::sync::Arc::new(headers);
        Ok(project)
    }

    pub fn from_scripts(scripts: ScriptDirectory) -> Project {
        let ScriptDirectory {
            config,
            revisions,
            problems,
        } = scripts;
        let roots = migration_doctor_scripts::ModuleRoots::new(
            std::iter::once(config.script_location.as_path())
                .chain(config.version_locations.iter().map(|path| path.as_path())),
        );
        let modules = std::sync::Arc::new(migration_doctor_infer::ModuleCache::new(
            ProjectModules::new(roots),
        ));
        let env = config.script_location.join("env.py");
        let naming = match std::fs::read_to_string(&env) {
            Ok(source) => migration_doctor_infer::env_naming_convention(&env, &source, &modules),
            Err(_) => migration_doctor_infer::NamingConvention::default(),
        };
        let setup = migration_doctor_infer::ProjectSetup {
            baseline: config.baseline.clone(),
            naming: std::sync::Arc::new(naming),
            main_options: std::sync::Arc::new(config.main_options.clone()),
        };
        let cache = Some(Project::default_cache_folder(&config));
        Project {
            config,
            graph: RevisionGraph::build(revisions),
            script_problems: problems,
            modules,
            setup,
            cache,
            headers: std::sync::Arc::default(),
        }
    }

    /// Everything that makes the scripts untrustworthy, as messages naming
    /// the file and the next step; empty when the scripts are sound.
    pub fn errors(&self) -> Vec<String> {
        self.script_problems
            .iter()
            .filter(|problem| problem.severity() == Severity::Error)
            .map(ToString::to_string)
            .chain(self.graph.problems().iter().map(ToString::to_string))
            .collect()
    }

    /// Problems worth knowing that do not make the scripts invalid. A
    /// baseline that cannot be read is one: the diagnosis then starts from
    /// an empty database, which proves nothing about one built from models.
    pub fn warnings(&self) -> Vec<String> {
        self.script_problems
            .iter()
            .filter(|problem| problem.severity() == Severity::Warning)
            .map(ToString::to_string)
            .chain(self.config.notes.iter().cloned())
            .chain(self.baseline_problem())
            .collect()
    }

    fn baseline_problem(&self) -> Option<String> {
        let spec = self.config.baseline.as_deref()?;
        let mut scratch = migration_doctor_schema::Schema::default();
        migration_doctor_infer::run_baseline(
            spec,
            migration_doctor_schema::Dialect::Sqlite,
            &mut scratch,
            &self.modules,
            &self.setup.naming,
        )
        .err()
        .map(|error| format!("{error}; the baseline is left empty"))
    }

    /// The expected schema after every revision on `dialect`, following
    /// helpers the revisions import from the project's own modules (looked
    /// for beside the script directory and the version locations, and in
    /// their parent folders; each parsed once for the project's life).
    ///
    /// Revisions whose operations the cache holds (for exactly these files)
    /// are not interpreted again.
    pub fn expected_schemas(
        &self,
        dialect: migration_doctor_schema::Dialect,
    ) -> migration_doctor_infer::ExpectedSchemas {
        let opened = self.cache.as_deref().map(|folder| {
            migration_doctor_infer::OperationsCache::open(
                folder,
                dialect,
                &self.setup,
                &self.modules,
            )
        });
        let mut cache = match opened {
            Some((cache, migration_doctor_infer::CacheState::Read(_))) => Some(cache),
            Some((_, state)) => {
                tracing::debug!("operations cache not used: {state:?}");
                None
            }
            None => None,
        };
        migration_doctor_infer::ExpectedSchemas::compute_cached(
            &self.graph,
            dialect,
            &self.modules,
            &self.setup,
            cache.as_mut(),
        )
    }

    /// `.migration-doctor-cache` beside the configuration file (or the
    /// script directory when there is none).
    pub fn default_cache_folder(config: &AlembicConfig) -> std::path::PathBuf {
        let beside = config
            .ini_file
            .as_deref()
            .or(config.pyproject_file.as_deref())
            .and_then(std::path::Path::parent)
            .or_else(|| config.script_location.parent())
            .unwrap_or(std::path::Path::new("."));
        beside.join(".migration-doctor-cache")
    }

    /// The folder [`Project::write_cache`] writes: the one read, or the
    /// default when the project reads none.
    pub fn cache_folder(&self) -> std::path::PathBuf {
        self.cache
            .clone()
            .unwrap_or_else(|| Project::default_cache_folder(&self.config))
    }

    /// Interprets every revision for `dialect` (reusing what the cache
    /// already holds for exactly these files) and writes the operations to
    /// the cache folder, so that later runs only read them: what an image
    /// build does once for its containers' start-up path.
    pub fn write_cache(
        &self,
        dialect: migration_doctor_schema::Dialect,
    ) -> std::io::Result<CacheWritten> {
        let folder = self.cache_folder();
        let (mut cache, before) = migration_doctor_infer::OperationsCache::open(
            &folder,
            dialect,
            &self.setup,
            &self.modules,
        );
        cache.record();
        migration_doctor_infer::ExpectedSchemas::compute_cached(
            &self.graph,
            dialect,
            &self.modules,
            &self.setup,
            Some(&mut cache),
        );
        let path = cache.save(&folder, dialect, &self.modules)?;
        self.headers.save(&folder)?;
        Ok(CacheWritten {
            dialect,
            path,
            reused: cache.reused,
            interpreted: cache.interpreted,
            before,
        })
    }

    pub fn is_valid(&self) -> bool {
        self.errors().is_empty()
    }
}
