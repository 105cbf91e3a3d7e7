//! The version rows, read defensively: NULL, blank, padded, too long,
//! duplicated, unknown (with the nearest known ids), or naming a revision
//! and its descendant side by side — each its own finding code.

use std::collections::BTreeMap;

use migration_doctor_graph::{RevisionGraph, RevisionIndex};

use crate::context::Notes;
use crate::vocabulary::{FindingCode, Severity};

/// The version rows as read.
pub(crate) struct Rows {
    pub known: Vec<RevisionIndex>,
    pub corrupt: bool,
    pub unknown_ids: bool,
    /// Rows naming a revision and its descendant.
    pub overlapping: bool,
    /// Overlap is the only thing wrong.
    pub only_overlap: bool,
}

/// Reads the version rows: the revisions they name when they are valid, and
/// findings explaining why they are not.
pub(crate) fn read_rows(graph: &RevisionGraph, rows: &[Option<String>], notes: &mut Notes) -> Rows {
    let mut known = Vec::new();
    let mut corrupt = false;
    let mut unknown_ids = false;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        let Some(value) = row else {
            notes.finding(
                Severity::Error,
                FindingCode::NullVersion,
                "the version table holds a NULL version_num".to_owned(),
            );
            corrupt = true;
            continue;
        };
        *seen.entry(value.clone()).or_default() += 1;
        let trimmed = value.trim();
        if trimmed.is_empty() {
            notes.finding(
                Severity::Error,
                FindingCode::BlankVersion,
                "the version table holds an empty version_num".to_owned(),
            );
            corrupt = true;
            continue;
        }
        if trimmed != value {
            notes.finding(
                Severity::Error,
                FindingCode::PaddedVersion,
                format!("version_num {value:?} has surrounding spaces; alembic compares it exactly and will not find {trimmed}"),
            );
            corrupt = true;
        }
        if value.chars().count() > 32 {
            notes.finding(
                Severity::Error,
                FindingCode::VersionTooLong,
                format!(
                    "version_num {value:?} is longer than the 32 characters alembic's table holds"
                ),
            );
            corrupt = true;
        }
        match graph.index_of(trimmed) {
            Some(index) if trimmed == value => {
                if !known.contains(&index) {
                    known.push(index);
                }
            }
            Some(_) => {}
            None => {
                let near = graph.similar_ids(trimmed);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(" (nearest known: {})", near.join(", "))
                };
                notes.finding(
                    Severity::Error,
                    FindingCode::UnknownRevision,
                    format!(
                        "the version table names revision {trimmed}, which no script declares{hint}"
                    ),
                );
                corrupt = true;
                unknown_ids = true;
            }
        }
    }
    for (value, count) in seen {
        if count > 1 {
            notes.finding(
                Severity::Error,
                FindingCode::DuplicateVersion,
                format!("version_num {value} appears {count} times"),
            );
            corrupt = true;
        }
    }
    let corrupt_before_overlap = corrupt;
    let mut overlapping = false;
    for &a in &known {
        for &b in &known {
            if a != b && graph.ancestors(b, true)[a] {
                overlapping = true;
                notes.finding(
                    Severity::Error,
                    FindingCode::OverlappingHeads,
                    format!(
                        "the version table names both {} and its descendant {}; alembic keeps only heads, so the rows will be repaired to the descendants",
                        graph.revision(a).id(),
                        graph.revision(b).id()
                    ),
                );
                corrupt = true;
            }
        }
    }
    Rows {
        known,
        corrupt,
        unknown_ids,
        overlapping,
        only_overlap: !corrupt_before_overlap,
    }
}

impl Rows {
    /// Of the known rows, those no other row descends from: the heads
    /// alembic itself would keep.
    pub fn descendants(&self, graph: &RevisionGraph) -> Vec<RevisionIndex> {
        self.known
            .iter()
            .copied()
            .filter(|&a| {
                !self
                    .known
                    .iter()
                    .any(|&b| a != b && graph.ancestors(b, true)[a])
            })
            .collect()
    }

    /// Nothing is wrong but rows naming an ancestor beside its descendant.
    pub fn only_overlapping(&self) -> bool {
        self.overlapping && !self.unknown_ids && self.only_overlap
    }
}
