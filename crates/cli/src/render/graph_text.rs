//! `graph` as text, in the manner of `alembic history`: newest first, one
//! line per revision — `parents -> revision (labels) (head) (branchpoint)
//! (mergepoint), message` — then a one-line summary.

use migration_doctor::graph::{RevisionGraph, RevisionIndex};
use owo_colors::Style;

use crate::output::Output;

pub fn render(graph: &RevisionGraph, selection: &[RevisionIndex], output: &Output) -> String {
    let mut lines = Vec::new();
    for &index in selection.iter().rev() {
        let revision = graph.revision(index);
        let file = &revision.file;
        let parents = if file.down_revisions.is_empty() {
            "<base>".to_owned()
        } else {
            file.down_revisions.join(", ")
        };
        let mut line = parents;
        if !file.depends_on.is_empty() {
            line.push_str(&format!(" ({})", file.depends_on.join(", ")));
        }
        line.push_str(" -> ");
        line.push_str(&output.paint(revision.id(), Style::new().bold()));
        if !file.branch_labels.is_empty() {
            line.push_str(&format!(" ({})", file.branch_labels.join(", ")));
        }
        let mut marks = Vec::new();
        if revision.is_head() {
            marks.push(if revision.dependents().is_empty() {
                "(head)"
            } else {
                "(effective head)"
            });
        }
        if revision.is_branch_point() {
            marks.push("(branchpoint)");
        }
        if revision.is_merge_point() {
            marks.push("(mergepoint)");
        }
        for mark in marks {
            line.push(' ');
            line.push_str(&output.paint(mark, Style::new().green()));
        }
        line.push_str(", ");
        line.push_str(&file.message.replace('\n', " "));
        lines.push(line);
    }
    let heads: Vec<&str> = graph
        .heads()
        .into_iter()
        .filter(|index| selection.contains(index))
        .map(|index| graph.revision(index).id())
        .collect();
    lines.push(format!(
        "{} revision(s); head(s): {}",
        selection.len(),
        if heads.is_empty() {
            "none".to_owned()
        } else {
            heads.join(", ")
        }
    ));
    lines.join("\n")
}
