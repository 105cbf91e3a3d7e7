//! Which database a command talks to, and opening it.
//!
//! The URL comes from `--database-url`, then `DATABASE_URL`, then
//! `sqlalchemy.url` of the configuration. A relative SQLite path is relative
//! to the working directory for the first two (as SQLAlchemy does) and to the
//! configuration file's folder for the last (where alembic is run from).

use std::path::PathBuf;

use migration_doctor::ConfigRequest;
use migration_doctor::live::{Access, Database, DatabaseUrl, IntrospectOptions, connect};

use crate::cli::GlobalOptions;
use crate::failure::Failure;
use crate::output::Output;

/// alembic's template value for `sqlalchemy.url`, which env.py usually replaces.
const TEMPLATE_URL: &str = "driver://user:pass@localhost/dbname";

pub fn config_request(global: &GlobalOptions) -> Result<ConfigRequest, Failure> {
    let working_dir = std::env::current_dir()
        .map_err(|error| Failure::Usage(format!("cannot read the current directory: {error}")))?;
    Ok(ConfigRequest {
        config_file: global.config.clone(),
        section: global.name.clone(),
        script_location: global.script_location.clone(),
        working_dir,
    })
}

/// The URL to use and the folder relative SQLite paths start from.
pub fn database_url(global: &GlobalOptions) -> Result<(DatabaseUrl, PathBuf), Failure> {
    let request = config_request(global)?;
    if let Some(text) = global
        .database_url
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    {
        return Ok((
            DatabaseUrl::parse(text).map_err(migration_doctor::live::LiveError::from)?,
            request.working_dir,
        ));
    }
    let config = migration_doctor::scripts::load_config(&request).map_err(|error| {
        Failure::Usage(format!(
            "no database URL was given (--database-url or DATABASE_URL), and the configuration \
             could not be read for sqlalchemy.url: {error}"
        ))
    })?;
    let Some(text) = config.sqlalchemy_url.clone() else {
        return Err(Failure::Usage(
            "no database URL: pass --database-url, set DATABASE_URL, or set sqlalchemy.url in \
             alembic.ini"
                .to_owned(),
        ));
    };
    if text.trim() == TEMPLATE_URL {
        return Err(Failure::Usage(format!(
            "sqlalchemy.url in the configuration is alembic's placeholder `{TEMPLATE_URL}` (env.py \
             probably sets the real one); pass the database with --database-url or DATABASE_URL"
        )));
    }
    let base = config
        .ini_file
        .as_ref()
        .and_then(|ini| ini.parent().map(PathBuf::from))
        .unwrap_or(request.working_dir);
    Ok((
        DatabaseUrl::parse(&text).map_err(migration_doctor::live::LiveError::from)?,
        base,
    ))
}

pub fn introspect_options(global: &GlobalOptions) -> IntrospectOptions {
    IntrospectOptions {
        schema: global.schema.clone(),
        version_table: global.version_table.clone(),
        version_table_schema: global.version_table_schema.clone(),
    }
}

pub async fn open(
    global: &GlobalOptions,
    access: Access,
    output: &Output,
) -> Result<Database, Failure> {
    let (url, base) = database_url(global)?;
    let database = connect(&url, access, &base).await?;
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

/// The analysis options of the command line and the configuration together.
pub fn analysis_options(
    global: &GlobalOptions,
    config: &migration_doctor::AlembicConfig,
) -> migration_doctor::diagnosis::AnalysisOptions {
    use migration_doctor::diagnosis::TiePolicy;
    let mut ignore_tables = config.ignore_tables.clone();
    ignore_tables.extend(global.ignore_tables.iter().cloned());
    migration_doctor::diagnosis::AnalysisOptions {
        tie_policy: global.on_tie.map(|policy| match policy {
            crate::cli::OnTie::Latest => TiePolicy::Latest,
            crate::cli::OnTie::Earliest => TiePolicy::Earliest,
            crate::cli::OnTie::Refuse => TiePolicy::Refuse,
        }),
        ignore_tables,
    }
}

/// Where the URL came from: `flag`, `environment` (`DATABASE_URL`) or `ini`.
pub fn url_source(global: &GlobalOptions) -> &'static str {
    if global.database_url.is_none() {
        return "ini";
    }
    let on_command_line = std::env::args().any(|arg| arg.starts_with("--database-url"));
    if !on_command_line && std::env::var_os("DATABASE_URL").is_some() {
        "environment"
    } else {
        "flag"
    }
}

/// The database a command talks to, as every output names it.
pub fn target(global: &GlobalOptions, url: &DatabaseUrl) -> serde_json::Value {
    serde_json::json!({
        "dialect": url.dialect,
        "host": url.host,
        "database": url.database,
        "url": url.redacted(),
        "url_source": url_source(global),
    })
}
