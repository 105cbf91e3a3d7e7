//! `migration-doctor schema`: the live schema (`--live`), read from the
//! database, or the expected schema at a revision.

use migration_doctor::Project;
use migration_doctor::live::{Access, read_live};
use migration_doctor::schema::Dialect;

use crate::cli::{Format, GlobalOptions, SchemaArgs};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

pub fn run(global: &GlobalOptions, args: &SchemaArgs, output: &Output) -> Result<(), Failure> {
    if !args.live {
        return expected(global, args, output);
    }
    let runtime = database::runtime()?;
    let target = database::target_without_project(global)?;
    let live = runtime.block_on(async {
        let mut database = database::open(&target, Access::ReadOnly, output).await?;
        let live = read_live(&mut database, &database::introspect_options(global)).await;
        let target = database.url.redacted();
        database.close().await;
        live.map(|live| (live, target)).map_err(Failure::from)
    })?;
    let (live, url) = live;
    match global.format() {
        Format::Json | Format::Jsonl => output.print_raw(&render::schema_json::render_live(&live)),
        Format::Text => output.print(&render::schema_text::render_live(&live, &url, output)),
        Format::Dot | Format::Mermaid | Format::Github => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only, github to `check` only; use \
                 text or json"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// `schema [--revision R] [--dialect D]`: the expected schema derived from
/// the migrations.
fn expected(global: &GlobalOptions, args: &SchemaArgs, output: &Output) -> Result<(), Failure> {
    let dialect = match args.dialect {
        Some(dialect) => dialect.dialect(),
        None => url_dialect(global)?,
    };
    let project = database::open_sound_project(global, output)?;
    let graph = &project.graph;
    if args.models {
        return models(global, &project, dialect, output);
    }
    let ident = args.revision.as_deref().unwrap_or("heads");
    // A state of several heads may be named with `+` between full ids.
    let revisions = graph
        .resolve_state(ident)
        .map_err(|error| Failure::InvalidScripts(vec![error.to_string()]))?;
    let expected = project.expected_schemas(dialect);
    let schema = expected.after_heads(graph, &revisions);
    // Heads share ancestors: each unknown operation once (by file and line).
    let mut unknown = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for &index in &revisions {
        for operation in expected.unknown_operations_up_to(graph, index) {
            if seen.insert((operation.path.clone(), operation.line)) {
                unknown.push(operation);
            }
        }
    }
    let ids: Vec<String> = revisions
        .iter()
        .map(|&index| graph.revision(index).id().to_owned())
        .collect();
    match global.format() {
        Format::Json | Format::Jsonl => output.print_raw(&render::schema_json::render_expected(
            &ids, dialect, &schema, &unknown,
        )),
        Format::Text => output.print(&render::schema_text::render_expected(
            &ids, dialect, &schema, &unknown, output,
        )),
        Format::Dot | Format::Mermaid | Format::Github => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only, github to `check` only; use \
                 text or json"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// `schema --models`: the baseline, as read from the project's models.
fn models(
    global: &GlobalOptions,
    project: &Project,
    dialect: Dialect,
    output: &Output,
) -> Result<(), Failure> {
    let expected = project.expected_schemas(dialect);
    let outcome = match expected.baseline() {
        None => {
            return Err(Failure::Usage(
                "no baseline is configured: name the project's models with --baseline \
                 package.module:Base.metadata, or `baseline = ...` in the ini's \
                 [migration_doctor] section"
                    .to_owned(),
            ));
        }
        Some(Err(error)) => return Err(Failure::InvalidScripts(vec![error.to_string()])),
        Some(Ok(outcome)) => outcome,
    };
    let ids = vec![format!(
        "baseline {}",
        project.config.baseline.as_deref().unwrap_or_default()
    )];
    let schema = &expected.base().schema;
    match global.format() {
        Format::Json | Format::Jsonl => output.print_raw(&render::schema_json::render_expected(
            &ids,
            dialect,
            schema,
            &outcome.unknown,
        )),
        Format::Text => output.print(&render::schema_text::render_expected(
            &ids,
            dialect,
            schema,
            &outcome.unknown,
            output,
        )),
        Format::Dot | Format::Mermaid | Format::Github => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only, github to `check` only; use \
                 text or json"
                    .to_owned(),
            ));
        }
    }
    Ok(())
}

/// The dialect of the database URL, when one is configured.
pub fn url_dialect(global: &GlobalOptions) -> Result<Dialect, Failure> {
    let config = database::config_request(global)
        .ok()
        .and_then(|request| migration_doctor::scripts::load_config(&request).ok());
    match migration_doctor::DatabaseTarget::resolve(
        global.database_url.as_deref(),
        true,
        config.as_ref(),
    ) {
        Ok(target) => Ok(target.url.dialect),
        Err(_) => Err(Failure::Usage(
            "choose the dialect of the expected schema with --dialect postgresql|mysql|sqlite, or \
             give a database URL (--database-url, DATABASE_URL or sqlalchemy.url)"
                .to_owned(),
        )),
    }
}
