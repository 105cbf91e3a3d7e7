//! `diagnose --format json` (the contract of PRODUCT.md) and `status
//! --format json`, which holds the same object under `"diagnosis"`.

use migration_doctor::diagnosis::Diagnosis;
use serde_json::json;

use crate::commands::diagnose::Report;

/// The diagnosis object, with the database it is about as `target`.
pub fn diagnosis_value(diagnosis: &Diagnosis, target: &serde_json::Value) -> serde_json::Value {
    let mut value = serde_json::to_value(diagnosis).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("target".to_owned(), target.clone());
        // When no state agrees: the nearest ones, ranked, and how they differ.
        let closest: Vec<serde_json::Value> = diagnosis
            .closest
            .iter()
            .map(|closest| {
                json!({
                    "revisions": closest.revisions,
                    "distance": closest.distance,
                    "differences": closest.comparison.differences(),
                    "unverified": closest.comparison.unverified,
                })
            })
            .collect();
        object.insert("closest_states".to_owned(), json!(closest));
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
