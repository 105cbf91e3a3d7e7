//! `graph --format dot` for Graphviz: an edge from each parent to its child,
//! dashed edges for `depends_on`, heads drawn with a double border and merge
//! points as hexagons; the base is at the bottom.

use migration_doctor::graph::{RevisionGraph, RevisionIndex};

pub fn render(graph: &RevisionGraph, selection: &[RevisionIndex]) -> String {
    let mut out = String::from(
        "digraph revisions {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n",
    );
    for &index in selection {
        let revision = graph.revision(index);
        let mut label = revision.id().to_owned();
        if !revision.file.branch_labels.is_empty() {
            label.push_str(&format!(" ({})", revision.file.branch_labels.join(", ")));
        }
        if !revision.file.message.is_empty() {
            label.push_str("\\n");
            label.push_str(&escape(&revision.file.message));
        }
        let mut attributes = vec![format!("label=\"{}\"", escape_keep_newlines(&label))];
        if revision.is_head() {
            attributes.push("peripheries=2".to_owned());
        }
        if revision.is_merge_point() {
            attributes.push("shape=hexagon".to_owned());
        }
        out.push_str(&format!(
            "  \"{}\" [{}];\n",
            escape(revision.id()),
            attributes.join(", ")
        ));
    }
    for &index in selection {
        let revision = graph.revision(index);
        for &parent in revision.parents().iter().filter(|p| selection.contains(p)) {
            out.push_str(&format!(
                "  \"{}\" -> \"{}\";\n",
                escape(graph.revision(parent).id()),
                escape(revision.id())
            ));
        }
        for &dependency in revision
            .dependencies()
            .iter()
            .filter(|p| selection.contains(p))
        {
            out.push_str(&format!(
                "  \"{}\" -> \"{}\" [style=dashed, label=\"depends_on\"];\n",
                escape(graph.revision(dependency).id()),
                escape(revision.id())
            ));
        }
    }
    out.push_str("}\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', " ")
}

/// Escapes quotes but keeps the `\n` line breaks the label already holds.
fn escape_keep_newlines(text: &str) -> String {
    text.replace('"', "\\\"")
}
