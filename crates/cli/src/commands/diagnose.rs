//! `migration-doctor diagnose` and `status`: read the scripts and the
//! database, decide the state, and report. Nothing is written anywhere.

use migration_doctor::Project;
use migration_doctor::diagnosis::{AnalysisInput, Diagnosis, State, analyze};
use migration_doctor::infer::ExpectedSchemas;
use migration_doctor::live::{Access, read_live};

use crate::cli::{Format, GlobalOptions};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

/// Everything a report shows.
pub struct Report {
    pub project: Project,
    pub live: migration_doctor::live::LiveDatabase,
    pub url: String,
    pub expected: Option<ExpectedSchemas>,
    pub diagnosis: Diagnosis,
}

pub fn run(global: &GlobalOptions, status: bool, output: &Output) -> Result<(), Failure> {
    let project = Project::open(&database::config_request(global)?)?;
    for warning in project.warnings() {
        output.warning(&warning);
    }
    let runtime = database::runtime()?;
    let (live, url) = runtime.block_on(async {
        let mut database = database::open(global, Access::ReadOnly, output).await?;
        let live = read_live(&mut database, &database::introspect_options(global)).await;
        let url = database.url.redacted();
        database.close().await;
        live.map(|live| (live, url)).map_err(Failure::from)
    })?;
    let errors = project.errors();
    let expected = errors
        .is_empty()
        .then(|| project.expected_schemas(live.dialect));
    let options = database::analysis_options(global, &project.config);
    let diagnosis = analyze(AnalysisInput {
        graph: &project.graph,
        script_errors: &errors,
        expected: expected.as_ref(),
        live: &live,
        options: &options,
    });
    let report = Report {
        project,
        live,
        url,
        expected,
        diagnosis,
    };
    match (global.format(), status) {
        (Format::Json, false) => {
            output.print_raw(&render::diagnosis_json::diagnosis(&report.diagnosis))
        }
        (Format::Json, true) => output.print_raw(&render::diagnosis_json::status(&report)),
        (Format::Text, false) => output.print(&render::diagnosis_text::diagnosis(
            &report,
            global.detailed,
            output,
        )),
        (Format::Text, true) => output.print(&render::diagnosis_text::status(
            &report,
            global.detailed,
            output,
        )),
        (Format::Dot | Format::Mermaid, _) => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only; use text or json".to_owned(),
            ));
        }
    }
    match report.diagnosis.state {
        State::Healthy | State::Fresh | State::Behind => Ok(()),
        State::InvalidScripts => Err(Failure::InvalidScriptsReported),
        _ => Err(Failure::ProblemsFound),
    }
}
