//! From the command line's options to a [`Doctor`] session, and the
//! database a command talks to.
//!
//! The URL comes from `--database-url`, then `DATABASE_URL`, then
//! `sqlalchemy.url` of the configuration (the session decides, and says
//! which). A relative SQLite path is relative to the working directory for
//! the first two (as SQLAlchemy does) and to the configuration file's folder
//! for the last (where alembic is run from).

use std::time::Duration;

use migration_doctor::diagnosis::TiePolicy;
use migration_doctor::live::{Access, Database, IntrospectOptions, connect};
use migration_doctor::{
    CacheChoice, ConfigRequest, DatabaseTarget, Doctor, DoctorOptions, Project,
};

use crate::cli::{GlobalOptions, OnTie};
use crate::failure::Failure;
use crate::output::Output;

pub fn config_request(global: &GlobalOptions) -> Result<ConfigRequest, Failure> {
    let working_dir = std::env::current_dir()
        .map_err(|error| Failure::Usage(format!("cannot read the current directory: {error}")))?;
    Ok(ConfigRequest {
        config_file: global.config.clone(),
        section: global.name.clone(),
        script_location: global.script_location.clone(),
        working_dir,
        baseline: global.baseline.clone(),
    })
}

/// Where the command line says the operations cache is.
pub fn cache_choice(global: &GlobalOptions) -> CacheChoice {
    match (&global.cache_dir, global.no_cache) {
        (_, true) => CacheChoice::Off,
        (Some(folder), false) => CacheChoice::Folder(folder.clone()),
        (None, false) => CacheChoice::BesideConfig,
    }
}

/// Reads the project (configuration, revision files, graph) with the
/// command line's cache choice; warnings are the caller's to print.
pub fn open_project(global: &GlobalOptions) -> Result<Project, Failure> {
    Ok(Project::open_with_cache(
        &config_request(global)?,
        &cache_choice(global),
    )?)
}

/// [`open_project`], its warnings printed.
pub fn open_warned_project(global: &GlobalOptions, output: &Output) -> Result<Project, Failure> {
    let project = open_project(global)?;
    for warning in project.warnings() {
        output.warning(&warning);
    }
    Ok(project)
}

/// [`open_warned_project`], refused when its scripts are invalid (for the
/// commands that need a sound history).
pub fn open_sound_project(global: &GlobalOptions, output: &Output) -> Result<Project, Failure> {
    let project = open_warned_project(global, output)?;
    let errors = project.errors();
    if !errors.is_empty() {
        return Err(Failure::InvalidScripts(errors));
    }
    Ok(project)
}

pub fn introspect_options(global: &GlobalOptions) -> IntrospectOptions {
    IntrospectOptions {
        schema: global.schema.clone(),
        version_table: global.version_table.clone(),
        version_table_schema: global.version_table_schema.clone(),
    }
}

/// The session options of the command line.
pub fn doctor_options(
    global: &GlobalOptions,
    lock_timeout: Option<u64>,
) -> Result<DoctorOptions, Failure> {
    Ok(DoctorOptions {
        config: config_request(global)?,
        database_url: global.database_url.clone(),
        read_environment: true,
        ignore_tables: global.ignore_tables.clone(),
        ignore_objects: global.ignore.clone(),
        tie_policy: global.on_tie.map(|policy| match policy {
            OnTie::Latest => TiePolicy::Latest,
            OnTie::Earliest => TiePolicy::Earliest,
            OnTie::Refuse => TiePolicy::Refuse,
        }),
        introspect: introspect_options(global),
        lock_timeout: Duration::from_secs(lock_timeout.unwrap_or(30)),
        cache: cache_choice(global),
    })
}

/// Opens the session, printing the project's warnings.
pub fn open_doctor(
    global: &GlobalOptions,
    lock_timeout: Option<u64>,
    output: &Output,
) -> Result<Doctor, Failure> {
    let doctor = Doctor::open(&doctor_options(global, lock_timeout)?)?;
    for warning in doctor.project.warnings() {
        output.warning(&warning);
    }
    Ok(doctor)
}

/// The database without a project (`schema --live`): the configuration is
/// read only when neither `--database-url` nor `DATABASE_URL` names one.
pub fn target_without_project(global: &GlobalOptions) -> Result<DatabaseTarget, Failure> {
    let from_environment = std::env::var("DATABASE_URL").is_ok_and(|url| !url.trim().is_empty());
    if global.database_url.is_some() || from_environment {
        return Ok(DatabaseTarget::resolve(
            global.database_url.as_deref(),
            true,
            None,
        )?);
    }
    let config =
        migration_doctor::scripts::load_config(&config_request(global)?).map_err(|error| {
            Failure::Usage(format!(
                "no database URL was given (--database-url or DATABASE_URL), and the configuration \
             could not be read for sqlalchemy.url: {error}"
            ))
        })?;
    Ok(DatabaseTarget::resolve(None, true, Some(&config))?)
}

pub async fn open(
    target: &DatabaseTarget,
    access: Access,
    output: &Output,
) -> Result<Database, Failure> {
    let database = connect(&target.url, access, &target.base).await?;
    for note in &database.notes {
        output.warning(note);
    }
    Ok(database)
}

/// A runtime for the commands that talk to a database.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::Usage(format!("cannot start the async runtime: {error}")))
}

/// The database as the JSON's `target` names it (docs/contract.md, "JSON").
pub fn target_json(target: &DatabaseTarget) -> serde_json::Value {
    serde_json::json!({
        "dialect": target.url.dialect,
        "host": target.url.host,
        "database": target.url.database,
        "url": target.url.redacted(),
        "url_source": target.source.name(),
    })
}
