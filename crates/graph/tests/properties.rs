//! Random histories (branches, merges, dependencies, files in any order)
//! against a plain reference walk: heads, bases, ancestors, descendants,
//! the topological order and identifier resolution agree.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use migration_doctor_graph::RevisionGraph;
use migration_doctor_scripts::RevisionFile;
use proptest::prelude::*;

/// A history: revision `i` has parents and dependencies among `0..i`.
#[derive(Debug, Clone)]
struct History {
    ids: Vec<String>,
    parents: Vec<Vec<usize>>,
    dependencies: Vec<Vec<usize>>,
    /// The order the files are handed over in.
    order: Vec<usize>,
}

fn history() -> impl Strategy<Value = History> {
    (1usize..40)
        .prop_flat_map(|count| {
            let links = (0..count)
                .map(|i| {
                    let earlier = if i == 0 { 0 } else { i };
                    (
                        proptest::collection::btree_set(0..earlier.max(1), 0..=2.min(earlier)),
                        proptest::collection::btree_set(0..earlier.max(1), 0..=1.min(earlier)),
                        // Ids sharing prefixes now and then, to exercise partial ids.
                        proptest::sample::select(vec!["ab", "abc", "f0", "1234", "e"]),
                        0u32..100_000,
                    )
                })
                .collect::<Vec<_>>();
            (links, Just(count)).prop_flat_map(|(links, count)| {
                let order = Just((0..count).collect::<Vec<usize>>()).prop_shuffle();
                (Just(links), order)
            })
        })
        .prop_map(|(links, order)| {
            let mut ids = Vec::new();
            let mut parents = Vec::new();
            let mut dependencies = Vec::new();
            for (i, (parent_set, dependency_set, prefix, salt)) in links.into_iter().enumerate() {
                ids.push(format!("{prefix}{salt:05}r{i}"));
                let parent_list: Vec<usize> = parent_set.into_iter().filter(|&p| p < i).collect();
                let dependency_list: Vec<usize> = dependency_set
                    .into_iter()
                    .filter(|&d| d < i && !parent_list.contains(&d))
                    .collect();
                parents.push(parent_list);
                dependencies.push(dependency_list);
            }
            History {
                ids,
                parents,
                dependencies,
                order,
            }
        })
}

fn build(history: &History) -> RevisionGraph {
    let files = history
        .order
        .iter()
        .map(|&i| RevisionFile {
            revision: history.ids[i].clone(),
            down_revisions: history.parents[i]
                .iter()
                .map(|&p| history.ids[p].clone())
                .collect(),
            branch_labels: Vec::new(),
            depends_on: history.dependencies[i]
                .iter()
                .map(|&d| history.ids[d].clone())
                .collect(),
            path: PathBuf::from(format!("versions/{}.py", history.ids[i])),
            message: String::new(),
            line: 1,
            source: String::new(),
        })
        .collect();
    RevisionGraph::build(files)
}

/// Everything reachable from `start` along `edges` (itself included).
fn reach(start: usize, edges: &dyn Fn(usize) -> Vec<usize>) -> BTreeSet<usize> {
    let mut seen = BTreeSet::from([start]);
    let mut stack = vec![start];
    while let Some(at) = stack.pop() {
        for next in edges(at) {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_graph_agrees_with_a_reference_walk(history in history()) {
        let graph = build(&history);
        prop_assert!(graph.problems().is_empty(), "{:?}", graph.problems());
        let count = history.ids.len();
        let index = |i: usize| graph.index_of(&history.ids[i]).expect("every id is in the graph");
        let id_of = |index: usize| graph.revision(index).id().to_owned();
        let ids_of = |set: &dyn Fn(usize) -> bool| -> BTreeSet<String> {
            (0..count).filter(|&i| set(i)).map(|i| history.ids[i].clone()).collect()
        };

        let has_child = |i: usize| history.parents.iter().any(|parents| parents.contains(&i));
        let heads: BTreeSet<String> = graph.heads().into_iter().map(id_of).collect();
        prop_assert_eq!(heads, ids_of(&|i| !has_child(i)));
        let bases: BTreeSet<String> = graph.bases().into_iter().map(id_of).collect();
        prop_assert_eq!(bases, ids_of(&|i| history.parents[i].is_empty()));

        let parents = |i: usize| history.parents[i].clone();
        let parents_and_dependencies = |i: usize| {
            let mut all = history.parents[i].clone();
            all.extend(&history.dependencies[i]);
            all
        };
        for i in 0..count {
            for (include, edges) in [
                (false, &parents as &dyn Fn(usize) -> Vec<usize>),
                (true, &parents_and_dependencies),
            ] {
                let expected = reach(i, edges);
                let found = graph.ancestors(index(i), include);
                let found: BTreeSet<String> =
                    (0..count).filter(|&j| found[index(j)]).map(|j| history.ids[j].clone()).collect();
                prop_assert_eq!(&found, &expected.iter().map(|&j| history.ids[j].clone()).collect());
                let descendants = graph.descendants(index(i), include);
                for j in 0..count {
                    let below = reach(j, edges).contains(&i);
                    prop_assert_eq!(descendants[index(j)], below, "{} below {}", j, i);
                }
            }
            // Parents and dependencies come first in the topological order.
            for &p in history.parents[i].iter().chain(&history.dependencies[i]) {
                prop_assert!(graph.position(index(p)) < graph.position(index(i)));
            }
        }
        prop_assert_eq!(graph.topological().len(), count);

        // Identifiers: whole ids, and prefixes as alembic resolves them.
        for i in 0..count {
            let id = &history.ids[i];
            prop_assert_eq!(graph.resolve(id).ok(), Some(vec![index(i)]));
            for cut in 1..id.len() {
                let prefix = &id[..cut];
                let exact = history.ids.iter().position(|other| other == prefix);
                let matching: Vec<usize> = (0..count)
                    .filter(|&j| history.ids[j].len() > 3 && history.ids[j].starts_with(prefix))
                    .collect();
                let resolved = graph.resolve(prefix).ok();
                match (exact, matching.as_slice()) {
                    (Some(j), _) => prop_assert_eq!(resolved, Some(vec![index(j)])),
                    (None, [one]) => prop_assert_eq!(resolved, Some(vec![index(*one)])),
                    (None, _) => prop_assert_eq!(resolved, None, "prefix {}", prefix),
                }
            }
        }
    }
}
