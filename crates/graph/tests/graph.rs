// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]
use std::path::PathBuf;

use migration_doctor_graph::{GraphProblem, ResolveError, RevisionGraph};
use migration_doctor_scripts::RevisionFile;

/// `spec` lines: `id <- parent,parent [label,label] {dep,dep}`.
fn graph(spec: &str) -> RevisionGraph {
    let files = spec
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let id = line.split(['<', '[', '{']).next().unwrap_or(line);
            let rest = &line[id.len()..];
            let rest = rest.strip_prefix("<-").unwrap_or(rest);
            let take = |open: char, close: char| -> Vec<String> {
                rest.find(open)
                    .and_then(|start| {
                        rest[start + 1..]
                            .find(close)
                            .map(|end| &rest[start + 1..start + 1 + end])
                    })
                    .map(|inner| {
                        inner
                            .split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let parents_text = rest.split(['[', '{']).next().unwrap_or("");
            RevisionFile {
                revision: id.trim().to_owned(),
                down_revisions: parents_text
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                branch_labels: take('[', ']'),
                depends_on: take('{', '}'),
                path: PathBuf::from(format!("versions/{}.py", id.trim())),
                message: String::new(),
                line: 1,
                source: String::new(),
            }
        })
        .collect();
    RevisionGraph::build(files)
}

fn ids(graph: &RevisionGraph, indexes: &[usize]) -> Vec<String> {
    let mut out: Vec<String> = indexes
        .iter()
        .map(|&i| graph.revision(i).id().to_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn branches_and_merges() {
    let g = graph(
        "a1a1
         b2b2 <- a1a1
         c3c3 <- b2b2
         d4d4 <- b2b2
         e5e5 <- c3c3, d4d4
         f6f6 <- e5e5
         g7g7 <- e5e5",
    );
    assert!(g.problems().is_empty());
    assert_eq!(ids(&g, &g.heads()), ["f6f6", "g7g7"]);
    assert_eq!(ids(&g, &g.bases()), ["a1a1"]);
    let b = g.index_of("b2b2").unwrap();
    let e = g.index_of("e5e5").unwrap();
    assert!(g.revision(b).is_branch_point());
    assert!(g.revision(e).is_merge_point() && g.revision(e).is_branch_point());
    let order: Vec<&str> = g
        .topological()
        .iter()
        .map(|&i| g.revision(i).id())
        .collect();
    assert_eq!(order.len(), 7);
    let at = |id: &str| order.iter().position(|x| *x == id).unwrap();
    assert!(at("c3c3") < at("e5e5") && at("d4d4") < at("e5e5") && at("e5e5") < at("g7g7"));
}

#[test]
fn depends_on_keeps_heads_but_not_real_heads() {
    let g = graph(
        "a1a1 [core]
         b2b2 <- a1a1
         x9x9 [other]
         y8y8 <- x9x9 {b2b2}",
    );
    assert!(g.problems().is_empty(), "{:?}", g.problems());
    assert_eq!(ids(&g, &g.heads()), ["b2b2", "y8y8"]);
    assert_eq!(ids(&g, &g.real_heads()), ["y8y8"]);
    assert_eq!(ids(&g, &g.bases()), ["a1a1", "x9x9"]);
    assert_eq!(ids(&g, &g.resolve("heads").unwrap()), ["y8y8"]);
    assert_eq!(ids(&g, &g.resolve("core@head").unwrap()), ["b2b2"]);
    assert_eq!(ids(&g, &g.resolve("other@head").unwrap()), ["y8y8"]);
    // a dependency on a label resolves to the labelled revision
    let g = graph("a1a1 [core]\nb2b2 {core}");
    assert!(g.problems().is_empty());
    assert_eq!(
        g.revision(g.index_of("b2b2").unwrap()).dependencies(),
        &[g.index_of("a1a1").unwrap()]
    );
}

#[test]
fn resolution_of_prefixes_symbols_and_steps() {
    let g = graph(
        "ae1027a6acf
         ae1099bb <- ae1027a6acf
         c0ffee11 <- ae1099bb",
    );
    let one = |ident: &str| {
        g.resolve_one(ident)
            .unwrap()
            .map(|i| g.revision(i).id().to_owned())
    };
    assert_eq!(one("ae1027").as_deref(), Some("ae1027a6acf"));
    assert_eq!(one("c0ff").as_deref(), Some("c0ffee11"));
    assert_eq!(one("head").as_deref(), Some("c0ffee11"));
    assert_eq!(one("base"), None);
    assert_eq!(one("head-1").as_deref(), Some("ae1099bb"));
    assert_eq!(one("head~2").as_deref(), Some("ae1027a6acf"));
    assert_eq!(one("base+1").as_deref(), Some("ae1027a6acf"));
    assert_eq!(one("ae1027+2").as_deref(), Some("c0ffee11"));
    assert!(
        matches!(g.resolve("ae10"), Err(ResolveError::Ambiguous { ref candidates, .. }) if candidates.len() == 2)
    );
    assert!(matches!(
        g.resolve("dead"),
        Err(ResolveError::Unknown { .. })
    ));
    assert!(matches!(
        g.resolve("head+1"),
        Err(ResolveError::OutOfRange { .. })
    ));
    assert!(matches!(
        g.resolve("-1"),
        Err(ResolveError::NeedsCurrent { .. })
    ));
    let message = g.resolve("ae10").unwrap_err().to_string();
    assert!(
        message.contains("ae1027a6acf") && message.contains("ae1099bb"),
        "{message}"
    );
}

#[test]
fn head_is_ambiguous_with_two_heads() {
    let g = graph("a1a1\nb2b2 <- a1a1\nc3c3 <- a1a1");
    let error = g.resolve("head").unwrap_err();
    assert!(matches!(error, ResolveError::MultipleHeads { .. }));
    assert!(error.to_string().contains("b2b2, c3c3"), "{error}");
    assert!(matches!(
        g.resolve("a1a1+1"),
        Err(ResolveError::AmbiguousStep { .. })
    ));
    assert_eq!(g.resolve("heads").unwrap().len(), 2);
}

#[test]
fn missing_parent_is_reported_with_a_suggestion() {
    let g = graph("abcdef12\nabcdef34 <- abcdef13");
    match g.problems() {
        [
            GraphProblem::MissingDownRevision {
                missing,
                suggestions,
                ..
            },
        ] => {
            assert_eq!(missing, "abcdef13");
            assert!(
                suggestions.contains(&"abcdef12".to_owned()),
                "{suggestions:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(g.problems()[0].to_string().contains("versions/abcdef34.py"));
}

#[test]
fn duplicates_cycles_and_labels() {
    let g = graph("a1a1\na1a1 <- b2b2\nb2b2 <- a1a1");
    assert!(
        g.problems()
            .iter()
            .any(|p| matches!(p, GraphProblem::DuplicateRevision { .. }))
    );

    let g = graph("base\nc1c1 <- c3c3\nc2c2 <- c1c1\nc3c3 <- c2c2\ntop1 <- c3c3");
    let cycle = g.problems().iter().find_map(|p| match p {
        GraphProblem::Cycle {
            revisions, above, ..
        } => Some((revisions.clone(), *above)),
        _ => None,
    });
    let (revisions, above) = cycle.expect("cycle reported");
    assert_eq!(revisions, ["c1c1", "c2c2", "c3c3"]);
    assert_eq!(above, 1);
    assert_eq!(g.topological().len(), 1);

    let g = graph("a1a1 [x]\nb2b2 <- a1a1 [x]");
    assert!(matches!(
        g.problems(),
        [GraphProblem::DuplicateBranchLabel { .. }]
    ));
    let g = graph("a1a1 [b2b2]\nb2b2 <- a1a1");
    assert!(matches!(
        g.problems(),
        [GraphProblem::LabelShadowsRevision { .. }]
    ));
    let g = graph("a-1");
    assert!(matches!(
        g.problems(),
        [GraphProblem::IllegalRevisionId { .. }]
    ));
    let g = graph("a1a1 <- a1a1");
    assert!(
        g.problems()
            .iter()
            .any(|p| matches!(p, GraphProblem::SelfReference { .. }))
    );
}
