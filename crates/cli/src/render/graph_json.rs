//! `graph --format json`, the stable contract of docs/contract.md ("JSON"):
//! `{"revisions":[{"revision","down_revisions","branch_labels","depends_on","path"}],
//! "heads":[...],"bases":[...]}` with every list sorted.

use migration_doctor::graph::{RevisionGraph, RevisionIndex};
use serde::Serialize;

use super::portable_path;

#[derive(Serialize)]
struct GraphJson {
    revisions: Vec<RevisionJson>,
    heads: Vec<String>,
    bases: Vec<String>,
}

#[derive(Serialize)]
struct RevisionJson {
    revision: String,
    down_revisions: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
    path: String,
}

/// The graph restricted to `selection`; heads and bases are those of the
/// selection's revisions.
pub fn render(graph: &RevisionGraph, selection: &[RevisionIndex]) -> String {
    let sorted = |mut list: Vec<String>| {
        list.sort();
        list
    };
    let mut revisions: Vec<RevisionJson> = selection
        .iter()
        .map(|&index| {
            let file = &graph.revision(index).file;
            RevisionJson {
                revision: file.revision.clone(),
                down_revisions: sorted(file.down_revisions.clone()),
                branch_labels: sorted(file.branch_labels.clone()),
                depends_on: sorted(file.depends_on.clone()),
                path: portable_path(&file.path),
            }
        })
        .collect();
    revisions.sort_by(|a, b| a.revision.cmp(&b.revision));
    let ids = |indexes: Vec<RevisionIndex>| {
        sorted(
            indexes
                .into_iter()
                .filter(|index| selection.contains(index))
                .map(|index| graph.revision(index).id().to_owned())
                .collect(),
        )
    };
    let document = GraphJson {
        revisions,
        heads: ids(graph.heads()),
        bases: ids(graph.bases()),
    };
    serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_owned())
}
