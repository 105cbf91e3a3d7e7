//! A revision state as alembic's version table holds it: the set of heads
//! applied (empty at base, several where branches stand side by side).

use crate::graph::{RevisionGraph, RevisionIndex};

/// The heads of one revision state, by id, in history order. Empty is the
/// base (nothing applied).
///
/// `Display` renders it for messages in words: `base`, the id alone, or the
/// ids in braces (`{a1, b2}`); front ends render it in their own notation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RevisionSet {
    ids: Vec<String>,
}

impl RevisionSet {
    /// The state before any revision.
    pub fn base() -> RevisionSet {
        RevisionSet::default()
    }

    /// The state whose heads are `heads`, ordered as the graph's history.
    pub fn of(graph: &RevisionGraph, heads: &[RevisionIndex]) -> RevisionSet {
        let mut sorted = heads.to_vec();
        sorted.sort_by_key(|&index| graph.position(index));
        sorted.dedup();
        RevisionSet {
            ids: sorted
                .iter()
                .map(|&index| graph.revision(index).id().to_owned())
                .collect(),
        }
    }

    /// A state from ids already in the order to keep (a single revision,
    /// or heads as a caller named them).
    pub fn from_ids(ids: Vec<String>) -> RevisionSet {
        RevisionSet { ids }
    }

    /// The heads' ids, in history order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    pub fn into_ids(self) -> Vec<String> {
        self.ids
    }

    pub fn is_base(&self) -> bool {
        self.ids.is_empty()
    }

    /// Several heads side by side.
    pub fn is_several(&self) -> bool {
        self.ids.len() > 1
    }

    /// The ids joined by `separator`, or `base`: for a front end's notation.
    pub fn join(&self, separator: &str) -> String {
        if self.ids.is_empty() {
            "base".to_owned()
        } else {
            self.ids.join(separator)
        }
    }
}

impl std::fmt::Display for RevisionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ids.as_slice() {
            [] => f.write_str("base"),
            [one] => f.write_str(one),
            many => write!(f, "{{{}}}", many.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_words() {
        assert_eq!(RevisionSet::base().to_string(), "base");
        assert_eq!(RevisionSet::from_ids(vec!["a1".into()]).to_string(), "a1");
        let two = RevisionSet::from_ids(vec!["a1".into(), "b2".into()]);
        assert_eq!(two.to_string(), "{a1, b2}");
        assert_eq!(two.join("+"), "a1+b2");
        assert!(two.is_several());
    }
}
