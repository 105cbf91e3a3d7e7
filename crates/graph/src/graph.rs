//! The revision graph alembic's `RevisionMap` builds, checked against
//! alembic 1.20 (`alembic/script/revision.py`):
//! - a *head* is a revision no other revision names in `down_revision`
//!   (`depends_on` does not count: `ScriptDirectory.get_heads()`);
//! - a *base* has no `down_revision`;
//! - a *branch point* has more than one child, a *merge point* more than one
//!   `down_revision`;
//! - `down_revision` and `depends_on` entries name a revision id or a branch
//!   label exactly (no prefixes);
//! - branch labels and revision ids share one namespace.
//!
//! Where alembic warns and carries on (a duplicate id: the last file wins) or
//! crashes (a missing `down_revision`), the graph records a problem instead:
//! the graph is still built from what is sound.

use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::path::PathBuf;

use migration_doctor_scripts::RevisionFile;

use crate::problem::GraphProblem;

/// Index of a revision in its graph.
pub type RevisionIndex = usize;

/// Characters alembic forbids in revision ids (`_revision_illegal_chars`).
const ILLEGAL_ID_CHARS: [char; 4] = ['@', '-', '+', ':'];

/// One revision with its resolved edges.
#[derive(Debug, Clone)]
pub struct Revision {
    /// What the file declares.
    pub file: RevisionFile,
    parents: Vec<RevisionIndex>,
    dependencies: Vec<RevisionIndex>,
    children: Vec<RevisionIndex>,
    dependents: Vec<RevisionIndex>,
}

impl Revision {
    pub fn id(&self) -> &str {
        &self.file.revision
    }

    /// The revisions named in `down_revision` that exist.
    pub fn parents(&self) -> &[RevisionIndex] {
        &self.parents
    }

    /// The revisions named in `depends_on` that exist.
    pub fn dependencies(&self) -> &[RevisionIndex] {
        &self.dependencies
    }

    /// The revisions that name this one in `down_revision`.
    pub fn children(&self) -> &[RevisionIndex] {
        &self.children
    }

    /// The revisions that name this one in `depends_on`.
    pub fn dependents(&self) -> &[RevisionIndex] {
        &self.dependents
    }

    pub fn is_base(&self) -> bool {
        self.file.down_revisions.is_empty()
    }

    pub fn is_merge_point(&self) -> bool {
        self.file.down_revisions.len() > 1
    }

    pub fn is_branch_point(&self) -> bool {
        self.children.len() > 1
    }

    /// A head in alembic's sense: no revision names it in `down_revision`.
    pub fn is_head(&self) -> bool {
        self.children.is_empty()
    }
}

/// The whole graph, with the problems that make it untrustworthy.
#[derive(Debug, Clone, Default)]
pub struct RevisionGraph {
    revisions: Vec<Revision>,
    by_id: HashMap<String, RevisionIndex>,
    by_label: HashMap<String, RevisionIndex>,
    order: Vec<RevisionIndex>,
    /// Each revision's place in `order` (`usize::MAX` when caught in a cycle).
    positions: Vec<usize>,
    problems: Vec<GraphProblem>,
}

impl RevisionGraph {
    /// Builds the graph from revision files in alembic's file order. Never
    /// fails: what is wrong is recorded in [`RevisionGraph::problems`].
    pub fn build(files: Vec<RevisionFile>) -> RevisionGraph {
        let mut graph = RevisionGraph::default();
        let mut duplicates: HashMap<String, Vec<PathBuf>> = HashMap::new();

        for file in files {
            let illegal: BTreeSet<char> = file
                .revision
                .chars()
                .filter(|c| ILLEGAL_ID_CHARS.contains(c))
                .collect();
            if !illegal.is_empty() || file.revision.is_empty() {
                graph.problems.push(GraphProblem::IllegalRevisionId {
                    revision: file.revision.clone(),
                    path: file.path.clone(),
                    characters: illegal.into_iter().collect(),
                });
                continue;
            }
            if let Some(&existing) = graph.by_id.get(&file.revision) {
                duplicates
                    .entry(file.revision.clone())
                    .or_insert_with(|| vec![graph.revisions[existing].file.path.clone()])
                    .push(file.path.clone());
                continue;
            }
            if file.down_revisions.contains(&file.revision)
                || file.depends_on.contains(&file.revision)
            {
                graph.problems.push(GraphProblem::SelfReference {
                    revision: file.revision.clone(),
                    path: file.path.clone(),
                });
            }
            graph
                .by_id
                .insert(file.revision.clone(), graph.revisions.len());
            graph.revisions.push(Revision {
                file,
                parents: Vec::new(),
                dependencies: Vec::new(),
                children: Vec::new(),
                dependents: Vec::new(),
            });
        }
        let mut duplicates: Vec<_> = duplicates.into_iter().collect();
        duplicates.sort();
        for (revision, paths) in duplicates {
            graph
                .problems
                .push(GraphProblem::DuplicateRevision { revision, paths });
        }

        graph.map_branch_labels();
        graph.link_edges();
        graph.order = graph.topological_order();
        graph.positions = vec![usize::MAX; graph.revisions.len()];
        for (at, &index) in graph.order.iter().enumerate() {
            graph.positions[index] = at;
        }
        graph
    }

    fn map_branch_labels(&mut self) {
        for index in 0..self.revisions.len() {
            for label in self.revisions[index].file.branch_labels.clone() {
                if let Some(&owner) = self.by_id.get(&label) {
                    self.problems.push(GraphProblem::LabelShadowsRevision {
                        label,
                        path: self.revisions[index].file.path.clone(),
                        revision: self.revisions[owner].id().to_owned(),
                    });
                } else if let Some(&owner) = self.by_label.get(&label) {
                    self.problems.push(GraphProblem::DuplicateBranchLabel {
                        label,
                        paths: vec![
                            self.revisions[owner].file.path.clone(),
                            self.revisions[index].file.path.clone(),
                        ],
                    });
                } else {
                    self.by_label.insert(label, index);
                }
            }
        }
    }

    fn link_edges(&mut self) {
        for index in 0..self.revisions.len() {
            let file = &self.revisions[index].file;
            let mut parents = Vec::new();
            let mut dependencies = Vec::new();
            let mut missing = Vec::new();
            for (name, is_dependency) in file
                .down_revisions
                .iter()
                .map(|name| (name, false))
                .chain(file.depends_on.iter().map(|name| (name, true)))
            {
                match self.exact(name) {
                    Some(target) if target != index => {
                        let list = if is_dependency {
                            &mut dependencies
                        } else {
                            &mut parents
                        };
                        if !list.contains(&target) {
                            list.push(target);
                        }
                    }
                    Some(_) => {} // self-reference, already reported
                    None => missing.push((name.clone(), is_dependency)),
                }
            }
            for (name, is_dependency) in missing {
                let suggestions = self.similar_ids(&name);
                let revision = file.revision.clone();
                let path = file.path.clone();
                self.problems.push(if is_dependency {
                    GraphProblem::MissingDependency {
                        revision,
                        path,
                        missing: name,
                        suggestions,
                    }
                } else {
                    GraphProblem::MissingDownRevision {
                        revision,
                        path,
                        missing: name,
                        suggestions,
                    }
                });
            }
            for &parent in &parents {
                self.revisions[parent].children.push(index);
            }
            for &dependency in &dependencies {
                self.revisions[dependency].dependents.push(index);
            }
            self.revisions[index].parents = parents;
            self.revisions[index].dependencies = dependencies;
        }
    }

    /// Kahn's algorithm over `down_revision` and `depends_on` edges, picking
    /// the earliest file first among the ready ones so that the order is
    /// stable. Revisions on a cycle, or above one, are reported and left out.
    fn topological_order(&mut self) -> Vec<RevisionIndex> {
        let count = self.revisions.len();
        let mut waiting: Vec<usize> = self
            .revisions
            .iter()
            .map(|revision| revision.parents.len() + revision.dependencies.len())
            .collect();
        let mut ready: BinaryHeap<std::cmp::Reverse<RevisionIndex>> = (0..count)
            .filter(|&index| waiting[index] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(count);
        while let Some(std::cmp::Reverse(index)) = ready.pop() {
            order.push(index);
            let revision = &self.revisions[index];
            for &next in revision.children.iter().chain(&revision.dependents) {
                waiting[next] -= 1;
                if waiting[next] == 0 {
                    ready.push(std::cmp::Reverse(next));
                }
            }
        }
        if order.len() < count {
            let stuck: Vec<bool> = (0..count).map(|index| waiting[index] > 0).collect();
            self.report_cycles(&stuck);
        }
        order
    }

    fn report_cycles(&mut self, stuck: &[bool]) {
        let mut reported: BTreeSet<Vec<RevisionIndex>> = BTreeSet::new();
        let mut on_cycle = vec![false; stuck.len()];
        for start in (0..stuck.len()).filter(|&index| stuck[index]) {
            // Walk down through stuck revisions: every step has a stuck
            // predecessor, so the walk must revisit a revision, closing a cycle.
            let mut path = vec![start];
            let mut position: HashMap<RevisionIndex, usize> = HashMap::from([(start, 0)]);
            let cycle = loop {
                let current = *path.last().unwrap_or(&start);
                let revision = &self.revisions[current];
                let Some(&next) = revision
                    .parents
                    .iter()
                    .chain(&revision.dependencies)
                    .find(|&&p| stuck[p])
                else {
                    break None;
                };
                if let Some(&at) = position.get(&next) {
                    break Some(path[at..].to_vec());
                }
                position.insert(next, path.len());
                path.push(next);
            };
            if let Some(mut cycle) = cycle {
                // Name each cycle once, starting from its smallest index,
                // listed from the oldest revision to the newest.
                cycle.reverse();
                let min_at = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, index)| **index)
                    .map_or(0, |(at, _)| at);
                cycle.rotate_left(min_at);
                for &index in &cycle {
                    on_cycle[index] = true;
                }
                reported.insert(cycle);
            }
        }
        let above = (0..stuck.len())
            .filter(|&index| stuck[index] && !on_cycle[index])
            .count();
        for cycle in reported {
            self.problems.push(GraphProblem::Cycle {
                revisions: cycle
                    .iter()
                    .map(|&i| self.revisions[i].id().to_owned())
                    .collect(),
                paths: cycle
                    .iter()
                    .map(|&i| self.revisions[i].file.path.clone())
                    .collect(),
                above,
            });
        }
    }

    /// A revision by exact id or branch label, as `down_revision` and
    /// `depends_on` entries are looked up.
    pub fn exact(&self, name: &str) -> Option<RevisionIndex> {
        self.by_id
            .get(name)
            .or_else(|| self.by_label.get(name))
            .copied()
    }

    /// Known ids that look like `name`: typos, truncations, or a shared prefix.
    pub fn similar_ids(&self, name: &str) -> Vec<String> {
        let mut scored: Vec<(usize, &str)> = self
            .by_id
            .keys()
            .filter_map(|id| {
                let distance = strsim::levenshtein(name, id);
                let shared = name
                    .chars()
                    .zip(id.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                // A typo, or an id cut short (or run long): anything
                // further is noise (random ids share little).
                let cut = shared >= 4 && (id.starts_with(name) || name.starts_with(id));
                (distance <= 2 || cut)
                    .then_some((distance.min(name.len().saturating_sub(shared)), id.as_str()))
            })
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(3)
            .map(|(_, id)| id.to_owned())
            .collect()
    }

    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    pub fn revision(&self, index: RevisionIndex) -> &Revision {
        &self.revisions[index]
    }

    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    pub fn index_of(&self, id: &str) -> Option<RevisionIndex> {
        self.by_id.get(id).copied()
    }

    /// The revision a branch label names.
    pub fn label(&self, label: &str) -> Option<RevisionIndex> {
        self.by_label.get(label).copied()
    }

    /// Every branch label with the revision declaring it.
    pub fn labels(&self) -> impl Iterator<Item = (&str, RevisionIndex)> {
        self.by_label
            .iter()
            .map(|(label, &index)| (label.as_str(), index))
    }

    /// What makes the graph untrustworthy; empty for a sound graph.
    pub fn problems(&self) -> &[GraphProblem] {
        &self.problems
    }

    /// Heads as `alembic heads` and `ScriptDirectory.get_heads()` list them.
    pub fn heads(&self) -> Vec<RevisionIndex> {
        (0..self.revisions.len())
            .filter(|&index| self.revisions[index].is_head())
            .collect()
    }

    /// Heads that no revision depends on either (alembic's "real" heads,
    /// what `heads` means as an upgrade target).
    pub fn real_heads(&self) -> Vec<RevisionIndex> {
        (0..self.revisions.len())
            .filter(|&index| {
                let revision = &self.revisions[index];
                revision.children.is_empty() && revision.dependents.is_empty()
            })
            .collect()
    }

    pub fn bases(&self) -> Vec<RevisionIndex> {
        (0..self.revisions.len())
            .filter(|&index| self.revisions[index].is_base())
            .collect()
    }

    /// Every revision, older before newer (parents and dependencies first).
    /// Revisions caught in a cycle are missing from it.
    pub fn topological(&self) -> &[RevisionIndex] {
        &self.order
    }

    /// The place of `index` in [`RevisionGraph::topological`]; `usize::MAX`
    /// for a revision caught in a cycle (it sorts last).
    pub fn position(&self, index: RevisionIndex) -> usize {
        self.positions.get(index).copied().unwrap_or(usize::MAX)
    }

    /// `index` and all revisions below it (through `down_revision`, and
    /// through `depends_on` when asked), as a membership table.
    pub fn ancestors(&self, index: RevisionIndex, include_dependencies: bool) -> Vec<bool> {
        self.walk(index, |revision| {
            revision.parents.iter().chain(if include_dependencies {
                revision.dependencies.iter()
            } else {
                [].iter()
            })
        })
    }

    /// `index` and all revisions above it, as a membership table.
    pub fn descendants(&self, index: RevisionIndex, include_dependencies: bool) -> Vec<bool> {
        self.walk(index, |revision| {
            revision.children.iter().chain(if include_dependencies {
                revision.dependents.iter()
            } else {
                [].iter()
            })
        })
    }

    fn walk<'a, I>(&'a self, start: RevisionIndex, next: impl Fn(&'a Revision) -> I) -> Vec<bool>
    where
        I: Iterator<Item = &'a RevisionIndex>,
    {
        let mut seen = vec![false; self.revisions.len()];
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(index) = stack.pop() {
            for &other in next(&self.revisions[index]) {
                if !seen[other] {
                    seen[other] = true;
                    stack.push(other);
                }
            }
        }
        seen
    }
}
