//! `migration-doctor check`: keeps a project recoverable, without a
//! database (docs/contract.md, "Check").

use std::collections::BTreeSet;

use migration_doctor::schema::Dialect;
use migration_doctor::{CheckCode, CheckOptions};

use crate::cli::{CheckArgs, Format, GlobalOptions};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

pub fn run(global: &GlobalOptions, args: &CheckArgs, output: &Output) -> Result<(), Failure> {
    let project = database::open_project(global)?;
    let codes = |names: &[String], option: &str| -> Result<BTreeSet<CheckCode>, Failure> {
        names
            .iter()
            .map(|name| {
                CheckCode::parse(name).ok_or_else(|| {
                    Failure::Usage(format!(
                        "`{name}` in the [migration_doctor] section's {option} is no check code; \
                         the codes are {}",
                        CheckCode::ALL.map(CheckCode::name).join(", ")
                    ))
                })
            })
            .collect()
    };
    let options = CheckOptions {
        dialects: dialects(global, args),
        models: args
            .models
            .clone()
            .or_else(|| project.config.models.clone()),
        notes: codes(&project.config.check_notes, "check_notes")?,
        errors: codes(&project.config.check_errors, "check_errors")?,
    };
    let report = project.check(&options);
    let base = std::env::current_dir().unwrap_or_default();
    match global.format() {
        Format::Text => output.print(&render::check::text(&report, &base)),
        Format::Json | Format::Jsonl => output.print_raw(&render::check::json(&report, &base)),
        Format::Github => output.print_raw(&render::check::github(&report, &base)),
        Format::Dot | Format::Mermaid => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only; use text, json or github"
                    .to_owned(),
            ));
        }
    }
    if report.fails() {
        Err(Failure::ProblemsFound)
    } else {
        Ok(())
    }
}

/// `--dialect`, else the configured URL's, else all three.
fn dialects(global: &GlobalOptions, args: &CheckArgs) -> Vec<Dialect> {
    if !args.dialect.is_empty() {
        let mut chosen: Vec<Dialect> = args.dialect.iter().map(|d| d.dialect()).collect();
        chosen.dedup();
        return chosen;
    }
    let config = database::config_request(global)
        .ok()
        .and_then(|request| migration_doctor::scripts::load_config(&request).ok());
    match migration_doctor::DatabaseTarget::resolve(
        global.database_url.as_deref(),
        true,
        config.as_ref(),
    ) {
        Ok(target) => vec![target.url.dialect],
        Err(_) => Vec::new(),
    }
}
