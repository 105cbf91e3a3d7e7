//! `migration-doctor recover` and `ensure`: apply the strategy, safely.
//! The plan is decided again under the lock; without `--yes` a person is
//! asked first, and a run with no terminal refuses rather than hangs.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use migration_doctor::diagnosis::{Diagnosis, State};
use migration_doctor::diagnosis::{Evidence, ProbeResult, Severity};
use migration_doctor::live::DatabaseUrl;
use migration_doctor::live::{Access, LiveDatabase};
use migration_doctor::recovery::{Outcome, RecoveryError, recover};
use migration_doctor::{Attendance, Project, RecoveryPlanner};
use serde_json::json;

use crate::cli::{EnsureArgs, Format, GlobalOptions, RecoverArgs, RecoveryOptions};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;

fn context(
    global: &GlobalOptions,
    to_revision: Option<(&str, bool)>,
    dialect: migration_doctor::schema::Dialect,
    attendance: Attendance,
) -> Result<RecoveryPlanner, Failure> {
    let project = Project::open(&database::config_request(global)?)?;
    let errors = project.errors();
    if !errors.is_empty() {
        return Err(Failure::InvalidScripts(errors));
    }
    let to_revision = match to_revision {
        Some((ident, force)) => {
            let heads = project
                .graph
                .resolve(ident)
                .map_err(|error| Failure::InvalidScripts(vec![error.to_string()]))?;
            Some((heads, force))
        }
        None => None,
    };
    let expected = project.expected_schemas(dialect);
    let options = database::analysis_options(global, &project.config);
    Ok(RecoveryPlanner {
        project,
        expected,
        options,
        to_revision,
        attendance,
    })
}

/// Names the database before anything is written (safety rule 7).
fn announce(global: &GlobalOptions, output: &Output, url: &DatabaseUrl) {
    let target = database::target(global, url);
    output.note(&format!(
        "database: {} (URL from {})",
        url.redacted(),
        target["url_source"].as_str().unwrap_or("flag")
    ));
}

fn audit(options: &RecoveryOptions, url: &str, outcome: &Outcome) -> Result<(), Failure> {
    let Some(path) = &options.audit_log else {
        return Ok(());
    };
    if !outcome.applied {
        return Ok(());
    }
    let unix_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let record = json!({
        "unix_time": unix_time,
        "database": url,
        "before": outcome.before,
        "after": outcome.after,
        "statements": outcome.statements,
        "undo": outcome.undo,
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|error| {
            Failure::Usage(format!(
                "cannot append to the audit log {}: {error}",
                path.display()
            ))
        })?;
    writeln!(file, "{record}").map_err(|error| {
        Failure::Usage(format!(
            "cannot append to the audit log {}: {error}",
            path.display()
        ))
    })
}

fn describe(outcome: &Outcome, dry_run: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let rows = |rows: &Option<Vec<Option<String>>>| match rows {
        None => "no version table".to_owned(),
        Some(rows) if rows.is_empty() => "no rows".to_owned(),
        Some(rows) => rows
            .iter()
            .map(|row| row.clone().unwrap_or_else(|| "NULL".to_owned()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    if outcome.statements.is_empty() {
        return lines;
    }
    lines.push(if dry_run {
        "would run:".to_owned()
    } else if outcome.applied {
        "ran:".to_owned()
    } else {
        "plan:".to_owned()
    });
    lines.extend(
        outcome
            .statements
            .iter()
            .map(|statement| format!("  {statement};")),
    );
    lines.push(format!("before: {}", rows(&outcome.before)));
    if outcome.applied {
        lines.push(format!("after:  {}", rows(&outcome.after)));
    }
    lines.push("to undo:".to_owned());
    lines.extend(
        outcome
            .undo
            .iter()
            .map(|statement| format!("  {statement};")),
    );
    lines
}

fn print(
    global: &GlobalOptions,
    output: &Output,
    diagnosis: Option<&Diagnosis>,
    outcome: &Outcome,
    dry_run: bool,
    extra: &[String],
) {
    match global.format() {
        Format::Json => {
            let target = database::database_url(global)
                .map(|(url, _)| database::target(global, &url))
                .unwrap_or_default();
            let mut document = match diagnosis {
                Some(diagnosis) => {
                    crate::render::diagnosis_json::diagnosis_value(diagnosis, &target)
                }
                None => json!({ "target": target }),
            };
            if let Some(object) = document.as_object_mut() {
                object.insert(
                    "plan".to_owned(),
                    json!(if outcome.statements.is_empty() {
                        None
                    } else {
                        Some(&outcome.statements)
                    }),
                );
                object.insert("applied".to_owned(), json!(outcome.applied));
                object.insert("before".to_owned(), json!(outcome.before));
                object.insert("after".to_owned(), json!(outcome.after));
                object.insert("undo".to_owned(), json!(outcome.undo));
                if let Some(refusal) = &outcome.refusal {
                    object.insert("refused".to_owned(), json!(refusal));
                }
            }
            output.print_raw(&serde_json::to_string_pretty(&document).unwrap_or_default());
        }
        _ => {
            let mut lines = Vec::new();
            if let Some(diagnosis) = diagnosis {
                let state = serde_json::to_value(diagnosis.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let strategy = serde_json::to_value(diagnosis.strategy)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let evidence = serde_json::to_value(diagnosis.evidence)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                lines.push(format!("{state} ({strategy}, evidence: {evidence})"));
                if !diagnosis.candidate_revisions.is_empty()
                    && diagnosis.candidate_revisions != diagnosis.matched_revisions
                {
                    lines.push(format!(
                        "candidates: {}",
                        diagnosis.candidate_revisions.join(", ")
                    ));
                }
                for finding in &diagnosis.findings {
                    if finding.severity != Severity::Info || finding.code == "tie" {
                        lines.push(format!("  - [{}] {}", finding.code, finding.message));
                    }
                }
            }
            if let Some(refusal) = &outcome.refusal {
                lines.push(format!("refused: {refusal}"));
            } else if outcome.statements.is_empty() {
                lines.push("nothing to write: the version table is already right".to_owned());
            }
            lines.extend(describe(outcome, dry_run));
            lines.extend(extra.iter().cloned());
            output.print(&lines.join("\n"));
        }
    }
}

/// The plan as it would run now, through a read-only connection (a dry run).
fn preview(
    runtime: &tokio::runtime::Runtime,
    url: &migration_doctor::live::DatabaseUrl,
    base: &std::path::Path,
    introspect: &migration_doctor::live::IntrospectOptions,
    lock_timeout: Duration,
    decide: &migration_doctor::recovery::Decide<'_>,
) -> Result<Outcome, Failure> {
    runtime.block_on(async {
        let mut database = migration_doctor::live::connect(url, Access::ReadOnly, base).await?;
        let result = recover(&mut database, introspect, lock_timeout, true, decide, None).await;
        database.close().await;
        result.map(|(outcome, _)| outcome).map_err(to_failure)
    })
}

fn to_failure(error: RecoveryError) -> Failure {
    match error {
        RecoveryError::Database(error) => error.into(),
        other => Failure::Database(other.to_string()),
    }
}

pub fn run(global: &GlobalOptions, args: &RecoverArgs, output: &Output) -> Result<(), Failure> {
    let (url, base) = database::database_url(global)?;
    let context = context(
        global,
        args.to_revision.as_deref().map(|rev| (rev, args.force)),
        url.dialect,
        Attendance::Attended,
    )?;
    announce(global, output, &url);
    let runtime = database::runtime()?;
    let introspect = database::introspect_options(global);
    let lock_timeout = Duration::from_secs(args.recovery.lock_timeout);
    let decide = |live: &LiveDatabase, probes: &[ProbeResult]| context.decide(live, probes);

    // Without --yes, show the plan and ask before taking the lock to write.
    if !args.dry_run && !args.yes {
        let preview = preview(&runtime, &url, &base, &introspect, lock_timeout, &decide)?;
        if preview.refusal.is_some() || preview.statements.is_empty() {
            print(
                global,
                output,
                preview.diagnosis.as_ref(),
                &preview,
                true,
                &[],
            );
            return if preview.refusal.is_some() {
                Err(Failure::ProblemsFound)
            } else {
                Ok(())
            };
        }
        if !std::io::stdin().is_terminal() {
            print(
                global,
                output,
                preview.diagnosis.as_ref(),
                &preview,
                true,
                &[],
            );
            return Err(Failure::Refused(
                "refusing to write without confirmation: standard input is not a terminal; review the plan above and run again with --yes".to_owned(),
            ));
        }
        print(
            global,
            output,
            preview.diagnosis.as_ref(),
            &preview,
            true,
            &[],
        );
        eprint!("apply this plan? [y/N] ");
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            output.warning("nothing was changed");
            return Err(Failure::ProblemsFound);
        }
    }

    let access = if args.dry_run {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let (outcome, _) = runtime.block_on(async {
        let mut database = database::open(global, access, output).await?;
        let result = recover(
            &mut database,
            &introspect,
            lock_timeout,
            args.dry_run,
            &decide,
            None,
        )
        .await;
        database.close().await;
        result.map_err(to_failure)
    })?;
    audit(&args.recovery, &url.redacted(), &outcome)?;
    print(
        global,
        output,
        outcome.diagnosis.as_ref(),
        &outcome,
        args.dry_run,
        &[],
    );
    if outcome.refusal.is_some() {
        Err(Failure::ProblemsFound)
    } else {
        Ok(())
    }
}

/// `ensure`: exit 0 only when the tracking state ends sound (healthy; or,
/// without `--then`, also fresh or behind, which a migration run resolves).
pub fn ensure(global: &GlobalOptions, args: &EnsureArgs, output: &Output) -> Result<(), Failure> {
    let (url, base) = database::database_url(global)?;
    let context = context(global, None, url.dialect, Attendance::Unattended)?;
    announce(global, output, &url);
    let runtime = database::runtime()?;
    let introspect = database::introspect_options(global);
    let lock_timeout = Duration::from_secs(args.recovery.lock_timeout);
    let decide = |live: &LiveDatabase, probes: &[ProbeResult]| context.decide(live, probes);
    let then = args.then.clone();
    let hook = move || -> Result<(), String> {
        let Some(command) = &then else { return Ok(()) };
        let status = std::process::Command::new("sh")
            .args(["-c", command])
            .status()
            .map_err(|error| format!("cannot run `{command}`: {error}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{command}` failed ({status})"))
        }
    };
    let (outcome, hook_result) = runtime.block_on(async {
        let mut database = database::open(global, Access::ReadWrite, output).await?;
        let result = recover(
            &mut database,
            &introspect,
            lock_timeout,
            false,
            &decide,
            Some(&hook),
        )
        .await;
        database.close().await;
        result.map_err(to_failure)
    })?;
    audit(&args.recovery, &url.redacted(), &outcome)?;
    if let Some(Err(message)) = &hook_result {
        print(
            global,
            output,
            outcome.diagnosis.as_ref(),
            &outcome,
            false,
            &[],
        );
        return Err(Failure::Database(message.clone()));
    }
    // What the database looks like now.
    let final_state = runtime.block_on(async {
        let mut database = migration_doctor::live::connect(&url, Access::ReadOnly, &base).await?;
        let live = migration_doctor::live::read_live(&mut database, &introspect).await;
        database.close().await;
        live.map_err(Failure::from)
    })?;
    let decision = context.decide(&final_state, &[]);
    let state = decision.diagnosis.state;
    let sound = matches!(
        (state, args.then.is_some()),
        (State::Healthy, _) | (State::Fresh | State::Behind, false)
    );
    let extra = vec![format!(
        "final state: {}",
        serde_json::to_value(state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    )];
    print(
        global,
        output,
        Some(&decision.diagnosis),
        &outcome,
        false,
        &extra,
    );
    if sound {
        Ok(())
    } else {
        Err(Failure::ProblemsFound)
    }
}

/// `interactive`: the diagnosis, then the plan, then a confirmation, then
/// the result, one step at a time. It needs a terminal.
pub fn interactive(
    global: &GlobalOptions,
    options: &RecoveryOptions,
    output: &Output,
) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Refused(
            "interactive needs a terminal; use `diagnose`, then `recover --dry-run` and `recover --yes`".to_owned(),
        ));
    }
    output.print(&output.paint("step 1 of 3: diagnosis", owo_colors::Style::new().bold()));
    let _ = crate::commands::diagnose::run(global, false, output);

    output.print(&output.paint("\nstep 2 of 3: plan", owo_colors::Style::new().bold()));
    let (url, base) = database::database_url(global)?;
    let planner = context(global, None, url.dialect, Attendance::Attended)?;
    announce(global, output, &url);
    let runtime = database::runtime()?;
    let introspect = database::introspect_options(global);
    let lock_timeout = Duration::from_secs(options.lock_timeout);
    let decide = |live: &LiveDatabase, probes: &[ProbeResult]| planner.decide(live, probes);
    let preview = preview(&runtime, &url, &base, &introspect, lock_timeout, &decide)?;
    if let Some(refusal) = &preview.refusal {
        // Candidates that nothing proves: the person chooses one.
        if let Some(diagnosis) = preview
            .diagnosis
            .as_ref()
            .filter(|diagnosis| diagnosis.evidence == Evidence::NeedsConfirmation)
        {
            let mut candidates = diagnosis.candidate_revisions.clone();
            if candidates.is_empty() {
                candidates = vec![diagnosis.matched_revisions.join("+")];
            }
            candidates.retain(|candidate| !candidate.is_empty());
            if !candidates.is_empty() {
                output.print(&format!("the evidence needs a person: {refusal}"));
                let mut items = candidates.clone();
                items.push("none of these: write nothing".to_owned());
                let picked = dialoguer::Select::new()
                    .with_prompt("which revision state is the schema at?")
                    .items(&items)
                    .default(items.len() - 1)
                    .interact()
                    .unwrap_or(items.len() - 1);
                let Some(chosen) = candidates.get(picked) else {
                    output.print("nothing was changed");
                    return Err(Failure::ProblemsFound);
                };
                if chosen.contains('+') {
                    output.print(&format!(
                        "{chosen} is several heads side by side; stamp it with `migration-doctor recover --to-revision` by hand"
                    ));
                    return Err(Failure::ProblemsFound);
                }
                let args = RecoverArgs {
                    to_revision: Some(chosen.clone()),
                    recovery: RecoveryOptions {
                        lock_timeout: options.lock_timeout,
                        audit_log: options.audit_log.clone(),
                    },
                    ..RecoverArgs::default()
                };
                // Shows the plan for the chosen revision and asks again.
                return run(global, &args, output);
            }
        }
        output.print(&format!("nothing will be written: {refusal}"));
        return Err(Failure::ProblemsFound);
    }
    if preview.statements.is_empty() {
        output.print("nothing to write: the version table is already right");
        return Ok(());
    }
    output.print(&describe(&preview, true).join("\n"));

    let confirmed = dialoguer::Confirm::new()
        .with_prompt("step 3 of 3: apply this plan now?")
        .default(false)
        .interact()
        .unwrap_or(false);
    if !confirmed {
        output.print("nothing was changed");
        return Err(Failure::ProblemsFound);
    }
    let args = RecoverArgs {
        yes: true,
        recovery: RecoveryOptions {
            lock_timeout: options.lock_timeout,
            audit_log: options.audit_log.clone(),
        },
        ..RecoverArgs::default()
    };
    run(global, &args, output)
}
