//! Rendering of analysis results; only this crate knows output formats.

pub mod check;
pub mod diagnosis_json;
pub mod diagnosis_text;
pub mod graph_dot;
pub mod graph_json;
pub mod graph_mermaid;
pub mod graph_text;
pub mod schema_json;
pub mod schema_text;

use std::path::Path;

/// Paths in output use `/` whatever the platform, as alembic users write them.
pub fn portable_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// A finding's hint as the command line says it: the flag or command to use.
pub fn hint(hint: &migration_doctor::diagnosis::Hint) -> String {
    use migration_doctor::diagnosis::Hint;
    match hint {
        // Past a screenful of names a glob says it better than the list.
        Hint::IgnoreTables(tables) if !tables.is_empty() && tables.len() <= 20 => format!(
            "silence it with --ignore-tables {} (or `ignore_tables` in the ini's [migration_doctor] section)",
            tables.join(",")
        ),
        Hint::IgnoreTables(_) => "leave such tables out with --ignore-tables GLOB,... (or `ignore_tables` in the ini's [migration_doctor] section)".to_owned(),
        Hint::IgnoreObjects(objects) if !objects.is_empty() && objects.len() <= 20 => format!(
            "silence it with --ignore {} (or `ignore` in the ini's [migration_doctor] section)",
            objects.join(",")
        ),
        Hint::IgnoreObjects(_) => "leave such objects out with --ignore TABLE.OBJECT,... (or `ignore` in the ini's [migration_doctor] section)".to_owned(),
        Hint::NameRevision(candidates) => match candidates.last() {
            Some(latest) => format!(
                "if you know which state the database is in, stamp it with `migration-doctor recover --to-revision {}` (or another candidate), or choose in `migration-doctor interactive`",
                revision_set(latest)
            ),
            None => "if you know which state the database is in, stamp it with `migration-doctor recover --to-revision REV`, or choose in `migration-doctor interactive`".to_owned(),
        },
        Hint::Recover => "then run `migration-doctor recover`".to_owned(),
        Hint::Complete => "preview it with `migration-doctor recover --complete --dry-run`, run it with `migration-doctor recover --complete` (unattended, on proof: `migration-doctor ensure --complete-partial`)".to_owned(),
        Hint::ListUnknownOperations => "`migration-doctor schema` lists them".to_owned(),
        Hint::Detailed => "`migration-doctor diagnose --detailed` shows why".to_owned(),
        Hint::Force => "pass --force to stamp it anyway".to_owned(),
        Hint::VersionTable(name) => format!("select it with --version-table {name}"),
        Hint::Baseline => "name them with --baseline package.module:Base.metadata (or `baseline` in the ini's [migration_doctor] section)".to_owned(),
        _ => String::new(),
    }
}

/// A revision state as the command line writes it: its heads joined with
/// `+` (never part of a revision id), or `base`; `--to-revision` reads it
/// back.
pub fn revision_set(set: &migration_doctor::diagnosis::RevisionSet) -> String {
    set.join("+")
}

/// Revision states as the command line writes them.
pub fn revision_sets(sets: &[migration_doctor::diagnosis::RevisionSet]) -> Vec<String> {
    sets.iter().map(revision_set).collect()
}

/// A probe's answer in words.
pub fn probe_answer(answer: &migration_doctor::diagnosis::ProbeAnswer) -> String {
    use migration_doctor::diagnosis::ProbeAnswer;
    match answer {
        ProbeAnswer::RowsFound => "rows found".to_owned(),
        ProbeAnswer::NoRows => "no rows".to_owned(),
        ProbeAnswer::Failed(why) => format!("failed: {why}"),
        _ => "unknown".to_owned(),
    }
}

/// A message followed by its hint, as the command line says it.
fn with_hint(message: &str, hint_of: Option<&migration_doctor::diagnosis::Hint>) -> String {
    match hint_of.map(hint).filter(|text| !text.is_empty()) {
        Some(text) => format!("{message}; {text}"),
        None => message.to_owned(),
    }
}

/// `state (strategy, evidence: level)`: a diagnosis in one line.
pub fn verdict_line(diagnosis: &migration_doctor::diagnosis::Diagnosis) -> String {
    format!(
        "state: {}, strategy: {}, evidence: {}",
        diagnosis.state.name(),
        diagnosis.strategy.name(),
        diagnosis.evidence.name()
    )
}

/// A finding's message followed by its hint, as both outputs show it.
pub fn finding_message(finding: &migration_doctor::diagnosis::Finding) -> String {
    with_hint(&finding.message, finding.hint.as_ref())
}

/// A refusal followed by its hint, as the command line says it.
pub fn refusal_message(refusal: &migration_doctor::diagnosis::Refusal) -> String {
    with_hint(&refusal.message, refusal.hint.as_ref())
}
