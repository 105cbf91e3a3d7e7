//! `diagnose` and `status` for a person: the verdict first, then the
//! reasons, then what recovery would run.

use migration_doctor::diagnosis::{Comparison, Diagnosis, Evidence, Severity, State, Strategy};
use migration_doctor::live::{VersionTable, engine_name};
use owo_colors::Style;

use crate::commands::diagnose::Report;
use crate::output::Output;

/// One sentence saying where the database stands and what to do.
fn verdict(diagnosis: &Diagnosis) -> String {
    // No revision matched but a state did: the base (with a baseline, the
    // tables of the project's models).
    let matched = match diagnosis.matched_revisions.as_slice() {
        [] => "base".to_owned(),
        revisions => revisions.join(", "),
    };
    let heads = diagnosis.head_revisions.join(", ");
    // `alembic stamp` takes several revisions as separate arguments.
    let stamp = match diagnosis.matched_revisions.as_slice() {
        [] => "base".to_owned(),
        revisions => revisions.join(" "),
    };
    match diagnosis.state {
        State::Fresh => "the database has no tables yet: run `alembic upgrade heads`".to_owned(),
        State::Healthy => format!("the database is at {matched}, the head, and its schema agrees: nothing to do"),
        State::Behind => format!(
            "the database is at {matched} and its schema agrees; {} revision(s) are pending: run `alembic upgrade heads`",
            diagnosis.pending_revisions.len()
        ),
        State::UntrackedSchema | State::CorruptedVersionTable | State::PartialMigration
            if diagnosis.evidence == Evidence::NeedsConfirmation && diagnosis.matched_revisions.is_empty() =>
        {
            format!(
                "the schema matches several revision states and nothing proves which ({}); a person names it: `migration-doctor recover --to-revision REV` or `migration-doctor interactive`",
                super::revision_sets(&diagnosis.candidate_revisions).join(", ")
            )
        }
        State::UntrackedSchema if diagnosis.strategy == Strategy::InitializeAlembicVersion => format!(
            "the database has tables but no version table; its schema matches revision {matched} (heads: {heads}): \
             the recovery is to create the version table and stamp {matched} (`alembic stamp {stamp}` does that)"
        ),
        State::UntrackedSchema => "the database has tables but no version table, and its schema matches no revision: stamping would be a guess".to_owned(),
        State::CorruptedVersionTable if diagnosis.strategy == Strategy::RepairCorruptedAlembic => format!(
            "the version table is corrupted; the schema matches revision {matched}: the recovery is to rewrite the rows to {matched} (`alembic stamp --purge {stamp}` does that)"
        ),
        State::CorruptedVersionTable => "the version table is corrupted and the schema does not prove a revision".to_owned(),
        State::PartialMigration
            if diagnosis.strategy == Strategy::CompletePartialMigration
                && let Some(completion) = &diagnosis.completion =>
        {
            format!(
                "the version rows say {}, and revision {} stopped halfway: the recovery is to finish it — run the DDL of its {} missing operation(s), then stamp {matched} (`migration-doctor recover --complete`)",
                diagnosis.current_revisions.join(", "),
                completion.revision,
                completion.statements.iter().map(|statement| statement.operations.len()).sum::<usize>()
            )
        }
        State::PartialMigration if diagnosis.strategy == Strategy::CompletePartialMigration => format!(
            "the version rows say {}, but the schema matches {matched}: the recovery is to re-stamp {matched} (`alembic stamp --purge {stamp}`) so that `alembic upgrade` runs what is missing",
            diagnosis.current_revisions.join(", ")
        ),
        State::PartialMigration => "a revision is partly applied; recovering needs a person".to_owned(),
        State::AheadOfScripts => "the database was migrated by newer scripts than these: deploy the newer release".to_owned(),
        State::Drifted => "the schema differs from every revision in ways no migration explains: a person must decide".to_owned(),
        State::InvalidScripts => "the migration scripts are broken: fix them first".to_owned(),
        _ => String::new(),
    }
}

fn comparison_lines(comparison: &Comparison, out: &mut Vec<String>) {
    out.extend(
        comparison
            .differences()
            .into_iter()
            .map(|line| format!("    {line}")),
    );
    out.extend(
        comparison
            .unverified
            .iter()
            .map(|line| format!("    unverified: {line}")),
    );
}

pub fn diagnosis(report: &Report, detailed: bool, output: &Output) -> String {
    let diagnosis = report.diagnosis();
    let mut out = Vec::new();
    let good = matches!(
        diagnosis.state,
        State::Healthy | State::Fresh | State::Behind
    );
    let style = if good {
        Style::new().green().bold()
    } else {
        Style::new().red().bold()
    };
    out.push(format!(
        "state: {}, strategy: {}, evidence: {}\n{}",
        output.paint(diagnosis.state.name(), style),
        diagnosis.strategy.name(),
        diagnosis.evidence.name(),
        verdict(diagnosis)
    ));
    if !diagnosis.findings.is_empty() {
        out.push(String::new());
        out.push("why:".to_owned());
        for finding in &diagnosis.findings {
            let mark = match finding.severity {
                Severity::Error => output.paint("error", Style::new().red()),
                Severity::Warning => output.paint("warning", Style::new().yellow()),
                _ => "note".to_owned(),
            };
            out.push(format!(
                "  - {mark} [{}]: {}",
                finding.code.name(),
                super::finding_message(finding)
            ));
        }
    }
    if diagnosis.candidate_revisions.len() > 1 {
        out.push(format!(
            "candidates: {}",
            super::revision_sets(&diagnosis.candidate_revisions).join(", ")
        ));
    }
    for partial in &diagnosis.partial {
        out.push(format!(
            "revision {}, operation by operation:",
            partial.revision
        ));
        for present in &partial.present {
            out.push(format!("  present: {present}"));
        }
        for missing in &partial.missing {
            out.push(format!("  missing: {missing}"));
        }
        for unverifiable in &partial.unverifiable {
            out.push(format!("  not readable from the schema: {unverifiable}"));
        }
    }
    for probe in &diagnosis.probes {
        out.push(format!(
            "probe of {}: {} -> {}",
            probe.revision,
            probe.sql,
            super::probe_answer(&probe.answer)
        ));
    }
    if let Some(completion) = &diagnosis.completion
        && !completion.blockers.is_empty()
    {
        out.push(format!(
            "revision {} cannot be finished by the tool:",
            completion.revision
        ));
        for blocker in &completion.blockers {
            out.push(format!("  {}", super::refusal_message(blocker)));
        }
    }
    if let Some(plan) = &diagnosis.plan {
        out.push(String::new());
        match &diagnosis.completion {
            Some(completion) if completion.blockers.is_empty() => out.push(format!(
                "`migration-doctor recover --complete` would run (the DDL of revision {}'s missing operations, then the stamp):",
                completion.revision
            )),
            _ => out.push(
                "`migration-doctor recover` would run (only the version table is written):"
                    .to_owned(),
            ),
        }
        for statement in plan {
            out.push(format!("  {statement};"));
        }
    }
    if detailed {
        if let Some(comparison) = &diagnosis.comparison {
            out.push(String::new());
            out.push("schema comparison:".to_owned());
            let before = out.len();
            comparison_lines(comparison, &mut out);
            if out.len() == before {
                out.push(
                    "    tables, columns, types, keys, indexes and constraints agree".to_owned(),
                );
            }
        }
        for closest in &diagnosis.closest {
            out.push(String::new());
            let at = if closest.revisions.is_base() {
                "base".to_owned()
            } else {
                super::revision_set(&closest.revisions)
            };
            out.push(format!("closest state {at}:"));
            comparison_lines(&closest.comparison, &mut out);
        }
    } else if !diagnosis.closest.is_empty() {
        out.push(String::new());
        out.push("--detailed shows the closest revision states and how they differ".to_owned());
    }
    out.join("\n")
}

pub fn status(report: &Report, detailed: bool, output: &Output) -> String {
    let graph = &report.project().graph;
    let live = report.live();
    let mut out = Vec::new();
    let title = |text: &str| output.paint(text, Style::new().bold());
    out.push(title("database"));
    out.push(format!(
        "  {} ({} {}), schema {}; URL from {}",
        report.url,
        engine_name(live.dialect),
        live.server_version,
        live.schema_name,
        report.target["url_source"].as_str().unwrap_or("flag")
    ));
    out.push(title("version table"));
    match &live.version_table {
        VersionTable::Absent { name, .. } => out.push(format!("  {name}: absent")),
        VersionTable::Present(contents) => {
            let rows: Vec<String> = contents
                .rows
                .iter()
                .map(|row| row.as_ref().map_or("NULL".to_owned(), |v| format!("{v:?}")))
                .collect();
            out.push(format!(
                "  {}: {}",
                contents.name,
                if rows.is_empty() {
                    "empty".to_owned()
                } else {
                    rows.join(", ")
                }
            ));
        }
    }
    out.push(title("scripts"));
    let heads: Vec<&str> = graph
        .heads()
        .into_iter()
        .map(|i| graph.revision(i).id())
        .collect();
    let bases: Vec<&str> = graph
        .bases()
        .into_iter()
        .map(|i| graph.revision(i).id())
        .collect();
    let branch_points = (0..graph.len())
        .filter(|&i| graph.revision(i).is_branch_point())
        .count();
    let merges = (0..graph.len())
        .filter(|&i| graph.revision(i).is_merge_point())
        .count();
    out.push(format!(
        "  {} revisions in {}; heads {}; bases {}; {branch_points} branch point(s), {merges} merge point(s)",
        graph.len(),
        report.project().config.script_location.display(),
        heads.join(", "),
        bases.join(", ")
    ));
    out.push(title("current vs head"));
    out.push(format!(
        "  current {}; head {}",
        if report.diagnosis().current_revisions.is_empty() {
            "none".to_owned()
        } else {
            report.diagnosis().current_revisions.join(", ")
        },
        report.diagnosis().head_revisions.join(", ")
    ));
    if !report.diagnosis().pending_revisions.is_empty() {
        out.push(format!(
            "  pending: {}",
            report.diagnosis().pending_revisions.join(", ")
        ));
    }
    if let Some(expected) = &report.examination.expected {
        let unknown: Vec<_> = (0..graph.len())
            .flat_map(|i| expected.unknown_operations(i).iter())
            .collect();
        if !unknown.is_empty() {
            out.push(title(
                "operations not followed statically (lower confidence)",
            ));
            for operation in unknown.iter().take(if detailed { usize::MAX } else { 10 }) {
                out.push(format!(
                    "  {}:{}: {}",
                    super::portable_path(&operation.path),
                    operation.line,
                    operation.text
                ));
            }
            if !detailed && unknown.len() > 10 {
                out.push(format!(
                    "  … and {} more (--detailed lists them all)",
                    unknown.len() - 10
                ));
            }
        }
    }
    out.push(title("verdict"));
    for line in diagnosis(report, detailed, output).lines() {
        out.push(format!("  {line}"));
    }
    out.join("\n")
}
