//! `migration-doctor recover`, `ensure` and `interactive`: the session
//! decides again under the lock and applies the plan; this maps the options,
//! asks the person where one must be asked, and renders. Without `--yes` a
//! person is asked first, and a run with no terminal refuses rather than
//! hangs.

use std::io::IsTerminal;

use migration_doctor::diagnosis::{Diagnosis, Evidence, FindingCode, Severity, State, Strategy};
use migration_doctor::recovery::Outcome;
use migration_doctor::{Attendance, DatabaseTarget, Doctor, RecoveryRequest};
use serde_json::json;

use crate::cli::{EnsureArgs, Format, GlobalOptions, RecoverArgs, RecoveryOptions};
use crate::commands::database;
use crate::failure::Failure;
use crate::output::Output;

/// Names the database before anything is written (safety rule 7).
fn announce(output: &Output, target: &DatabaseTarget) {
    output.note(&format!("database: {}", target.describe()));
}

/// Who ran the recovery, as the operating system says.
/// Says so when the record of a write done could not be kept.
pub fn audit_warning(output: &Output, recovery: &migration_doctor::Recovery) {
    if let Some(warning) = &recovery.audit_warning {
        output.warning(&format!("the write is done, but {warning}"));
    }
}

/// Version rows as text: `no version table`, `no rows`, or the ids.
pub fn rows(rows: &Option<Vec<Option<String>>>) -> String {
    match rows {
        None => "no version table".to_owned(),
        Some(rows) if rows.is_empty() => "no rows".to_owned(),
        Some(rows) => rows
            .iter()
            .map(|row| row.clone().unwrap_or_else(|| "NULL".to_owned()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The JSON of a recovery: the diagnosis object with the plan, `applied`,
/// the rows before and after, the undo and the refusal.
pub fn outcome_value(
    diagnosis: Option<&Diagnosis>,
    outcome: &Outcome,
    target: &serde_json::Value,
) -> serde_json::Value {
    let mut document = match diagnosis {
        Some(diagnosis) => crate::render::diagnosis_json::diagnosis_value(diagnosis, target),
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
            object.insert(
                "refused".to_owned(),
                json!(crate::render::refusal_message(refusal)),
            );
        }
    }
    document
}

fn describe(outcome: &Outcome, dry_run: bool) -> Vec<String> {
    let mut lines = Vec::new();
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
    target: Option<&serde_json::Value>,
    output: &Output,
    diagnosis: Option<&Diagnosis>,
    outcome: &Outcome,
    dry_run: bool,
    extra: &[String],
) {
    match global.format() {
        Format::Json => {
            let target = target.cloned().unwrap_or_default();
            let document = outcome_value(diagnosis, outcome, &target);
            output.print_raw(&serde_json::to_string_pretty(&document).unwrap_or_default());
        }
        _ => {
            let mut lines = Vec::new();
            if let Some(diagnosis) = diagnosis {
                lines.push(crate::render::verdict_line(diagnosis));
                if !diagnosis.candidate_revisions.is_empty()
                    && diagnosis.candidate_revisions != [diagnosis.matched_state()]
                {
                    lines.push(format!(
                        "candidates: {}",
                        crate::render::revision_sets(&diagnosis.candidate_revisions).join(", ")
                    ));
                }
                for finding in &diagnosis.findings {
                    if finding.severity != Severity::Info || finding.code == FindingCode::Tie {
                        lines.push(format!(
                            "  - [{}] {}",
                            finding.code.name(),
                            crate::render::finding_message(finding)
                        ));
                    }
                }
            }
            if let Some(refusal) = &outcome.refusal {
                lines.push(format!(
                    "refused: {}",
                    crate::render::refusal_message(refusal)
                ));
            } else if outcome.statements.is_empty() {
                lines.push(nothing_to_write(diagnosis).to_owned());
            }
            lines.extend(describe(outcome, dry_run));
            lines.extend(extra.iter().cloned());
            output.print(&lines.join("\n"));
        }
    }
}

/// The plan as it would run now, through a read-only connection (a dry run).
fn preview(
    doctor: &Doctor,
    runtime: &tokio::runtime::Runtime,
    args: &RecoverArgs,
    attendance: Attendance,
) -> Result<Outcome, Failure> {
    let recovery = runtime.block_on(doctor.recover(&RecoveryRequest {
        attendance,
        dry_run: true,
        to_revision: args.to_revision.clone(),
        force: args.force,
        complete: args.complete,
        ..RecoveryRequest::default()
    }))?;
    Ok(recovery.outcome)
}

pub fn run(global: &GlobalOptions, args: &RecoverArgs, output: &Output) -> Result<(), Failure> {
    let doctor = database::open_doctor(global, Some(args.recovery.lock_timeout), output)?;
    run_with(doctor, global, args, output)
}

/// `recover` in a session already open.
fn run_with(
    mut doctor: Doctor,
    global: &GlobalOptions,
    args: &RecoverArgs,
    output: &Output,
) -> Result<(), Failure> {
    let attendance = if args.unattended {
        Attendance::Unattended
    } else {
        Attendance::Attended
    };
    let expected_strategy = match args.expect_strategy.as_deref() {
        None => None,
        Some(name) => Some(Strategy::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Strategy::ALL
                .iter()
                .map(|strategy| strategy.name())
                .collect();
            Failure::Usage(format!(
                "--expect-strategy {name} is not a strategy; use one of {}",
                names.join(", ")
            ))
        })?),
    };
    let veto = |decision: &migration_doctor::recovery::Decision| -> Option<String> {
        let expected = expected_strategy?;
        let found = decision.diagnosis.strategy;
        (found != expected).then(|| {
            format!(
                "--expect-strategy {}, but the database calls for {}; nothing was changed",
                expected.name(),
                found.name()
            )
        })
    };
    doctor.lock_timeout = std::time::Duration::from_secs(args.recovery.lock_timeout);
    doctor.audit_log = args.recovery.audit_log.clone();
    let target = doctor.target()?;
    let target_json = database::target_json(&target);
    // Fail early on a revision the scripts do not have.
    doctor.planner(
        target.url.dialect,
        attendance,
        args.to_revision.as_deref().map(|rev| (rev, args.force)),
        args.complete,
    )?;
    announce(output, &target);
    let runtime = database::runtime()?;
    let show = |outcome: &Outcome, dry_run: bool| {
        print(
            global,
            Some(&target_json),
            output,
            outcome.diagnosis.as_ref(),
            outcome,
            dry_run,
            &[],
        )
    };

    // Without --yes, show the plan and ask before taking the lock to write.
    if !args.dry_run && !args.yes {
        let preview = preview(&doctor, &runtime, args, attendance)?;
        if preview.refusal.is_some() || preview.statements.is_empty() {
            show(&preview, true);
            return if preview.refusal.is_some() {
                Err(Failure::ProblemsFound)
            } else {
                Ok(())
            };
        }
        show(&preview, true);
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Refused(
                "refusing to write without confirmation: standard input is not a terminal; review the plan above and run again with --yes".to_owned(),
            ));
        }
        eprint!("apply this plan? [y/N] ");
        let mut answer = String::new();
        // Nothing read is no answer, and no answer is no.
        std::io::stdin().read_line(&mut answer).ok();
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            output.warning("nothing was changed");
            return Err(Failure::ProblemsFound);
        }
    }

    let recovery = runtime.block_on(doctor.recover(&RecoveryRequest {
        attendance,
        dry_run: args.dry_run,
        to_revision: args.to_revision.clone(),
        force: args.force,
        complete: args.complete,
        veto: Some(&veto),
        ..RecoveryRequest::default()
    }))?;
    audit_warning(output, &recovery);
    let outcome = recovery.outcome;
    // After a stamp, what the migrations still have to do.
    let graph = &doctor.project.graph;
    let mut applied = vec![false; graph.len()];
    for row in outcome.after.iter().flatten().flatten() {
        if let Some(head) = graph.index_of(row) {
            for (at, member) in graph.ancestors(head, true).into_iter().enumerate() {
                applied[at] |= member;
            }
        }
    }
    let pending = applied.iter().filter(|member| !**member).count();
    let next = if outcome.applied && pending > 0 {
        vec![format!("next: alembic upgrade heads ({pending} pending)")]
    } else {
        Vec::new()
    };
    print(
        global,
        Some(&target_json),
        output,
        outcome.diagnosis.as_ref(),
        &outcome,
        args.dry_run,
        &next,
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
    let mut doctor = database::open_doctor(global, Some(args.recovery.lock_timeout), output)?;
    doctor.audit_log = args.recovery.audit_log.clone();
    let target = doctor.target()?;
    let target_json = database::target_json(&target);
    announce(output, &target);
    let runtime = database::runtime()?;
    let then = args.then.clone();
    // CMD's own exit status, passed through when it fails.
    let command_status = std::sync::Mutex::new(None::<u8>);
    let hook = || -> Result<(), String> {
        let Some(command) = &then else { return Ok(()) };
        let status = match std::process::Command::new("sh")
            .args(["-c", command])
            .status()
        {
            Ok(status) => status,
            Err(error) => {
                if let Ok(mut saved) = command_status.lock() {
                    *saved = Some(127);
                }
                return Err(format!("cannot run `{command}`: {error}"));
            }
        };
        if status.success() {
            return Ok(());
        }
        let code = status
            .code()
            .and_then(|code| u8::try_from(code).ok())
            .filter(|code| *code != 0)
            .unwrap_or(1);
        if let Ok(mut saved) = command_status.lock() {
            *saved = Some(code);
        }
        Err(format!("`{command}` failed ({status})"))
    };
    // The verdict and the plan before the command's own output, the
    // result after it (text only: JSON is one document at the end).
    let show = |diagnosis: Option<&Diagnosis>, outcome: &Outcome, extra: &[String]| {
        print(
            global,
            Some(&target_json),
            output,
            diagnosis,
            outcome,
            false,
            extra,
        )
    };
    let announced = std::sync::atomic::AtomicBool::new(false);
    let announce = |outcome: &Outcome| {
        if global.format() == Format::Json || args.then.is_none() {
            return;
        }
        show(outcome.diagnosis.as_ref(), outcome, &[]);
        announced.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    // Without --then no migrations run, so fresh and behind end sound.
    let while_locked: Option<&migration_doctor::recovery::WhileLocked<'_>> = match &then {
        Some(_) => Some(&hook),
        None => None,
    };
    let ensured =
        runtime.block_on(doctor.ensure(while_locked, Some(&announce), args.complete_partial))?;
    audit_warning(output, &ensured.recovery);
    let outcome = &ensured.recovery.outcome;
    if let Some(Err(message)) = &ensured.recovery.hook {
        if !announced.load(std::sync::atomic::Ordering::SeqCst) {
            show(outcome.diagnosis.as_ref(), outcome, &[]);
        }
        let status = command_status
            .lock()
            .ok()
            .and_then(|saved| *saved)
            .unwrap_or(1);
        return Err(Failure::CommandFailed {
            message: message.clone(),
            status,
        });
    }
    let extra = vec![format!("final state: {}", ensured.after.state.name())];
    if announced.load(std::sync::atomic::Ordering::SeqCst) {
        output.print(&extra.join("\n"));
    } else {
        // The diagnosis under the lock explains what was (or was not) done.
        show(
            Some(outcome.diagnosis.as_ref().unwrap_or(&ensured.after)),
            outcome,
            &extra,
        );
    }
    if ensured.sound {
        Ok(())
    } else {
        Err(Failure::ProblemsFound)
    }
}

/// `interactive`: the diagnosis, then the plan, then a confirmation, then
/// the result, one step at a time. It needs a terminal. Candidates that
/// nothing proves apart are offered for the person to choose.
pub fn interactive(
    global: &GlobalOptions,
    options: &RecoveryOptions,
    output: &Output,
) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        // Asked for where it cannot work: a usage error, like any other.
        return Err(Failure::Usage(
            "interactive needs a terminal; use `diagnose`, then `recover --dry-run` and `recover --yes`".to_owned(),
        ));
    }
    // One session for every step: the project is read once.
    let doctor = database::open_doctor(global, Some(options.lock_timeout), output)?;
    output.print(&output.paint("step 1 of 3: diagnosis", owo_colors::Style::new().bold()));
    // Problems found are what the next steps are for; anything else (the
    // database, the scripts) stops here.
    match crate::commands::diagnose::report_on(doctor.clone(), global, false, output) {
        Ok(()) | Err(Failure::ProblemsFound) => {}
        Err(other) => return Err(other),
    }

    output.print(&output.paint("\nstep 2 of 3: plan", owo_colors::Style::new().bold()));
    let target = doctor.target()?;
    announce(output, &target);
    let runtime = database::runtime()?;
    let preview = preview(
        &doctor,
        &runtime,
        &RecoverArgs::default(),
        Attendance::Attended,
    )?;
    if let Some(refusal) = preview.refusal.as_ref().map(crate::render::refusal_message) {
        if let Some(diagnosis) = preview
            .diagnosis
            .as_ref()
            .filter(|diagnosis| diagnosis.evidence == Evidence::NeedsConfirmation)
        {
            return choose(doctor, global, options, output, diagnosis, &refusal);
        }
        output.print(&format!("nothing will be written: {refusal}"));
        return Err(Failure::ProblemsFound);
    }
    if preview.statements.is_empty() {
        output.print(nothing_to_write(preview.diagnosis.as_ref()));
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
    run_with(doctor, global, &args, output)
}

/// The person picks one of the candidates; its plan is shown and asked for.
fn choose(
    doctor: Doctor,
    global: &GlobalOptions,
    options: &RecoveryOptions,
    output: &Output,
    diagnosis: &Diagnosis,
    refusal: &str,
) -> Result<(), Failure> {
    let mut candidates = diagnosis.candidate_revisions.clone();
    if candidates.is_empty() {
        candidates = vec![diagnosis.matched_state()];
    }
    candidates.retain(|candidate| !candidate.is_base());
    if candidates.is_empty() {
        output.print(&format!("nothing will be written: {refusal}"));
        return Err(Failure::ProblemsFound);
    }
    output.print(&format!("the evidence needs a person: {refusal}"));
    let mut items = crate::render::revision_sets(&candidates);
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
    let args = RecoverArgs {
        to_revision: Some(crate::render::revision_set(chosen)),
        recovery: RecoveryOptions {
            lock_timeout: options.lock_timeout,
            audit_log: options.audit_log.clone(),
        },
        ..RecoverArgs::default()
    };
    // Shows the plan for the chosen revision and asks again.
    run_with(doctor, global, &args, output)
}

/// Why a recovery writes nothing, in the database's own terms.
fn nothing_to_write(diagnosis: Option<&Diagnosis>) -> &'static str {
    match diagnosis.map(|diagnosis| diagnosis.state) {
        Some(State::Fresh) => {
            "nothing to write: the database holds no table yet; the migrations build it from the \
             base"
        }
        Some(State::Behind) => {
            "nothing to write: the version table is right; the pending revisions are for the \
             migration to run"
        }
        _ => "nothing to write: the version table is already right",
    }
}
