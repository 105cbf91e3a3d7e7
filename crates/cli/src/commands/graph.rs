//! `migration-doctor graph`: the revision graph in four formats.

use migration_doctor::Project;
use migration_doctor::graph::{RevisionGraph, RevisionIndex};

use crate::cli::{Format, GraphArgs};
use crate::failure::Failure;
use crate::output::Output;
use crate::render;

pub fn run(
    project: &Project,
    args: &GraphArgs,
    format: Format,
    output: &Output,
) -> Result<(), Failure> {
    let graph = &project.graph;
    let selection = match &args.rev_range {
        Some(range) => select_range(graph, range)?,
        None => graph.topological().to_vec(),
    };
    match format {
        Format::Github => {
            return Err(Failure::Usage(
                "--format github applies to `check` only; use text, json, dot or mermaid"
                    .to_owned(),
            ));
        }
        Format::Text => output.print(&render::graph_text::render(graph, &selection, output)),
        Format::Json | Format::Jsonl => {
            output.print_raw(&render::graph_json::render(graph, &selection))
        }
        Format::Dot => output.print_raw(&render::graph_dot::render(graph, &selection)),
        Format::Mermaid => output.print_raw(&render::graph_mermaid::render(graph, &selection)),
    }
    let errors = project.errors();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure::InvalidScripts(errors))
    }
}

/// Revisions that descend from the start and lead to the end, both inclusive,
/// in topological order (`alembic history -r start:end`).
fn select_range(graph: &RevisionGraph, range: &str) -> Result<Vec<RevisionIndex>, Failure> {
    let Some((start, end)) = range.split_once(':') else {
        return Err(Failure::Usage(format!(
            "--rev-range `{range}` has no colon; write START:END, such as base:head or ae10:"
        )));
    };
    let resolve = |ident: &str, default: &str| {
        let ident = if ident.is_empty() { default } else { ident };
        graph
            .resolve(ident)
            .map_err(|error| Failure::InvalidScripts(vec![error.to_string()]))
    };
    let starts = resolve(start, "base")?;
    let ends = resolve(end, "heads")?;
    let mut keep = vec![starts.is_empty(); graph.len()];
    for &index in &starts {
        for (at, member) in graph.descendants(index, false).into_iter().enumerate() {
            keep[at] |= member;
        }
    }
    let mut below = vec![ends.is_empty(); graph.len()];
    for &index in &ends {
        for (at, member) in graph.ancestors(index, false).into_iter().enumerate() {
            below[at] |= member;
        }
    }
    Ok(graph
        .topological()
        .iter()
        .copied()
        .filter(|&index| keep[index] && below[index])
        .collect())
}
