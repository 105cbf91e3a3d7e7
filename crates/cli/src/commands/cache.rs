//! `migration-doctor cache`: interprets every revision once and keeps the
//! operations, so that a container's start-up step only reads them
//! (docs/contract.md, "The operations cache").

use migration_doctor::schema::Dialect;
use migration_doctor::{CacheState, CacheWritten};

use crate::cli::{CacheArgs, Format, GlobalOptions};
use crate::commands::{database, schema};
use crate::failure::Failure;
use crate::output::Output;

pub fn run(global: &GlobalOptions, args: &CacheArgs, output: &Output) -> Result<(), Failure> {
    if global.no_cache {
        return Err(Failure::Usage(
            "`cache` writes the operations cache; leave out --no-cache".to_owned(),
        ));
    }
    let project = database::open_sound_project(global, output)?;
    let mut dialects: Vec<Dialect> = args.dialect.iter().map(|arg| arg.dialect()).collect();
    if dialects.is_empty() {
        dialects = match schema::url_dialect(global) {
            Ok(dialect) => vec![dialect],
            Err(_) => vec![Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite],
        };
    }
    dialects.dedup();
    let mut written = Vec::new();
    for dialect in dialects {
        let done = project.write_cache(dialect).map_err(|error| {
            let folder = project.cache_folder();
            Failure::Usage(format!(
                "cannot write the operations cache in {}: {error}; choose a folder this user \
                 can write with --cache-dir DIR (and give the same --cache-dir, or \
                 MIGRATION_DOCTOR_CACHE_DIR, to the commands that should read it)",
                folder.display()
            ))
        })?;
        written.push(done);
    }
    match global.format() {
        Format::Json => output.print_raw(&json(&written)),
        _ => {
            for done in &written {
                output.print(&text(done));
            }
        }
    }
    Ok(())
}

fn text(done: &CacheWritten) -> String {
    let revisions = done.reused + done.interpreted;
    let before = match &done.before {
        CacheState::Read(_) => format!("{} already cached", done.reused),
        CacheState::Missing => "new".to_owned(),
        CacheState::OtherBuild => "the old file was another version's".to_owned(),
        CacheState::ModulesChanged => {
            "the old file predates a change of a project module".to_owned()
        }
        CacheState::Unreadable(why) => format!("the old file was unreadable: {why}"),
    };
    format!(
        "{}: the operations of {revisions} revisions ({before}) in {}",
        done.dialect,
        done.path.display()
    )
}

fn json(written: &[CacheWritten]) -> String {
    let entries: Vec<serde_json::Value> = written
        .iter()
        .map(|done| {
            serde_json::json!({
                "dialect": done.dialect.to_string(),
                "path": done.path.display().to_string(),
                "revisions": done.reused + done.interpreted,
                "interpreted": done.interpreted,
                "reused": done.reused,
            })
        })
        .collect();
    let document = serde_json::json!({ "cache": entries });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&document).unwrap_or_default()
    )
}
