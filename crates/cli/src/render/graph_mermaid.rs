//! `graph --format mermaid`: a flowchart from the base upwards; `depends_on`
//! as dotted edges, heads as rounded nodes, merge points as hexagons.

use migration_doctor::graph::{RevisionGraph, RevisionIndex};

pub fn render(graph: &RevisionGraph, selection: &[RevisionIndex]) -> String {
    let mut out = String::from("flowchart BT\n");
    for &index in selection {
        let revision = graph.revision(index);
        let mut label = revision.id().to_owned();
        if !revision.file.branch_labels.is_empty() {
            label.push_str(&format!(" ({})", revision.file.branch_labels.join(", ")));
        }
        if !revision.file.message.is_empty() {
            label.push_str("<br/>");
            label.push_str(&revision.file.message);
        }
        let label = escape(&label);
        let node = if revision.is_merge_point() {
            format!("{{{{\"{label}\"}}}}")
        } else if revision.is_head() {
            format!("(\"{label}\")")
        } else {
            format!("[\"{label}\"]")
        };
        out.push_str(&format!("  r{index}{node}\n"));
    }
    for &index in selection {
        let revision = graph.revision(index);
        for &parent in revision.parents().iter().filter(|p| selection.contains(p)) {
            out.push_str(&format!("  r{parent} --> r{index}\n"));
        }
        for &dependency in revision
            .dependencies()
            .iter()
            .filter(|p| selection.contains(p))
        {
            out.push_str(&format!("  r{dependency} -.->|depends_on| r{index}\n"));
        }
    }
    out
}

/// Mermaid labels are quoted strings; quotes and angle brackets become entities.
fn escape(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('\n', " ")
        .replace("<br/>", "\u{0}")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\u{0}', "<br/>")
}
