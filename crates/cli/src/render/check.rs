//! `check`'s report: text (`file:line: code message`, as linters print),
//! JSON, and GitHub Actions annotations.

use std::path::Path;

use migration_doctor::{CheckFinding, CheckLevel, CheckReport};
use serde_json::json;

fn place(finding: &CheckFinding, base: &Path) -> Option<String> {
    let path = finding.path.as_ref()?;
    let shown = path
        .strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string();
    Some(match finding.line {
        Some(line) => format!("{shown}:{line}"),
        None => shown,
    })
}

fn level(finding: &CheckFinding) -> &'static str {
    match finding.level {
        CheckLevel::Error => "error",
        CheckLevel::Note => "note",
    }
}

fn summary(report: &CheckReport) -> String {
    let errors = report
        .findings
        .iter()
        .filter(|finding| finding.level == CheckLevel::Error)
        .count();
    let notes = report.findings.len() - errors;
    let models = match &report.models {
        Some(models) => format!("models {models} compared with the migrations' heads"),
        None => "no models compared (name them with --models or `models =` in the \
                 [migration_doctor] section)"
            .to_owned(),
    };
    format!(
        "{} of {} revisions can be proven from the schema alone; {models}; {errors} failing \
         finding(s), {notes} note(s)",
        report.provable, report.revisions
    )
}

pub fn text(report: &CheckReport, base: &Path) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let place = place(finding, base)
            .map(|place| format!("{place}: "))
            .unwrap_or_default();
        out.push_str(&format!(
            "{place}{} [{}] {}\n",
            level(finding),
            finding.code.name(),
            finding.message
        ));
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

pub fn json(report: &CheckReport, base: &Path) -> String {
    let findings: Vec<_> = report
        .findings
        .iter()
        .map(|finding| {
            json!({
                "code": finding.code.name(),
                "level": level(finding),
                "path": finding.path.as_ref().map(|path| path.strip_prefix(base).unwrap_or(path).display().to_string()),
                "line": finding.line,
                "message": finding.message,
            })
        })
        .collect();
    let value = json!({
        "findings": findings,
        "revisions": report.revisions,
        "provable_from_schema": report.provable,
        "models": report.models,
        "fails": report.fails(),
    });
    format!("{value:#}\n")
}

/// `::error file=F,line=L,title=T::message`, the message's `%`, `\r` and
/// `\n` escaped as GitHub's workflow commands require.
pub fn github(report: &CheckReport, base: &Path) -> String {
    let escape = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |text: &str| escape(text).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for finding in &report.findings {
        let kind = match finding.level {
            CheckLevel::Error => "error",
            CheckLevel::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some(path) = &finding.path {
            let shown = path
                .strip_prefix(base)
                .unwrap_or(path)
                .display()
                .to_string();
            properties.push(format!("file={}", property(&shown)));
        }
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
        properties.push(format!("title={}", property(finding.code.name())));
        out.push_str(&format!(
            "::{kind} {}::{}\n",
            properties.join(","),
            escape(&finding.message)
        ));
    }
    out.push_str(&format!("{}\n", summary(report)));
    out
}
