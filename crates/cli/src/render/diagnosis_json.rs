//! `diagnose --format json` (the contract of docs/contract.md) and `status
//! --format json`, which holds the same object under `"diagnosis"`.

use migration_doctor::diagnosis::Diagnosis;
use serde::Serialize;
use serde_json::json;

use crate::commands::diagnose::Report;

/// The diagnosis as the JSON contract (docs/contract.md) shapes it: the wire format
/// is written here, not derived from the library's types.
#[derive(Serialize)]
struct DiagnosisWire<'a> {
    state: &'static str,
    /// The tracking state is right and nothing blocks `alembic upgrade`.
    sound: bool,
    strategy: &'static str,
    evidence: &'static str,
    current_revisions: &'a [String],
    head_revisions: &'a [String],
    matched_revisions: &'a [String],
    candidate_revisions: Vec<String>,
    pending_revisions: &'a [String],
    missing_tables: &'a [String],
    unexpected_tables: &'a [String],
    uncertain_revisions: &'a [String],
    data_revisions: &'a [String],
    probes: Vec<ProbeWire<'a>>,
    partial: Vec<PartialWire<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion: Option<CompletionWire<'a>>,
    collisions: Vec<CollisionWire<'a>>,
    findings: Vec<FindingWire>,
    plan: Option<&'a [String]>,
    closest_states: Vec<ClosestWire<'a>>,
    target: &'a serde_json::Value,
}

#[derive(Serialize)]
struct ProbeWire<'a> {
    revision: &'a str,
    sql: &'a str,
    result: String,
    applied: Option<bool>,
}

#[derive(Serialize)]
struct PartialWire<'a> {
    revision: &'a str,
    present: &'a [String],
    missing: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    unverifiable: &'a [String],
}

/// How the half-applied revision would be finished (`recover --complete`).
#[derive(Serialize)]
struct CompletionWire<'a> {
    revision: &'a str,
    statements: Vec<StatementWire<'a>>,
    target: &'a [String],
    /// Why the tool cannot finish it (each with what to do by hand).
    blockers: Vec<String>,
    /// Why finishing it needs a person's confirmation.
    doubts: &'a [String],
}

#[derive(Serialize)]
struct StatementWire<'a> {
    operations: &'a [String],
    sql: &'a str,
    undo: &'a str,
}

#[derive(Serialize)]
struct CollisionWire<'a> {
    revision: &'a str,
    operation: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct FindingWire {
    severity: &'static str,
    code: &'static str,
    /// The finding with its hint, as the command line says it.
    message: String,
    hint: Option<String>,
}

#[derive(Serialize)]
struct ClosestWire<'a> {
    revisions: &'a [String],
    distance: usize,
    differences: Vec<String>,
    unverified: &'a [String],
}

/// The diagnosis object, with the database it is about as `target`.
pub fn diagnosis_value(diagnosis: &Diagnosis, target: &serde_json::Value) -> serde_json::Value {
    let wire = DiagnosisWire {
        state: diagnosis.state.name(),
        sound: diagnosis.is_sound(false),
        strategy: diagnosis.strategy.name(),
        evidence: diagnosis.evidence.name(),
        current_revisions: &diagnosis.current_revisions,
        head_revisions: &diagnosis.head_revisions,
        matched_revisions: &diagnosis.matched_revisions,
        candidate_revisions: super::revision_sets(&diagnosis.candidate_revisions),
        pending_revisions: &diagnosis.pending_revisions,
        missing_tables: &diagnosis.missing_tables,
        unexpected_tables: &diagnosis.unexpected_tables,
        uncertain_revisions: &diagnosis.uncertain_revisions,
        data_revisions: &diagnosis.data_revisions,
        probes: diagnosis
            .probes
            .iter()
            .map(|probe| ProbeWire {
                revision: &probe.revision,
                sql: &probe.sql,
                result: super::probe_answer(&probe.answer),
                applied: probe.applied,
            })
            .collect(),
        partial: diagnosis
            .partial
            .iter()
            .map(|partial| PartialWire {
                revision: &partial.revision,
                present: &partial.present,
                missing: &partial.missing,
                unverifiable: &partial.unverifiable,
            })
            .collect(),
        completion: diagnosis
            .completion
            .as_ref()
            .map(|completion| CompletionWire {
                revision: &completion.revision,
                statements: completion
                    .statements
                    .iter()
                    .map(|statement| StatementWire {
                        operations: &statement.operations,
                        sql: &statement.sql,
                        undo: &statement.undo,
                    })
                    .collect(),
                target: completion.target.ids(),
                blockers: completion
                    .blockers
                    .iter()
                    .map(super::refusal_message)
                    .collect(),
                doubts: &completion.doubts,
            }),
        collisions: diagnosis
            .collisions
            .iter()
            .map(|collision| CollisionWire {
                revision: &collision.revision,
                operation: &collision.operation,
                message: &collision.message,
            })
            .collect(),
        findings: diagnosis
            .findings
            .iter()
            .map(|finding| FindingWire {
                severity: finding.severity.name(),
                code: finding.code.name(),
                message: super::finding_message(finding),
                hint: finding.hint.as_ref().map(super::hint),
            })
            .collect(),
        plan: diagnosis.plan.as_deref(),
        closest_states: diagnosis
            .closest
            .iter()
            .map(|closest| ClosestWire {
                revisions: closest.revisions.ids(),
                distance: closest.distance,
                differences: closest.comparison.differences(),
                unverified: &closest.comparison.unverified,
            })
            .collect(),
        target,
    };
    // Through a Value: keys sorted, as every JSON output of the tool.
    let mut value = serde_json::to_value(wire).unwrap_or_default();
    // Invalid scripts end the command with exit code 4: the report carries
    // the `error` object every such exit carries under --format json.
    if diagnosis.state == migration_doctor::diagnosis::State::InvalidScripts
        && let Some(object) = value.as_object_mut()
    {
        let message = diagnosis
            .findings
            .iter()
            .map(super::finding_message)
            .collect::<Vec<_>>()
            .join("; ");
        object.insert(
            "error".to_owned(),
            json!({"code": "invalid_scripts", "exit_code": 4, "message": message}),
        );
    }
    value
}

pub fn diagnosis(diagnosis: &Diagnosis, target: &serde_json::Value) -> String {
    serde_json::to_string_pretty(&diagnosis_value(diagnosis, target))
        .unwrap_or_else(|_| "{}".to_owned())
}

pub fn status(report: &Report) -> String {
    let graph = &report.project().graph;
    let ids = |indexes: Vec<usize>| -> Vec<String> {
        let mut ids: Vec<String> = indexes
            .into_iter()
            .map(|i| graph.revision(i).id().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let branch_points = ids((0..graph.len())
        .filter(|&i| graph.revision(i).is_branch_point())
        .collect());
    let merge_points = ids((0..graph.len())
        .filter(|&i| graph.revision(i).is_merge_point())
        .collect());
    let unknown: Vec<serde_json::Value> = report
        .examination
        .expected
        .iter()
        .flat_map(|expected| (0..graph.len()).flat_map(move |i| expected.unknown_operations(i).iter()))
        .map(|operation| {
            json!({"path": super::portable_path(&operation.path), "line": operation.line, "text": operation.text})
        })
        .collect();
    let document = json!({
        "connection": {
            "url": report.url,
            "dialect": report.live().dialect,
            "server_version": report.live().server_version,
            "schema": report.live().schema_name,
        },
        "version_table": report.live().version_table,
        "graph": {
            "revisions": graph.len(),
            "heads": ids(graph.heads()),
            "bases": ids(graph.bases()),
            "branch_points": branch_points,
            "merge_points": merge_points,
        },
        "unknown_operations": unknown,
        "diagnosis": diagnosis_value(report.diagnosis(), &report.target),
    });
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
}
