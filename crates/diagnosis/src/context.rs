//! What every room of the analysis reads: the input, the comparer over the
//! live schema, and the revision states it asks about. Read-only; what a
//! room finds, it returns (findings and probes go to the [`Notes`] its
//! caller hands it).

use std::collections::BTreeSet;

use migration_doctor_graph::{RevisionGraph, RevisionIndex, RevisionSet};
use migration_doctor_infer::{ExpectedSchemas, ExpectedState};
use migration_doctor_schema::{LiveDatabase, VersionTable};

use crate::compare::{Comparer, Comparison, ObjectRules, Score};
use crate::diagnosis::{AnalysisInput, ProbeAnswer, ProbeReport, ProbeRequest};
use crate::vocabulary::{Finding, FindingCode, Hint, Severity};

pub(crate) struct Context<'a> {
    pub input: &'a AnalysisInput<'a>,
    pub comparer: &'a Comparer<'a>,
}

impl Context<'_> {
    pub fn graph(&self) -> &RevisionGraph {
        self.input.graph
    }

    pub fn live(&self) -> &LiveDatabase {
        self.input.live
    }

    pub fn expected(&self) -> Option<&ExpectedSchemas> {
        self.input.expected
    }

    /// Revision ids, in history order.
    pub fn ids(&self, indexes: &[RevisionIndex]) -> Vec<String> {
        RevisionSet::of(self.input.graph, indexes).into_ids()
    }

    /// A state as a set of heads.
    pub fn set(&self, heads: &[RevisionIndex]) -> RevisionSet {
        RevisionSet::of(self.input.graph, heads)
    }

    /// The caller's answer to `request`, when it ran it.
    pub fn probe_answer(&self, request: &ProbeRequest) -> Option<ProbeAnswer> {
        self.input
            .probes
            .iter()
            .find(|result| result.request == *request)
            .map(|result| result.answer.clone())
    }

    /// Which objects of the compared tables are left out.
    pub fn rules(&self) -> ObjectRules<'_> {
        ObjectRules {
            managed: self.input.expected,
            ignore: Some(&self.input.options.ignore_objects),
            server_names_key_indexes: migration_doctor_infer::dialect::makes_foreign_key_indexes(
                self.input.live.dialect,
            ),
        }
    }

    pub fn ignored(&self, table: &str) -> bool {
        self.input.options.ignore_tables.matches(table)
    }

    /// The live tables the user did not ask to ignore.
    pub fn user_tables(&self) -> Vec<String> {
        self.input
            .live
            .schema
            .tables
            .keys()
            .filter(|name| !self.ignored(name))
            .cloned()
            .collect()
    }

    pub fn state_of(&self, heads: &[RevisionIndex]) -> ExpectedState {
        match (self.input.expected, heads) {
            (Some(expected), []) => expected.base().clone(),
            (None, _) => ExpectedState::default(),
            (Some(expected), [one]) => expected.state(*one).cloned().unwrap_or_default(),
            (Some(expected), many) => expected.state_after_heads(self.input.graph, many),
        }
    }

    /// The state's differences, counted; a single revision's state is
    /// scored where it is kept, without a copy.
    pub fn score_of(&self, heads: &[RevisionIndex]) -> Score {
        match (self.input.expected, heads) {
            (Some(expected), [one]) => {
                self.comparer
                    .score_revision(expected, self.input.graph, *one)
            }
            (Some(expected), []) => self.comparer.score(expected.base()),
            _ => self.comparer.score(&self.state_of(heads)),
        }
    }

    pub fn compare_with(&self, heads: &[RevisionIndex]) -> Comparison {
        self.comparer.compare(&self.state_of(heads))
    }

    /// Every revision a state applies.
    pub fn applied_set(&self, heads: &[RevisionIndex]) -> Vec<bool> {
        applied_set(self.input.graph, heads)
    }

    pub fn applied_count(&self, heads: &[RevisionIndex]) -> usize {
        self.applied_set(heads).into_iter().filter(|m| *m).count()
    }

    /// The revisions `heads` leaves to apply, in history order.
    pub fn pending_after(&self, heads: &[RevisionIndex]) -> Vec<String> {
        let graph = self.input.graph;
        let applied = self.applied_set(heads);
        graph
            .topological()
            .iter()
            .filter(|index| !applied[**index])
            .map(|&index| graph.revision(index).id().to_owned())
            .collect()
    }

    pub fn version_table_name(&self) -> String {
        match &self.input.live.version_table {
            VersionTable::Absent { name, .. } => name.clone(),
            VersionTable::Present(contents) => contents.name.clone(),
        }
    }
}

/// Every revision the state `heads` applies, as a mask over the graph.
pub(crate) fn applied_set(graph: &RevisionGraph, heads: &[RevisionIndex]) -> Vec<bool> {
    let mut members = vec![false; graph.len()];
    for &head in heads {
        for (at, member) in graph.ancestors(head, true).into_iter().enumerate() {
            members[at] |= member;
        }
    }
    members
}

/// What the rooms of an analysis report on the way: findings, the probes
/// they want answered, and the probes whose answers they used.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    pub findings: Vec<Finding>,
    pub probe_requests: BTreeSet<ProbeRequest>,
    pub probe_reports: Vec<ProbeReport>,
}

impl Notes {
    pub fn finding(&mut self, severity: Severity, code: FindingCode, message: String) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            hint: None,
        });
    }

    pub fn hinted(&mut self, severity: Severity, code: FindingCode, message: String, hint: Hint) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            hint: Some(hint),
        });
    }

    /// Records a probe's answer once per revision and query.
    pub fn report_probe(&mut self, report: ProbeReport) {
        if !self
            .probe_reports
            .iter()
            .any(|known| known.revision == report.revision && known.sql == report.sql)
        {
            self.probe_reports.push(report);
        }
    }
}

/// Names for a message: all of them, or the first twenty and how many more.
pub(crate) fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// A list of states for a message.
pub(crate) fn set_list(sets: &[RevisionSet]) -> String {
    sets.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
