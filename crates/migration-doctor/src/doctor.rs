//! [`Doctor`]: one session over one alembic project and one database, shared
//! by every front end (the command line, the familiar entry points, the Python
//! package through the command line). It opens the project, works out the
//! database and the merged options once (each with where it came from),
//! computes the expected schemas once per dialect, and offers the steps:
//! [`Doctor::examine`] (diagnose), [`Doctor::recover`] (plan and apply under
//! the lock) and [`Doctor::ensure`]. A front end maps its arguments to
//! [`DoctorOptions`] and renders what comes back; it never re-implements a
//! step.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use migration_doctor_diagnosis::{
    AnalysisInput, AnalysisOptions, Diagnosis, ObjectPatterns, ProbeResult, Refusal, TablePatterns,
    TiePolicy, analyze,
};
use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::ExpectedSchemas;
use migration_doctor_live::{
    Access, Database, DatabaseUrl, IntrospectOptions, LiveDatabase, LiveError, connect, read_live,
};
pub use migration_doctor_recovery::Recovered as Recovery;
use migration_doctor_recovery::{
    Decision, Outcome, RecoveryError, RecoveryRun, WhileLocked, diagnose_with_probes,
};
use migration_doctor_schema::Dialect;
use migration_doctor_scripts::{AlembicConfig, ConfigError, ConfigRequest};

use crate::audit::AuditLog;
use crate::{Attendance, CacheChoice, Project, RecoveryPlanner};

/// The expected schemas of one dialect, once computed.
type ExpectedSlot = Arc<std::sync::OnceLock<Arc<ExpectedSchemas>>>;

/// alembic's template value for `sqlalchemy.url`, which env.py usually replaces.
const TEMPLATE_URL: &str = "driver://user:pass@localhost/dbname";

/// Where the database URL came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlSource {
    /// Given explicitly: `--database-url`, or a library argument.
    Flag,
    /// `DATABASE_URL`.
    Environment,
    /// `sqlalchemy.url` of the configuration.
    Ini,
}

impl UrlSource {
    pub fn name(self) -> &'static str {
        match self {
            UrlSource::Flag => "flag",
            UrlSource::Environment => "environment",
            UrlSource::Ini => "ini",
        }
    }
}

/// The database a session talks to, and where its URL came from.
#[derive(Debug, Clone)]
pub struct DatabaseTarget {
    pub url: DatabaseUrl,
    pub source: UrlSource,
    /// The folder a relative SQLite path starts from: the working directory
    /// for a URL given or from the environment (as SQLAlchemy does), the
    /// configuration's folder for `sqlalchemy.url` (where alembic runs).
    pub base: PathBuf,
}

impl DatabaseTarget {
    /// The URL given, else `DATABASE_URL` (when `read_environment`), else
    /// the configuration's `sqlalchemy.url` (refusing alembic's placeholder).
    pub fn resolve(
        given: Option<&str>,
        read_environment: bool,
        config: Option<&AlembicConfig>,
    ) -> Result<DatabaseTarget, DoctorError> {
        let working_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let given = given
            .filter(|url| !url.trim().is_empty())
            .map(|url| (url.to_owned(), UrlSource::Flag));
        let from_environment = || {
            read_environment
                .then(|| std::env::var("DATABASE_URL").ok())
                .flatten()
                .filter(|url| !url.trim().is_empty())
                .map(|url| (url, UrlSource::Environment))
        };
        let from_ini = || {
            config
                .and_then(|config| config.sqlalchemy_url.clone())
                .map(|url| (url, UrlSource::Ini))
        };
        let Some((text, source)) = given.or_else(from_environment).or_else(from_ini) else {
            return Err(DoctorError::NoDatabase(
                "no database URL: pass --database-url, set DATABASE_URL, or set sqlalchemy.url in alembic.ini"
                    .to_owned(),
            ));
        };
        if source == UrlSource::Ini && text.trim() == TEMPLATE_URL {
            return Err(DoctorError::NoDatabase(format!(
                "sqlalchemy.url in the configuration is alembic's placeholder `{TEMPLATE_URL}` (env.py \
                 probably sets the real one); pass the database with --database-url or DATABASE_URL"
            )));
        }
        let base = match source {
            UrlSource::Ini => config
                .and_then(|config| config.ini_file.as_ref())
                .and_then(|ini| ini.parent().map(PathBuf::from))
                .unwrap_or(working_dir),
            _ => working_dir,
        };
        Ok(DatabaseTarget {
            url: DatabaseUrl::parse(&text).map_err(LiveError::from)?,
            source,
            base,
        })
    }

    /// The SQLite file the URL names (absolute), if it names one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        if self.url.dialect != Dialect::Sqlite {
            return None;
        }
        let database = self
            .url
            .database
            .as_deref()
            .filter(|name| !name.is_empty() && *name != ":memory:")?;
        let path = std::path::Path::new(database);
        Some(if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base.join(path)
        })
    }

    /// Dialect, host, database or file, and where the URL came from (with
    /// the password masked), for every write path to name before it writes.
    pub fn describe(&self) -> String {
        format!("{} (URL from {})", self.url.redacted(), self.source.name())
    }
}

/// What a session is opened with.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    pub config: ConfigRequest,
    /// A URL given explicitly; it wins over the environment and the ini.
    pub database_url: Option<String>,
    /// Whether `DATABASE_URL` is consulted (after an explicit URL, before
    /// the ini's `sqlalchemy.url`).
    pub read_environment: bool,
    /// Added to the ini's `[migration_doctor] ignore_tables`.
    pub ignore_tables: Vec<String>,
    /// `TABLE.OBJECT` patterns, added to the ini's `[migration_doctor] ignore`.
    pub ignore_objects: Vec<String>,
    pub tie_policy: Option<TiePolicy>,
    pub introspect: IntrospectOptions,
    pub lock_timeout: Duration,
    /// Where the operations cache is read from.
    pub cache: CacheChoice,
}

impl Default for DoctorOptions {
    fn default() -> Self {
        DoctorOptions {
            config: ConfigRequest::default(),
            database_url: None,
            read_environment: false,
            ignore_tables: Vec::new(),
            ignore_objects: Vec::new(),
            tie_policy: None,
            introspect: IntrospectOptions::default(),
            lock_timeout: Duration::from_secs(30),
            cache: CacheChoice::default(),
        }
    }
}

/// Why a session could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DoctorError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No usable database URL (none given, or alembic's placeholder).
    #[error("{0}")]
    NoDatabase(String),
    #[error("the migration scripts are invalid: {}", .0.join("; "))]
    InvalidScripts(Vec<String>),
    /// A revision named by the caller that the scripts do not have.
    #[error("{0}")]
    UnknownRevision(String),
    /// An `ignore_tables` or `ignore` pattern that is no glob.
    #[error("{0}")]
    IgnoreTables(String),
    /// A fleet that cannot be listed as asked (no match, a dialect without
    /// schemas, a malformed pattern).
    #[error("{0}")]
    Fleet(String),
    /// A database error shared by the members of a fleet read together
    /// (their connection failed, or their batch's catalog query).
    #[error("{0}")]
    FleetDatabase(String),
    #[error(transparent)]
    Database(#[from] LiveError),
    #[error(transparent)]
    Recovery(#[from] RecoveryError),
}

impl DoctorError {
    /// A mistake in what was asked (options, configuration, URL), as
    /// opposed to a database that cannot be reached or scripts that are broken.
    pub fn is_usage_error(&self) -> bool {
        match self {
            DoctorError::Config(_)
            | DoctorError::NoDatabase(_)
            | DoctorError::UnknownRevision(_)
            | DoctorError::IgnoreTables(_)
            | DoctorError::Fleet(_) => true,
            DoctorError::Database(error) => error.is_usage_error(),
            DoctorError::Recovery(RecoveryError::Database(error)) => error.is_usage_error(),
            DoctorError::Recovery(RecoveryError::AuditLog(_)) => true,
            _ => false,
        }
    }
}

/// The database as read, and its diagnosis.
#[derive(Debug, Clone)]
pub struct Examination {
    pub live: LiveDatabase,
    pub diagnosis: Diagnosis,
    /// The expected schemas the diagnosis used (none when the scripts are invalid).
    pub expected: Option<Arc<ExpectedSchemas>>,
}

/// Refuses a decision, saying why.
pub type Veto<'a> = dyn Fn(&Decision) -> Option<String> + Sync + 'a;

/// What a recovery is asked to do.
#[derive(Default)]
pub struct RecoveryRequest<'a> {
    pub attendance: Attendance,
    /// Print the plan, write nothing (through a read-only connection).
    pub dry_run: bool,
    /// A revision state a person names instead of the diagnosed one.
    pub to_revision: Option<String>,
    /// With `to_revision`: stamp it even when the schema disagrees.
    pub force: bool,
    /// Finish a half-applied revision by running its missing creations.
    pub complete: bool,
    /// Runs under the lock once the tracking state is sound (`ensure --then`).
    pub while_locked: Option<&'a WhileLocked<'a>>,
    /// Lets the caller refuse a decision (the familiar recovery operations that each
    /// apply to one strategy only).
    pub veto: Option<&'a Veto<'a>>,
    /// Learns the outcome before `while_locked` runs.
    pub before_while_locked: Option<&'a (dyn Fn(&Outcome) + Sync + 'a)>,
}

/// What `ensure` did and where the database ended.
#[derive(Debug)]
pub struct Ensured {
    pub recovery: Recovery,
    /// The diagnosis after everything ran.
    pub after: Diagnosis,
    /// Whether the tracking state ended sound (see [`Diagnosis::is_sound`]).
    pub sound: bool,
}

/// One project and one database; see the module documentation. Cloning
/// shares the project and the expected schemas.
#[derive(Clone)]
pub struct Doctor {
    /// Shared with the sessions of a fleet's members.
    pub project: Arc<Project>,
    /// The merged analysis options (flags and the ini's).
    pub options: AnalysisOptions,
    pub introspect: IntrospectOptions,
    pub lock_timeout: Duration,
    /// Where every write is recorded (a JSON line before it, one after).
    pub audit_log: Option<PathBuf>,
    given_url: Option<String>,
    read_environment: bool,
    /// A fleet member's database, decided by the fleet.
    fixed_target: Option<DatabaseTarget>,
    /// Shared with the sessions of a fleet's members: computed once (by
    /// whichever thread asks first; see [`Doctor::prepare_expected`]).
    expected: Arc<Mutex<HashMap<Dialect, ExpectedSlot>>>,
}

impl Doctor {
    /// Reads the configuration and the scripts (a broken script directory is
    /// reported by [`Project::errors`], not here) and merges the options.
    pub fn open(options: &DoctorOptions) -> Result<Doctor, DoctorError> {
        let project = Project::open_with_cache(&options.config, &options.cache)?;
        let mut ignore_tables = project.config.ignore_tables.clone();
        ignore_tables.extend(options.ignore_tables.iter().cloned());
        let ignore_tables = TablePatterns::new(&ignore_tables)
            .map_err(|error| DoctorError::IgnoreTables(format!("ignore_tables: {error}")))?;
        let mut ignore_objects = project.config.ignore_objects.clone();
        ignore_objects.extend(options.ignore_objects.iter().cloned());
        let ignore_objects = ObjectPatterns::new(&ignore_objects)
            .map_err(|error| DoctorError::IgnoreTables(format!("ignore: {error}")))?;
        Ok(Doctor {
            options: AnalysisOptions {
                tie_policy: options.tie_policy,
                ignore_tables,
                ignore_objects,
            },
            introspect: options.introspect.clone(),
            lock_timeout: options.lock_timeout,
            audit_log: None,
            given_url: options.database_url.clone(),
            read_environment: options.read_environment,
            project: Arc::new(project),
            fixed_target: None,
            expected: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// A session over one member of a fleet: this session's project,
    /// options and expected schemas, the member's database, and — for a
    /// schema of a PostgreSQL fleet — its tables and its version table in
    /// that schema.
    pub fn for_target(&self, target: &crate::FleetTarget) -> Doctor {
        let mut introspect = self.introspect.clone();
        if let Some(schema) = &target.schema {
            introspect.schema = Some(schema.clone());
            introspect.version_table_schema = Some(schema.clone());
        }
        Doctor {
            project: self.project.clone(),
            options: self.options.clone(),
            introspect,
            lock_timeout: self.lock_timeout,
            audit_log: self.audit_log.clone(),
            given_url: None,
            read_environment: false,
            fixed_target: Some(target.database.clone()),
            expected: self.expected.clone(),
        }
    }

    /// The database this session talks to.
    pub fn target(&self) -> Result<DatabaseTarget, DoctorError> {
        if let Some(target) = &self.fixed_target {
            return Ok(target.clone());
        }
        DatabaseTarget::resolve(
            self.given_url.as_deref(),
            self.read_environment,
            Some(&self.project.config),
        )
    }

    /// The expected schema after every revision on `dialect`, computed once.
    pub fn expected(&self, dialect: Dialect) -> Arc<ExpectedSchemas> {
        let slot = self.expected_slot(dialect);
        slot.get_or_init(|| Arc::new(self.project.expected_schemas(dialect)))
            .clone()
    }

    fn expected_slot(&self, dialect: Dialect) -> ExpectedSlot {
        self.expected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(dialect)
            .or_default()
            .clone()
    }

    /// Starts computing the expected schemas of `dialect` on another thread,
    /// so that they are ready when the database has been read (the two take
    /// about as long on a large history); [`Doctor::expected`] waits for it.
    pub fn prepare_expected(&self, dialect: Dialect) {
        if !self.project.is_valid() {
            return;
        }
        let slot = self.expected_slot(dialect);
        if slot.get().is_some() {
            return;
        }
        let project = self.project.clone();
        let started = std::thread::Builder::new()
            .name("expected-schemas".to_owned())
            .spawn(move || {
                slot.get_or_init(|| Arc::new(project.expected_schemas(dialect)));
            });
        // Without a thread, `expected` computes them when asked.
        drop(started);
    }

    /// The diagnosis of a database that does not exist yet.
    fn not_created(&self) -> Diagnosis {
        let graph = &self.project.graph;
        let ids = |indexes: &[RevisionIndex]| -> Vec<String> {
            indexes
                .iter()
                .map(|&index| graph.revision(index).id().to_owned())
                .collect()
        };
        Diagnosis::not_created(ids(&graph.heads()), ids(graph.topological()))
    }

    /// A connection to the target.
    pub async fn connect(&self, access: Access) -> Result<Database, DoctorError> {
        let target = self.target()?;
        Ok(connect(&target.url, access, &target.base).await?)
    }

    /// Reads the database (read-only) and diagnoses it, answering the data
    /// probes the diagnosis asks for. Writes nothing.
    pub async fn examine(&self) -> Result<Examination, DoctorError> {
        if let Ok(target) = self.target() {
            self.prepare_expected(target.url.dialect);
        }
        let mut database = self.connect(Access::ReadOnly).await?;
        let result = self.examine_on(&mut database).await;
        database.close().await;
        result
    }

    async fn examine_on(&self, database: &mut Database) -> Result<Examination, DoctorError> {
        let live = read_live(database, &self.introspect).await?;
        Ok(self.examine_live(database, live).await)
    }

    /// Diagnoses `live` (read through `database`, which answers the probes).
    pub(crate) async fn examine_live(
        &self,
        database: &mut Database,
        live: LiveDatabase,
    ) -> Examination {
        let errors = self.project.errors();
        let expected = errors.is_empty().then(|| self.expected(live.dialect));
        let diagnose = |probes: &[ProbeResult]| {
            analyze(AnalysisInput {
                graph: &self.project.graph,
                script_errors: &errors,
                expected: expected.as_deref(),
                live: &live,
                options: &self.options,
                probes,
            })
        };
        let diagnosis = diagnose_with_probes(database, &live, &diagnose).await;
        Examination {
            live,
            diagnosis,
            expected,
        }
    }

    /// The planner a recovery decides with, under the lock.
    pub fn planner(
        &self,
        dialect: Dialect,
        attendance: Attendance,
        to_revision: Option<(&str, bool)>,
        complete: bool,
    ) -> Result<RecoveryPlanner<'_>, DoctorError> {
        let errors = self.project.errors();
        if !errors.is_empty() {
            return Err(DoctorError::InvalidScripts(errors));
        }
        let to_revision = match to_revision {
            Some((ident, force)) => {
                let heads: Vec<RevisionIndex> = self
                    .project
                    .graph
                    .resolve_state(ident)
                    .map_err(|error| DoctorError::UnknownRevision(error.to_string()))?;
                Some((heads, force))
            }
            None => None,
        };
        Ok(RecoveryPlanner {
            graph: &self.project.graph,
            expected: self.expected(dialect),
            options: self.options.clone(),
            to_revision,
            attendance,
            complete,
        })
    }

    /// Decides under the lock (after reading the database again), applies
    /// the plan unless it is a dry run, and verifies it. A dry run uses a
    /// read-only connection.
    pub async fn recover(&self, request: &RecoveryRequest<'_>) -> Result<Recovery, DoctorError> {
        let target = self.target()?;
        let planner = self.planner(
            target.url.dialect,
            request.attendance,
            request
                .to_revision
                .as_deref()
                .map(|revision| (revision, request.force)),
            request.complete,
        )?;
        let decide = |live: &LiveDatabase, probes: &[ProbeResult]| {
            let mut decision = planner.decide(live, probes);
            if let Some(reason) = request.veto.and_then(|veto| veto(&decision)) {
                decision.plan = None;
                decision.refusal = Some(Refusal::new(reason, None));
            }
            decision
        };
        let access = if request.dry_run {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let audit = self.audit_log.as_deref().map(|path| AuditLog {
            path,
            configuration: self.project.config.ini_file.as_deref(),
            database: target.url.redacted(),
            schema: self.introspect.schema.as_deref(),
            url_source: target.source.name(),
        });
        let before_write = |outcome: &Outcome| match &audit {
            Some(audit) => audit.intent(outcome),
            None => Ok(()),
        };
        let mut database = connect(&target.url, access, &target.base).await?;
        let result = migration_doctor_recovery::recover(
            &mut database,
            &RecoveryRun {
                introspect: &self.introspect,
                lock_timeout: self.lock_timeout,
                dry_run: request.dry_run,
                decide: &decide,
                while_locked: request.while_locked,
                before_while_locked: request.before_while_locked,
                before_write: Some(&before_write),
            },
        )
        .await;
        database.close().await;
        let mut recovery = result?;
        if let Some(audit) = &audit
            && recovery.outcome.applied
        {
            recovery.audit_warning = audit.outcome(&recovery.outcome).err();
        }
        Ok(recovery)
    }

    /// The start-up step: recover when the evidence is proven, run
    /// `while_locked` (the migrations) under the lock when the state is
    /// sound, and diagnose again. `complete_partial` lets it finish a
    /// half-applied revision (on proven evidence only, as every unattended
    /// write).
    pub async fn ensure(
        &self,
        while_locked: Option<&WhileLocked<'_>>,
        before_while_locked: Option<&(dyn Fn(&Outcome) + Sync)>,
        complete_partial: bool,
    ) -> Result<Ensured, DoctorError> {
        // First boot on SQLite: no file yet is a fresh database; the
        // migrations create it (nothing to lock or stamp before them).
        let target = self.target()?;
        if let Some(file) = target.sqlite_file()
            && !file.exists()
        {
            let hook = while_locked.map(|hook| hook());
            let outcome = Outcome {
                applied: false,
                before: None,
                after: None,
                statements: Vec::new(),
                undo: Vec::new(),
                diagnosis: None,
                refusal: None,
            };
            let after = if file.exists() {
                self.examine().await?.diagnosis
            } else {
                return Ok(Ensured {
                    sound: while_locked.is_none(),
                    after: self.not_created(),
                    recovery: Recovery {
                        outcome,
                        hook,
                        audit_warning: None,
                    },
                });
            };
            let sound = !matches!(hook, Some(Err(_))) && after.is_sound(while_locked.is_some());
            return Ok(Ensured {
                recovery: Recovery {
                    outcome,
                    hook,
                    audit_warning: None,
                },
                after,
                sound,
            });
        }
        let recovery = self
            .recover(&RecoveryRequest {
                attendance: Attendance::Unattended,
                while_locked,
                before_while_locked,
                complete: complete_partial,
                ..RecoveryRequest::default()
            })
            .await?;
        let after = self.examine().await?.diagnosis;
        let sound = recovery.outcome.refusal.is_none()
            && !matches!(recovery.hook, Some(Err(_)))
            && after.is_sound(while_locked.is_some());
        Ok(Ensured {
            recovery,
            after,
            sound,
        })
    }
}
