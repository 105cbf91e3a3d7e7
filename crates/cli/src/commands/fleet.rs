//! `diagnose`, `status`, `recover` and `ensure` over a fleet
//! (`--each-schema GLOB`, `--databases FILE|-`): every target in turn, at
//! most `--jobs` at once, this process's `--shard` only; one report per
//! target (a line of text, or one JSON object per line under `--format
//! jsonl`, each with its `target`), a summary of states at the end, and the
//! worst exit code. A target's failure is its own report, never the end of
//! the run; writes go in waves of `--jobs` targets, and no new wave starts
//! once more than `--max-failures` targets failed.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};

use migration_doctor::{
    Attendance, Examination, FleetSource, FleetTarget, FleetWrite, FleetWritten, RecoveryRequest,
    Shard, Waves,
};
use serde_json::{Value, json};

use crate::cli::{EnsureArgs, FleetArgs, Format, GlobalOptions, RecoverArgs};
use crate::commands::{database, diagnose, recover};
use crate::failure::Failure;
use crate::output::Output;
use crate::render::verdict_line;

/// What runs on each target.
#[derive(Clone, Copy)]
pub enum FleetCommand<'a> {
    Diagnose,
    Recover(&'a RecoverArgs),
    Ensure(&'a EnsureArgs),
}

/// What one target ended in.
struct TargetReport {
    name: String,
    /// The state it was found in (after a recovery: the diagnosis under the lock).
    state: Option<&'static str>,
    /// Its exit code, as the command alone would give it.
    code: u8,
    /// Its JSON object, with `target`.
    value: Value,
    /// Its line of text.
    line: String,
}

/// What the summary counts of the reports written.
#[derive(Default)]
struct Tally {
    states: BTreeMap<&'static str, usize>,
    failed: usize,
    worst: u8,
    count: usize,
}

impl Tally {
    fn add(&mut self, report: &TargetReport) {
        *self
            .states
            .entry(report.state.unwrap_or("error"))
            .or_default() += 1;
        self.failed += usize::from(report.code != 0);
        self.worst = self.worst.max(report.code);
        self.count += 1;
    }
}

/// The targets' URLs of `--databases`: one per line, blank lines and
/// `#` comments left out; `-` is standard input.
fn read_database_list(path: &std::path::Path) -> Result<Vec<String>, Failure> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        if std::io::stdin().is_terminal() {
            return Err(Failure::Usage(
                "--databases -: standard input is a terminal; pipe the list of URLs in".to_owned(),
            ));
        }
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|error| Failure::Usage(format!("--databases -: {error}")))?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|error| Failure::Usage(format!("--databases {}: {error}", path.display())))?
    };
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

fn target_value(target: &FleetTarget) -> Value {
    let mut value = database::target_json(&target.database);
    if let Some(object) = value.as_object_mut() {
        object.insert("name".to_owned(), json!(target.name));
        object.insert("schema".to_owned(), json!(target.schema));
    }
    value
}

fn failed(target: &FleetTarget, target_json: Value, failure: &Failure) -> TargetReport {
    let message = failure.messages().join("; ");
    TargetReport {
        name: target.name.clone(),
        state: None,
        code: failure.status(),
        value: json!({"target": target_json, "error": failure.error_json()}),
        line: format!("{}: error [{}]: {message}", target.name, failure.code()),
    }
}

/// The report of one target's diagnosis.
fn diagnosed(
    target: &FleetTarget,
    examination: Result<Examination, migration_doctor::DoctorError>,
) -> TargetReport {
    let target_json = target_value(target);
    match examination {
        Ok(examination) => {
            let diagnosis = &examination.diagnosis;
            TargetReport {
                name: target.name.clone(),
                state: Some(diagnosis.state.name()),
                code: diagnose::verdict(diagnosis)
                    .err()
                    .map_or(0, |failure| failure.status()),
                value: crate::render::diagnosis_json::diagnosis_value(diagnosis, &target_json),
                line: format!("{}: {}", target.name, verdict_line(diagnosis)),
            }
        }
        Err(error) => failed(target, target_json, &Failure::from(error)),
    }
}

/// One target's report after a fleet's write.
fn written(
    target: &FleetTarget,
    result: Result<FleetWritten, migration_doctor::DoctorError>,
) -> TargetReport {
    let target_json = target_value(target);
    match result {
        Err(error) => failed(target, target_json, &Failure::from(error)),
        Ok(FleetWritten::Recovered(recovery)) => {
            let recovery = *recovery;
            let outcome = recovery.outcome;
            let diagnosis = outcome.diagnosis.as_ref();
            let mut line = match (&outcome.refusal, outcome.applied) {
                (Some(refusal), _) => format!(
                    "{}: refused: {}",
                    target.name,
                    crate::render::refusal_message(refusal)
                ),
                (None, true) => format!(
                    "{}: recovered ({} statement(s)): {} -> {}",
                    target.name,
                    outcome.statements.len(),
                    recover::rows(&outcome.before),
                    recover::rows(&outcome.after)
                ),
                (None, false) if !outcome.statements.is_empty() => format!(
                    "{}: would run {} statement(s): {}",
                    target.name,
                    outcome.statements.len(),
                    outcome.statements.join("; ")
                ),
                (None, false) => format!(
                    "{}: nothing to write{}",
                    target.name,
                    diagnosis
                        .map(|d| format!(" ({})", verdict_line(d)))
                        .unwrap_or_default()
                ),
            };
            if let Some(warning) = &recovery.audit_warning {
                line.push_str(&format!("; the write is done, but {warning}"));
            }
            TargetReport {
                name: target.name.clone(),
                state: diagnosis.map(|diagnosis| diagnosis.state.name()),
                code: u8::from(outcome.refusal.is_some()),
                value: recover::outcome_value(diagnosis, &outcome, &target_json),
                line,
            }
        }
        Ok(FleetWritten::Ensured(ensured)) => {
            let outcome = &ensured.recovery.outcome;
            let mut line = format!("{}: {}", target.name, verdict_line(&ensured.after));
            if outcome.applied {
                line.push_str(&format!(
                    " after recovering {} -> {}",
                    recover::rows(&outcome.before),
                    recover::rows(&outcome.after)
                ));
            }
            if let Some(warning) = &ensured.recovery.audit_warning {
                line.push_str(&format!("; the write is done, but {warning}"));
            }
            if let Some(refusal) = &outcome.refusal {
                line.push_str(&format!(
                    "; refused: {}",
                    crate::render::refusal_message(refusal)
                ));
            }
            TargetReport {
                name: target.name.clone(),
                state: Some(ensured.after.state.name()),
                code: u8::from(!ensured.sound),
                value: recover::outcome_value(Some(&ensured.after), outcome, &target_json),
                line,
            }
        }
    }
}

pub fn run(
    global: &GlobalOptions,
    fleet: &FleetArgs,
    command: FleetCommand<'_>,
    output: &Output,
) -> Result<(), Failure> {
    let (lock_timeout, writes) = match command {
        FleetCommand::Diagnose => (None, false),
        FleetCommand::Recover(args) => {
            if !args.yes && !args.dry_run {
                return Err(Failure::Usage(
                    "a recovery over a fleet asks no questions: review it with --dry-run, then run it with --yes"
                        .to_owned(),
                ));
            }
            (Some(args.recovery.lock_timeout), !args.dry_run)
        }
        FleetCommand::Ensure(args) => {
            if args.then.is_some() {
                return Err(Failure::Usage(
                    "ensure --then runs one command; over a fleet, run `ensure` on the fleet first, then your \
                     per-tenant migration runner"
                        .to_owned(),
                ));
            }
            (Some(args.recovery.lock_timeout), true)
        }
    };
    let attendance = match command {
        FleetCommand::Recover(args) if !args.unattended => Attendance::Attended,
        _ => Attendance::Unattended,
    };
    let shard = fleet
        .shard
        .as_deref()
        .map(|text| {
            Shard::parse(text, std::env::var("JOB_COMPLETION_INDEX").ok().as_deref())
                .map_err(Failure::Usage)
        })
        .transpose()?;
    let source = match (&fleet.each_schema, &fleet.databases) {
        (Some(pattern), _) => FleetSource::EachSchema(pattern.clone()),
        (None, Some(path)) => FleetSource::Databases(read_database_list(path)?),
        (None, None) => return Err(Failure::Usage("no fleet given".to_owned())),
    };
    let mut doctor = database::open_doctor(global, lock_timeout, output)?;
    doctor.audit_log = match command {
        FleetCommand::Recover(args) => args.recovery.audit_log.clone(),
        FleetCommand::Ensure(args) => args.recovery.audit_log.clone(),
        _ => None,
    };
    let runtime = database::runtime()?;
    let mut targets = runtime.block_on(doctor.fleet(&source))?;
    if let Some(shard) = shard {
        targets = shard.select(targets);
    }
    let format = global.fleet_format();
    let jobs = fleet.jobs.max(1);
    let mut tally = Tally::default();
    // Only the JSON document needs every report at the end; the other
    // formats write each as it comes and keep its counts.
    let mut documents: Vec<(String, Value)> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut record = |report: TargetReport| {
        match format {
            Format::Jsonl => output.print_raw(&report.value.to_string()),
            Format::Json => {}
            _ => output.print(&report.line),
        }
        tally.add(&report);
        if format == Format::Json {
            documents.push((report.name, report.value));
        }
    };
    let write = match command {
        FleetCommand::Diagnose => None,
        FleetCommand::Recover(args) => Some(FleetWrite::Recover(RecoveryRequest {
            attendance,
            dry_run: args.dry_run,
            to_revision: args.to_revision.clone(),
            force: args.force,
            complete: args.complete,
            ..RecoveryRequest::default()
        })),
        FleetCommand::Ensure(args) => Some(FleetWrite::Ensure {
            complete_partial: args.complete_partial,
        }),
    };
    match write {
        // Read-only: the library reads the tenants of one PostgreSQL
        // database in batches, and every other target on its own.
        None => runtime.block_on(doctor.examine_fleet(&targets, jobs, |target, examination| {
            record(diagnosed(target, examination));
        })),
        // Writing goes in waves, so that --max-failures can stop a bad rollout.
        Some(write) => {
            let waves = Waves {
                jobs,
                max_failures: if writes { fleet.max_failures } else { None },
            };
            let never_started =
                runtime.block_on(
                    doctor.write_fleet(&targets, &write, waves, |target, result| {
                        record(written(target, result));
                    }),
                );
            skipped.extend(never_started.into_iter().map(|target| target.name.clone()));
        }
    }
    documents.sort_by(|a, b| a.0.cmp(&b.0));
    let Tally {
        states,
        failed,
        worst,
        count,
    } = tally;
    let worst = if skipped.is_empty() {
        worst
    } else {
        worst.max(1)
    };
    let summary = json!({
        "targets": count + skipped.len(),
        "states": states,
        "failed": failed,
        "skipped": skipped,
        "exit_code": worst,
    });
    match format {
        Format::Jsonl => output.print_raw(&json!({ "summary": summary }).to_string()),
        Format::Json => output.print_raw(
            &serde_json::to_string_pretty(&json!({
                "targets": documents.iter().map(|(_, value)| value).collect::<Vec<_>>(),
                "summary": summary,
            }))
            .unwrap_or_default(),
        ),
        _ => {
            let counts: Vec<String> = states
                .iter()
                .map(|(state, count)| format!("{state} {count}"))
                .collect();
            let mut line = format!("{} target(s): {}", count + skipped.len(), counts.join(", "));
            if !skipped.is_empty() {
                line.push_str(&format!(
                    "; {} not started after more than {} failure(s): {}",
                    skipped.len(),
                    fleet.max_failures.unwrap_or_default(),
                    skipped.join(", ")
                ));
            }
            output.print(&line);
        }
    }
    match worst {
        0 => Ok(()),
        status => Err(Failure::Reported { status }),
    }
}
