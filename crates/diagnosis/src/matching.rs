//! Matching: the live schema against every state a real alembic can
//! leave. Each state is scored from differences cached per table version;
//! only the candidates and the closest are compared in full.

use std::collections::BTreeSet;

use migration_doctor_graph::{RevisionIndex, RevisionSet};

use crate::compare::{Comparison, Score};
use crate::context::Context;
use crate::diagnosis::ClosestState;

/// A revision state (its heads) with its comparison to the live schema.
pub(crate) struct Scored {
    pub heads: Vec<RevisionIndex>,
    pub comparison: Comparison,
}

/// The outcome of matching the live schema against every revision state.
pub(crate) struct Matching {
    /// Agreeing states with the fewest unverified differences, in history order.
    pub candidates: Vec<Scored>,
    /// The nearest states when none agrees.
    pub closest: Vec<Scored>,
}

impl Matching {
    /// The candidates' heads: the states a decision weighs.
    pub fn candidate_heads(&self) -> Vec<Vec<RevisionIndex>> {
        self.candidates
            .iter()
            .map(|scored| scored.heads.clone())
            .collect()
    }
}

impl Context<'_> {
    /// The states a real alembic can leave: the base, each revision with its
    /// ancestors, each merge point's parents side by side, all heads side by
    /// side, and `extra` (the version rows).
    pub fn candidate_states(&self, extra: &[RevisionIndex]) -> Vec<Vec<RevisionIndex>> {
        let graph = self.input.graph;
        let mut states: BTreeSet<Vec<RevisionIndex>> = BTreeSet::new();
        states.insert(Vec::new());
        for &index in graph.topological() {
            states.insert(vec![index]);
            let parents = graph.revision(index).parents();
            if parents.len() > 1 {
                let mut parents = parents.to_vec();
                parents.sort_unstable();
                states.insert(parents);
            }
        }
        let mut heads = graph.heads();
        if heads.len() > 1 {
            heads.sort_unstable();
            states.insert(heads);
        }
        if extra.len() > 1 {
            let mut extra = extra.to_vec();
            extra.sort_unstable();
            states.insert(extra);
        }
        states.into_iter().collect()
    }

    /// The states one revision further than `heads`: each revision not yet
    /// applied whose parents (and dependencies) all are, added to it.
    pub fn one_revision_further(&self, heads: &[RevisionIndex]) -> Vec<Vec<RevisionIndex>> {
        let graph = self.input.graph;
        let applied = self.applied_set(heads);
        let mut out = Vec::new();
        for index in 0..graph.len() {
            if applied[index] {
                continue;
            }
            let revision = graph.revision(index);
            let before: Vec<RevisionIndex> = revision
                .parents()
                .iter()
                .chain(revision.dependencies())
                .copied()
                .collect();
            if !before.iter().all(|&at| applied[at]) {
                continue;
            }
            let mut next: Vec<RevisionIndex> = heads
                .iter()
                .copied()
                .filter(|head| !graph.ancestors(index, false)[*head])
                .collect();
            next.push(index);
            next.sort_unstable();
            out.push(next);
        }
        out
    }

    /// Matches the live schema against every state: each is scored (counted,
    /// from differences cached per table version), and only the candidates
    /// and the closest are compared in full.
    pub fn matching(&self, extra: &[RevisionIndex]) -> Matching {
        let mut agreeing = Vec::new();
        let mut others = Vec::new();
        let mut seen: BTreeSet<Vec<RevisionIndex>> = BTreeSet::new();
        for heads in self.candidate_states(extra) {
            seen.insert(heads.clone());
            let score = self.comparer.score(&self.state_of(&heads));
            if score.certain == 0 {
                agreeing.push((heads, score));
            } else {
                others.push((heads, score));
            }
        }
        // With branches, a real alembic can also leave any mix of them (one
        // branch further than another), which the list above does not hold.
        // From each agreeing state, the states one more revision away on
        // any branch are tried too, as long as they agree: a state that
        // agrees alone must not pass for proven while a mix agrees as well.
        let mut pending: Vec<Vec<RevisionIndex>> =
            agreeing.iter().map(|(heads, _)| heads.clone()).collect();
        while let Some(heads) = pending.pop() {
            if seen.len() >= MAX_BRANCH_MIXES {
                break;
            }
            for next in self.one_revision_further(&heads) {
                if !seen.insert(next.clone()) {
                    continue;
                }
                let score = self.comparer.score(&self.state_of(&next));
                if score.certain == 0 {
                    pending.push(next.clone());
                    agreeing.push((next, score));
                }
            }
        }
        if let Some(fewest) = agreeing.iter().map(|(_, score)| score.unverified).min() {
            agreeing.retain(|(_, score)| score.unverified == fewest);
        }
        agreeing.sort_by_key(|(heads, _)| self.applied_count(heads));
        others.sort_by_key(|(heads, score)| {
            (
                score.certain,
                score.unverified,
                std::cmp::Reverse(heads.len()),
            )
        });
        others.truncate(3);
        let full = |(heads, _): (Vec<RevisionIndex>, Score)| Scored {
            comparison: self.compare_with(&heads),
            heads,
        };
        Matching {
            candidates: agreeing.into_iter().map(full).collect(),
            closest: others.into_iter().map(full).collect(),
        }
    }

    /// The candidates as the diagnosis reports them.
    pub fn candidate_sets(&self, matching: &Matching) -> Vec<RevisionSet> {
        matching
            .candidates
            .iter()
            .map(|scored| self.set(&scored.heads))
            .collect()
    }

    pub fn closest_states(&self, closest: &[Scored]) -> Vec<ClosestState> {
        closest
            .iter()
            .map(|scored| ClosestState {
                revisions: self.set(&scored.heads),
                distance: scored.comparison.distance(),
                comparison: scored.comparison.clone(),
            })
            .collect()
    }
}

/// How many states the search through mixes of branches may try.
const MAX_BRANCH_MIXES: usize = 4096;
