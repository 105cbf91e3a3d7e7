//! Revision identifiers resolved as alembic resolves them (checked against
//! alembic 1.20, `RevisionMap.get_revisions` and its relative targets):
//!
//! | form | means |
//! |---|---|
//! | `ae1027a6acf` | that revision, or the branch label of that name |
//! | `ae10` | the one revision (or label) whose id starts so; alembic only matches ids longer than three characters |
//! | `head` | the single head (an error when there are several) |
//! | `heads` | every head that nothing depends on |
//! | `base` | before the first revision (resolves to no revision) |
//! | `label@head`, `label@heads`, `label@ae10` | within the lineage of branch `label` |
//! | `ae10+2`, `head-1`, `base+1`, `label@head-1` | steps up or down; `ae10~2` is accepted for `ae10-2` |
//!
//! Forms relative to the database's current revision (`+1`, `-1`) need a
//! database and are refused here.

use std::fmt;

use crate::graph::{RevisionGraph, RevisionIndex};

/// Why an identifier does not name revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolveError {
    Empty,
    Unknown {
        ident: String,
        suggestions: Vec<String>,
    },
    Ambiguous {
        ident: String,
        candidates: Vec<String>,
    },
    MultipleHeads {
        ident: String,
        heads: Vec<String>,
    },
    NoSuchBranch {
        label: String,
    },
    NotInBranch {
        revision: String,
        label: String,
    },
    OutOfRange {
        ident: String,
        available: usize,
    },
    AmbiguousStep {
        ident: String,
        at: String,
        choices: Vec<String>,
    },
    NeedsCurrent {
        ident: String,
    },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Empty => write!(
                f,
                "an empty revision identifier was given; name a revision, `head` or `base`"
            ),
            ResolveError::Unknown { ident, suggestions } => {
                write!(
                    f,
                    "no revision or branch label `{ident}` in the script directory"
                )?;
                if !suggestions.is_empty() {
                    write!(f, " (did you mean {}?)", suggestions.join(" or "))?;
                }
                if ident.len() < 4 {
                    write!(f, "; partial identifiers need at least four characters")?;
                }
                write!(f, "; run `migration-doctor graph` to list the revisions")
            }
            ResolveError::Ambiguous { ident, candidates } => write!(
                f,
                "`{ident}` is ambiguous: it is the start of {}; give more characters of the id",
                candidates.join(", ")
            ),
            ResolveError::MultipleHeads { ident, heads } => write!(
                f,
                "`{ident}` is ambiguous because the history has several heads ({}); name one \
                 of them, use `heads`, or `label@head` for a labelled branch",
                heads.join(", ")
            ),
            ResolveError::NoSuchBranch { label } => write!(
                f,
                "no branch label or revision `{label}`; run `migration-doctor graph` to see the labels"
            ),
            ResolveError::NotInBranch { revision, label } => {
                write!(f, "revision {revision} is not a member of branch `{label}`")
            }
            ResolveError::OutOfRange { ident, available } => write!(
                f,
                "`{ident}` walks past the end of the history (only {available} step(s) are possible)"
            ),
            ResolveError::AmbiguousStep { ident, at, choices } => write!(
                f,
                "`{ident}` cannot be followed through {at}, which leads to {}; name the \
                 revision you want directly",
                choices.join(" and ")
            ),
            ResolveError::NeedsCurrent { ident } => write!(
                f,
                "`{ident}` is relative to the database's current revision; name a revision, \
                 or write it relative to one (`head-1`, `ae10+2`)"
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

impl RevisionGraph {
    /// The revisions `ident` names; empty for `base`.
    pub fn resolve(&self, ident: &str) -> Result<Vec<RevisionIndex>, ResolveError> {
        let ident = ident.trim();
        if ident.is_empty() {
            return Err(ResolveError::Empty);
        }
        match split_relative(ident) {
            Some((symbol, steps)) => self.resolve_relative(ident, symbol, steps),
            None => self.resolve_absolute(ident),
        }
    }

    /// The revision state `ident` names: what [`RevisionGraph::resolve`]
    /// finds, or several heads side by side written as full ids joined
    /// with `+` (`a1b2+c3d4`; `+` is never part of an id).
    pub fn resolve_state(&self, ident: &str) -> Result<Vec<RevisionIndex>, ResolveError> {
        let ident = ident.trim();
        if ident.contains('+') {
            let parts: Option<Vec<RevisionIndex>> = ident
                .split('+')
                .map(|part| self.index_of(part.trim()))
                .collect();
            if let Some(mut heads) = parts.filter(|heads| heads.len() > 1) {
                heads.sort_by_key(|&head| self.position(head));
                heads.dedup();
                return Ok(heads);
            }
        }
        self.resolve(ident)
    }

    /// Exactly one revision (`None` for `base`), or an error when `ident`
    /// names several.
    pub fn resolve_one(&self, ident: &str) -> Result<Option<RevisionIndex>, ResolveError> {
        let found = self.resolve(ident)?;
        match found.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => Err(ResolveError::MultipleHeads {
                ident: ident.to_owned(),
                heads: self.ids(many),
            }),
        }
    }

    fn ids(&self, indexes: &[RevisionIndex]) -> Vec<String> {
        indexes
            .iter()
            .map(|&index| self.revision(index).id().to_owned())
            .collect()
    }

    fn resolve_absolute(&self, ident: &str) -> Result<Vec<RevisionIndex>, ResolveError> {
        let (label, name) = match ident.split_once('@') {
            Some((label, name)) => (Some(label), name),
            None => (None, ident),
        };
        let lineage = match label {
            Some(label) => Some(self.lineage(self.branch(label)?)),
            None => None,
        };
        let in_lineage =
            |index: &RevisionIndex| lineage.as_ref().is_none_or(|member| member[*index]);
        match name {
            "heads" if lineage.is_none() => Ok(self.real_heads()),
            "heads" => Ok(self.heads().into_iter().filter(in_lineage).collect()),
            "head" => {
                let heads: Vec<_> = self.heads().into_iter().filter(in_lineage).collect();
                if heads.len() > 1 {
                    return Err(ResolveError::MultipleHeads {
                        ident: ident.to_owned(),
                        heads: self.ids(&heads),
                    });
                }
                Ok(heads)
            }
            "base" => Ok(Vec::new()),
            "" => Err(ResolveError::Empty),
            _ => {
                let found = self.revision_for(name, lineage.as_deref())?;
                if let (Some(label), Some(member)) = (label, &lineage)
                    && !member[found]
                {
                    return Err(ResolveError::NotInBranch {
                        revision: self.revision(found).id().to_owned(),
                        label: label.to_owned(),
                    });
                }
                Ok(vec![found])
            }
        }
    }

    /// The revision a branch name stands for: a label, or failing that any
    /// revision identifier (alembic's `_resolve_branch`).
    fn branch(&self, label: &str) -> Result<RevisionIndex, ResolveError> {
        if let Some(index) = self.label(label) {
            return Ok(index);
        }
        self.revision_for(label, None)
            .map_err(|_| ResolveError::NoSuchBranch {
                label: label.to_owned(),
            })
    }

    fn revision_for(
        &self,
        name: &str,
        lineage: Option<&[bool]>,
    ) -> Result<RevisionIndex, ResolveError> {
        if let Some(index) = self.exact(name) {
            return Ok(index);
        }
        let mut matches: Vec<RevisionIndex> = self
            .revisions()
            .iter()
            .enumerate()
            .filter(|(_, revision)| revision.id().len() > 3 && revision.id().starts_with(name))
            .map(|(index, _)| index)
            .chain(
                self.labels()
                    .filter(|(label, _)| label.len() > 3 && label.starts_with(name))
                    .map(|(_, index)| index),
            )
            .filter(|index| lineage.is_none_or(|member| member[*index]))
            .collect();
        matches.sort_unstable();
        matches.dedup();
        match matches.as_slice() {
            [] => Err(ResolveError::Unknown {
                ident: name.to_owned(),
                suggestions: self.similar_ids(name),
            }),
            [one] => Ok(*one),
            many => {
                let mut candidates = self.ids(many);
                candidates.sort();
                Err(ResolveError::Ambiguous {
                    ident: name.to_owned(),
                    candidates,
                })
            }
        }
    }

    fn resolve_relative(
        &self,
        ident: &str,
        symbol: &str,
        steps: i64,
    ) -> Result<Vec<RevisionIndex>, ResolveError> {
        if symbol.is_empty() || symbol.ends_with('@') {
            return Err(ResolveError::NeedsCurrent {
                ident: ident.to_owned(),
            });
        }
        let mut current = match self.resolve_absolute(symbol)?.as_slice() {
            [] => None,
            [one] => Some(*one),
            many => {
                return Err(ResolveError::MultipleHeads {
                    ident: ident.to_owned(),
                    heads: self.ids(many),
                });
            }
        };
        for taken in 0..steps.unsigned_abs() as usize {
            let choices: Vec<RevisionIndex> = match (current, steps > 0) {
                (Some(index), true) => self.revision(index).children().to_vec(),
                (Some(index), false) => self.revision(index).parents().to_vec(),
                (None, true) => self.bases(),
                (None, false) => Vec::new(),
            };
            current = match choices.as_slice() {
                [] if steps < 0 && current.is_some_and(|index| self.revision(index).is_base()) => {
                    None
                }
                [] => {
                    return Err(ResolveError::OutOfRange {
                        ident: ident.to_owned(),
                        available: taken,
                    });
                }
                [one] => Some(*one),
                many => {
                    return Err(ResolveError::AmbiguousStep {
                        ident: ident.to_owned(),
                        at: current.map_or("base".to_owned(), |index| {
                            self.revision(index).id().to_owned()
                        }),
                        choices: self.ids(many),
                    });
                }
            };
        }
        Ok(current.into_iter().collect())
    }

    /// Ancestors and descendants of `index` (alembic's "shares lineage").
    fn lineage(&self, index: RevisionIndex) -> Vec<bool> {
        let mut member = self.ancestors(index, false);
        for (at, below) in self.descendants(index, false).into_iter().enumerate() {
            member[at] |= below;
        }
        member
    }
}

/// Splits `ae10+2` / `head-1` / `ae10~2` into the symbol and signed steps.
fn split_relative(ident: &str) -> Option<(&str, i64)> {
    let at = ident.rfind(['+', '-', '~'])?;
    let digits = &ident[at + 1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let steps: i64 = digits.parse().ok()?;
    let sign = if ident[at..].starts_with('+') { 1 } else { -1 };
    Some((&ident[..at], sign * steps))
}
