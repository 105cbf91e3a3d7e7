//! `migration-doctor diagnose` and `status`: the session examines the
//! database, and this renders it. Nothing is written anywhere.

use migration_doctor::diagnosis::{Diagnosis, State};
use migration_doctor::live::LiveDatabase;
use migration_doctor::{Doctor, Examination, Project};

use crate::cli::{Format, GlobalOptions};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

/// Everything a report shows.
pub struct Report {
    pub doctor: Doctor,
    pub examination: Examination,
    /// The URL with its password masked.
    pub url: String,
    /// The database as the JSON's `target` names it (docs/contract.md, "JSON").
    pub target: serde_json::Value,
}

impl Report {
    pub fn project(&self) -> &Project {
        &self.doctor.project
    }

    pub fn live(&self) -> &LiveDatabase {
        &self.examination.live
    }

    pub fn diagnosis(&self) -> &Diagnosis {
        &self.examination.diagnosis
    }
}

pub fn run(global: &GlobalOptions, status: bool, output: &Output) -> Result<(), Failure> {
    let doctor = database::open_doctor(global, None, output)?;
    report_on(doctor, global, status, output)
}

/// `diagnose` (or `status`) in a session already open.
pub fn report_on(
    doctor: Doctor,
    global: &GlobalOptions,
    status: bool,
    output: &Output,
) -> Result<(), Failure> {
    let target = doctor.target()?;
    let runtime = database::runtime()?;
    let examination = runtime.block_on(doctor.examine())?;
    let report = Report {
        url: target.url.redacted(),
        target: database::target_json(&target),
        doctor,
        examination,
    };
    match (global.format(), status) {
        (Format::Json | Format::Jsonl, false) => output.print_raw(
            &render::diagnosis_json::diagnosis(report.diagnosis(), &report.target),
        ),
        (Format::Json | Format::Jsonl, true) => {
            output.print_raw(&render::diagnosis_json::status(&report))
        }
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
        (Format::Dot | Format::Mermaid | Format::Github, _) => {
            return Err(Failure::Usage(
                "--format dot and mermaid apply to `graph` only, github to `check` only; use \
                 text or json"
                    .to_owned(),
            ));
        }
    }
    let verdict = verdict(report.diagnosis());
    // Left for the process's end to free: freeing the expected schemas of
    // thousands of revisions piece by piece costs more than comparing them.
    std::mem::forget(report);
    verdict
}

/// How a diagnosis ends `diagnose` (its report printed): fine, problems
/// found, or invalid scripts.
pub fn verdict(diagnosis: &Diagnosis) -> Result<(), Failure> {
    match diagnosis.state {
        State::InvalidScripts => Err(Failure::InvalidScriptsReported),
        _ if diagnosis.is_sound(false) => Ok(()),
        _ => Err(Failure::ProblemsFound),
    }
}
