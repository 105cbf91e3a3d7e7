//! `migration-doctor diagnose` and `status`: read the scripts and the
//! database, decide the state, and report. Nothing is written anywhere.

use migration_doctor::Project;
use migration_doctor::diagnosis::{
    AnalysisInput, Diagnosis, Evidence, ProbeResult, State, analyze,
};
use migration_doctor::infer::ExpectedSchemas;
use migration_doctor::live::{Access, read_live};
use migration_doctor::recovery::diagnose_with_probes;

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
    /// The database as PRODUCT.md's `target` names it.
    pub target: serde_json::Value,
    pub expected: Option<ExpectedSchemas>,
    pub diagnosis: Diagnosis,
}

pub fn run(global: &GlobalOptions, status: bool, output: &Output) -> Result<(), Failure> {
    let project = Project::open(&database::config_request(global)?)?;
    for warning in project.warnings() {
        output.warning(&warning);
    }
    let runtime = database::runtime()?;
    let (database_url, _) = database::database_url(global)?;
    let target = database::target(global, &database_url);
    let errors = project.errors();
    let options = database::analysis_options(global, &project.config);
    let (live, url, expected, diagnosis) = runtime.block_on(async {
        let mut database = database::open(global, Access::ReadOnly, output).await?;
        let url = database.url.redacted();
        let live = match read_live(&mut database, &database::introspect_options(global)).await {
            Ok(live) => live,
            Err(error) => {
                database.close().await;
                return Err(Failure::from(error));
            }
        };
        let expected = errors
            .is_empty()
            .then(|| project.expected_schemas(live.dialect));
        let diagnose = |probes: &[ProbeResult]| {
            analyze(AnalysisInput {
                graph: &project.graph,
                script_errors: &errors,
                expected: expected.as_ref(),
                live: &live,
                options: &options,
                probes,
            })
        };
        let diagnosis = diagnose_with_probes(&mut database, &diagnose).await;
        database.close().await;
        Ok::<_, Failure>((live, url, expected, diagnosis))
    })?;
    let report = Report {
        project,
        live,
        url,
        target,
        expected,
        diagnosis,
    };
    match (global.format(), status) {
        (Format::Json, false) => output.print_raw(&render::diagnosis_json::diagnosis(
            &report.diagnosis,
            &report.target,
        )),
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
        State::InvalidScripts => Err(Failure::InvalidScriptsReported),
        State::Healthy | State::Fresh | State::Behind
            if report.diagnosis.evidence != Evidence::Refused =>
        {
            Ok(())
        }
        _ => Err(Failure::ProblemsFound),
    }
}
