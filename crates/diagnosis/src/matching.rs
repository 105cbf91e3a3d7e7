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
    /// Every reachable state was weighed (see [`MAX_STATES`]).
    pub exhaustive: bool,
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
    /// Every state a real alembic can leave, in a defined order: breadth
    /// first from the base, one revision at a time (one whose parents and
    /// dependencies are applied), so by the number of revisions applied,
    /// then by the history positions of the heads. Each state is its heads
    /// as alembic's version table holds them: a head that another head's
    /// `depends_on` already implies is no row. Past [`MAX_STATES`] the list
    /// is cut, and says so.
    pub fn reachable_states(&self) -> Reachable {
        let graph = self.input.graph;
        let mut states: Vec<Vec<RevisionIndex>> = vec![Vec::new()];
        let mut seen: BTreeSet<Vec<RevisionIndex>> = BTreeSet::from([Vec::new()]);
        // Each state of the level: its heads and the revisions it applies.
        let mut level: Vec<(Vec<RevisionIndex>, Vec<bool>)> =
            vec![(Vec::new(), vec![false; graph.len()])];
        let mut exhaustive = true;
        while !level.is_empty() {
            let mut next_level: Vec<(Vec<RevisionIndex>, Vec<bool>)> = Vec::new();
            for (heads, applied) in &level {
                for &index in graph.topological() {
                    if applied[index] {
                        continue;
                    }
                    let revision = graph.revision(index);
                    let mut before = revision.parents().iter().chain(revision.dependencies());
                    if !before.all(|&earlier| applied[earlier]) {
                        continue;
                    }
                    // Adding a revision ends the headship of exactly what
                    // it descends from or depends on.
                    let mut further_heads: Vec<RevisionIndex> = heads
                        .iter()
                        .copied()
                        .filter(|head| {
                            !revision.parents().contains(head)
                                && !revision.dependencies().contains(head)
                        })
                        .collect();
                    further_heads.push(index);
                    further_heads.sort_by_key(|&head| graph.position(head));
                    if seen.contains(&further_heads) {
                        continue;
                    }
                    if seen.len() >= MAX_STATES {
                        exhaustive = false;
                        break;
                    }
                    seen.insert(further_heads.clone());
                    let mut further = applied.clone();
                    further[index] = true;
                    next_level.push((further_heads, further));
                }
            }
            next_level.sort_by_key(|(heads, _)| self.history_key(heads));
            states.extend(next_level.iter().map(|(heads, _)| heads.clone()));
            level = next_level;
        }
        Reachable { states, exhaustive }
    }

    /// The heads of the state that applies `applied`: the applied revisions
    /// no other applied revision descends from or depends on, by their
    /// position in the history.
    pub fn heads_of(&self, applied: &[bool]) -> Vec<RevisionIndex> {
        let graph = self.input.graph;
        graph
            .topological()
            .iter()
            .copied()
            .filter(|&index| {
                let revision = graph.revision(index);
                applied[index]
                    && !revision
                        .children()
                        .iter()
                        .chain(revision.dependents())
                        .any(|&after| applied[after])
            })
            .collect()
    }

    /// The heads as alembic's version table holds them (see
    /// [`Context::heads_of`]).
    pub fn canonical(&self, heads: &[RevisionIndex]) -> Vec<RevisionIndex> {
        self.heads_of(&self.applied_set(heads))
    }

    /// A key that orders states by the history positions of their heads.
    fn history_key(&self, heads: &[RevisionIndex]) -> Vec<usize> {
        heads
            .iter()
            .map(|&head| self.input.graph.position(head))
            .collect()
    }

    /// Matches the live schema against every state: each is scored (counted,
    /// from differences cached per table version), and only the candidates
    /// and the closest are compared in full. `rows` (the version rows, when
    /// they are a state of their own) are weighed too.
    pub fn matching(&self, rows: &[RevisionIndex]) -> Matching {
        let mut agreeing = Vec::new();
        let mut others = Vec::new();
        let reachable = self.reachable_states();
        let mut states = reachable.states.clone();
        let rows = self.canonical(rows);
        if !rows.is_empty() && !states.contains(&rows) {
            states.push(rows);
        }
        for heads in states {
            let score = self.score_of(&heads);
            if score.certain == 0 {
                agreeing.push((heads, score));
            } else {
                others.push((heads, score));
            }
        }
        if let Some(fewest) = agreeing.iter().map(|(_, score)| score.unverified).min() {
            agreeing.retain(|(_, score)| score.unverified == fewest);
        }
        // Agreement bought by waiving is weaker than agreement in certain
        // details: a state that agrees only by waiving more differences
        // than another state has in all is no candidate (docs/contract.md,
        // "Evidence"); it is listed among the closest instead.
        let fewest_in_all = others
            .iter()
            .map(|(_, score): &(Vec<RevisionIndex>, Score)| score.certain + score.unverified)
            .min();
        if let Some(fewest_in_all) = fewest_in_all
            && agreeing
                .first()
                .is_some_and(|(_, score)| score.unverified > fewest_in_all)
        {
            others.append(&mut agreeing);
        }
        agreeing.sort_by_key(|(heads, _)| self.applied_count(heads));
        others.sort_by_key(|(heads, score)| {
            (
                score.certain + score.unverified,
                score.certain,
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
            exhaustive: reachable.exhaustive,
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

/// How many states the matching may weigh: enough for two long-lived
/// branches of a few hundred revisions side by side; past it the search is
/// cut and proves nothing (`Reachable::exhaustive`).
pub(crate) const MAX_STATES: usize = 100_000;

/// The states a real alembic can leave, as far as they were listed.
pub(crate) struct Reachable {
    pub states: Vec<Vec<RevisionIndex>>,
    /// Every reachable state is listed.
    pub exhaustive: bool,
}
