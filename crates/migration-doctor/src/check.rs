//! `check`: what keeps a project recoverable, found without a database —
//! models that drifted from the migrations, revisions whose state no
//! schema can prove, and a graph that would fail a deploy.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use migration_doctor_diagnosis::{Comparer, Comparison};
use migration_doctor_graph::RevisionIndex;
use migration_doctor_infer::{ExpectedSchemas, ExpectedState, Operation};
use migration_doctor_schema::{Dialect, Schema};

use crate::Project;

/// What a finding is about; the names are stable (configuration and JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckCode {
    /// The revision files or their graph would fail a deploy.
    InvalidScripts,
    /// More than one head: `alembic upgrade head` refuses.
    SeveralHeads,
    /// The models and the migrations' heads differ.
    ModelsDiffer,
    /// The models could not be read.
    ModelsUnreadable,
    /// An operation the tool cannot follow: the revision's state can be
    /// confirmed only by a person.
    CannotFollow,
    /// A data step no read-only query can check.
    UncheckableDataStep,
    /// MySQL and MariaDB commit each DDL statement on its own.
    NotTransactional,
    /// Schema changes no comparison sees: the revision ties with its parent.
    InvisibleChange,
}

impl CheckCode {
    pub const ALL: [CheckCode; 8] = [
        CheckCode::InvalidScripts,
        CheckCode::SeveralHeads,
        CheckCode::ModelsDiffer,
        CheckCode::ModelsUnreadable,
        CheckCode::CannotFollow,
        CheckCode::UncheckableDataStep,
        CheckCode::NotTransactional,
        CheckCode::InvisibleChange,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CheckCode::InvalidScripts => "invalid_scripts",
            CheckCode::SeveralHeads => "several_heads",
            CheckCode::ModelsDiffer => "models_differ",
            CheckCode::ModelsUnreadable => "models_unreadable",
            CheckCode::CannotFollow => "cannot_follow",
            CheckCode::UncheckableDataStep => "uncheckable_data_step",
            CheckCode::NotTransactional => "not_transactional",
            CheckCode::InvisibleChange => "invisible_change",
        }
    }

    pub fn parse(name: &str) -> Option<CheckCode> {
        CheckCode::ALL
            .into_iter()
            .find(|code| code.name() == name.trim())
    }

    /// Informational unless configured otherwise.
    fn is_note_by_default(self) -> bool {
        matches!(
            self,
            CheckCode::NotTransactional | CheckCode::ModelsUnreadable | CheckCode::InvisibleChange
        )
    }
}

/// Whether a finding fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckLevel {
    Error,
    Note,
}

/// One finding, with the file and line it is about where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFinding {
    pub code: CheckCode,
    pub level: CheckLevel,
    pub path: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
}

/// What to check and how findings count.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The dialects the expected schema is derived for.
    pub dialects: Vec<Dialect>,
    /// The models as `module:attribute`; `None`: the `target_metadata` of
    /// `env.py`, when it names one.
    pub models: Option<String>,
    /// Codes reported as notes (they never fail the check).
    pub notes: BTreeSet<CheckCode>,
    /// Codes that fail the check even where they are notes by default.
    pub errors: BTreeSet<CheckCode>,
}

/// What `check` found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub findings: Vec<CheckFinding>,
    /// Revisions in the history.
    pub revisions: usize,
    /// Revisions whose state the schema alone can prove: every operation
    /// followed, no data step that only a person could check, and schema
    /// changes the comparison sees.
    pub provable: usize,
    /// The models compared, as `module:attribute`.
    pub models: Option<String>,
}

impl CheckReport {
    pub fn fails(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.level == CheckLevel::Error)
    }
}

impl Project {
    /// Checks the project without a database.
    pub fn check(&self, options: &CheckOptions) -> CheckReport {
        let mut report = CheckReport::default();
        let script_location = self.config.script_location.clone();
        let absolute = move |path: PathBuf| {
            if path.is_relative() {
                script_location.join(path)
            } else {
                path
            }
        };
        let mut found: Vec<(CheckCode, Option<PathBuf>, Option<usize>, String)> = Vec::new();
        let mut add = |code, path, line, message| found.push((code, path, line, message));
        for problem in &self.script_problems {
            if problem.severity() == migration_doctor_scripts::Severity::Error {
                add(
                    CheckCode::InvalidScripts,
                    Some(problem.path.clone()),
                    problem.position.map(|(line, _)| line),
                    problem.to_string(),
                );
            }
        }
        for problem in self.graph.problems() {
            add(
                CheckCode::InvalidScripts,
                problem.path().map(Path::to_path_buf),
                None,
                problem.to_string(),
            );
        }
        let heads = self.graph.heads();
        if heads.len() > 1 && !self.heads_on_labelled_branches(&heads) {
            let ids: Vec<&str> = heads
                .iter()
                .map(|&head| self.graph.revision(head).id())
                .collect();
            add(
                CheckCode::SeveralHeads,
                heads
                    .first()
                    .map(|&head| self.graph.revision(head).file.path.clone()),
                None,
                format!(
                    "{} heads ({}): `alembic upgrade head` refuses to choose; join them with \
                     `alembic merge heads -m \"merge heads\"`",
                    ids.len(),
                    ids.join(", ")
                ),
            );
        }
        let dialects = if options.dialects.is_empty() {
            vec![Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite]
        } else {
            options.dialects.clone()
        };
        report.models = options.models.clone().or_else(|| self.env_models());
        report.revisions = self.graph.topological().len();
        let mut provable: BTreeSet<RevisionIndex> =
            self.graph.topological().iter().copied().collect();
        for (at, &dialect) in dialects.iter().enumerate() {
            let expected = self.expected_schemas(dialect);
            // Revision findings are the same on every dialect but for what
            // depends on it: each once, with the dialect named where it
            // matters.
            for &index in self.graph.topological() {
                let path = self.graph.revision(index).file.path.clone();
                let Some(outcome) = expected.outcome(index) else {
                    continue;
                };
                if at == 0 && self.changes_nothing_visible(&expected, index) {
                    provable.remove(&index);
                    add(
                        CheckCode::InvisibleChange,
                        Some(path.clone()),
                        None,
                        "its changes are ones no schema comparison sees (a server default, a \
                         comment, a sequence, a constraint made and dropped): a database left at \
                         this revision ties with the one before it, and only a person can tell \
                         them apart"
                            .to_owned(),
                    );
                }
                for unknown in outcome
                    .unknown
                    .iter()
                    .filter(|unknown| !unknown.touches_no_table)
                {
                    provable.remove(&index);
                    if at == 0 {
                        add(
                            CheckCode::CannotFollow,
                            Some(path.clone()),
                            Some(unknown.line),
                            format!(
                                "`{}`: {}; a database left at this revision can be confirmed \
                                 only by a person. Write it with literal names (op.* calls or \
                                 SQL text) so that its effect can be read",
                                unknown.text, unknown.reason
                            ),
                        );
                    }
                }
                for operation in &outcome.operations {
                    if let Operation::Data(step) = &operation.operation
                        && step.probe.is_none()
                        && !step.sql.as_deref().is_some_and(only_reads)
                    {
                        provable.remove(&index);
                        if at == 0 {
                            add(
                                CheckCode::UncheckableDataStep,
                                Some(path.clone()),
                                Some(operation.line),
                                "a data step no read-only query can check (built at run time, \
                                 from Python, or referring to its own table): whether it ran \
                                 can be confirmed only by a person. Plain SQL in op.execute \
                                 (`UPDATE t SET c = 'v' WHERE ...`) can be checked"
                                    .to_owned(),
                            );
                        }
                    }
                }
                let ddl = ddl_statements(&outcome.operations);
                // Only for MySQL chosen (by --dialect or the URL): all three
                // by default would note this on projects that never see it.
                if dialect == Dialect::Mysql && !options.dialects.is_empty() && ddl > 1 {
                    add(
                        CheckCode::NotTransactional,
                        Some(path.clone()),
                        None,
                        format!(
                            "{ddl} DDL statements: MySQL and MariaDB commit each on its own, so \
                             a failure half-applies the revision (one schema change per \
                             revision avoids it)"
                        ),
                    );
                }
            }
            if let Some(models) = &report.models {
                self.compare_models(models, dialect, &expected, &heads, &mut add);
            }
        }
        report.provable = provable.len();
        let mut seen = BTreeSet::new();
        for (code, path, line, message) in found {
            if !seen.insert((code, path.clone(), line, message.clone())) {
                continue;
            }
            let path = path.map(&absolute);
            let note = options.notes.contains(&code)
                || (code.is_note_by_default() && !options.errors.contains(&code));
            report.findings.push(CheckFinding {
                code,
                level: if note {
                    CheckLevel::Note
                } else {
                    CheckLevel::Error
                },
                path,
                line,
                message,
            });
        }
        report
    }

    /// Heads that each end a branch of their own label (an expand/contract
    /// history): deployed with `alembic upgrade heads`, on purpose.
    fn heads_on_labelled_branches(&self, heads: &[RevisionIndex]) -> bool {
        let labels_of = |head: RevisionIndex| -> BTreeSet<&str> {
            let ancestors = self.graph.ancestors(head, false);
            self.graph
                .labels()
                .filter(|(_, declared)| ancestors.get(*declared).copied().unwrap_or(false))
                .map(|(label, _)| label)
                .collect()
        };
        let sets: Vec<BTreeSet<&str>> = heads.iter().map(|&head| labels_of(head)).collect();
        sets.iter().enumerate().all(|(at, set)| {
            !set.is_empty()
                && sets
                    .iter()
                    .enumerate()
                    .all(|(other, other_set)| other == at || other_set != set)
        })
    }

    /// A revision with one parent (or none) whose operations change the
    /// schema, yet whose expected state agrees with its parent's in every
    /// detail the comparison sees.
    fn changes_nothing_visible(&self, expected: &ExpectedSchemas, index: RevisionIndex) -> bool {
        let revision = self.graph.revision(index);
        if revision.parents().len() > 1 || !revision.dependencies().is_empty() {
            return false;
        }
        let changes = expected
            .operations(index)
            .iter()
            .any(|at| at.operation.changes_schema());
        let (Some(after), true) = (expected.state(index), changes) else {
            return false;
        };
        let before = match revision.parents().first() {
            Some(&parent) => match expected.state(parent) {
                Some(state) => state.clone(),
                None => return false,
            },
            None => expected.base().clone(),
        };
        let skip = |_: &str| false;
        let comparison = Comparer::new(&after.schema, &skip).compare(&before);
        comparison.agrees() && comparison.unverified.is_empty()
    }

    /// The models `env.py` hands alembic, as `module:attribute`.
    fn env_models(&self) -> Option<String> {
        let env = self.config.script_location.join("env.py");
        let source = std::fs::read_to_string(env).ok()?;
        migration_doctor_infer::target_metadata_path(&source, &self.modules)
    }

    fn compare_models(
        &self,
        models: &str,
        dialect: Dialect,
        expected: &ExpectedSchemas,
        heads: &[RevisionIndex],
        add: &mut impl FnMut(CheckCode, Option<PathBuf>, Option<usize>, String),
    ) {
        let mut schema = Schema::default();
        if let Err(error) = migration_doctor_infer::run_baseline(
            models,
            dialect,
            &mut schema,
            &self.modules,
            &self.setup.naming,
        ) {
            add(
                CheckCode::ModelsUnreadable,
                None,
                None,
                format!(
                    "the models {models} cannot be read ({error}): name them with \
                     `models = package.module:Base.metadata` in the [migration_doctor] section"
                ),
            );
            return;
        }
        let state: ExpectedState = expected.state_after_heads(&self.graph, heads);
        let skip = |_: &str| false;
        let comparison: Comparison = Comparer::new(&schema, &skip).compare(&state);
        let head_file = heads
            .first()
            .map(|&head| self.graph.revision(head).file.path.clone());
        for difference in model_differences(&comparison) {
            add(
                CheckCode::ModelsDiffer,
                head_file.clone(),
                None,
                format!(
                    "on {dialect}, the models and the migrations' heads differ: {difference}; \
                     a database built from the models matches no revision: write the \
                     migration (`alembic revision --autogenerate`) or change the models"
                ),
            );
        }
    }
}

/// The differences of the models (the live side of `comparison`) from the
/// heads (its expected side), in words about both.
fn model_differences(comparison: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for table in &comparison.missing_tables {
        out.push(format!("table {table} is in the migrations only"));
    }
    for table in &comparison.unexpected_tables {
        out.push(format!("table {table} is in the models only"));
    }
    for table in &comparison.tables {
        for column in &table.missing_columns {
            out.push(format!(
                "column {}.{column} is in the migrations only",
                table.table
            ));
        }
        for column in &table.unexpected_columns {
            out.push(format!(
                "column {}.{column} is in the models only",
                table.table
            ));
        }
        for detail in &table.details {
            let detail = detail
                .replace("expected, not found", "in the migrations only")
                .replace("found, not expected", "in the models only")
                .replace("expected ", "the migrations give ")
                .replace(", found ", ", the models ");
            out.push(format!("{}: {detail}", table.table));
        }
    }
    out
}

/// How many DDL statements `operations` run: the keys and constraints a
/// `create_table` declares are part of its one `CREATE TABLE`.
fn ddl_statements(operations: &[migration_doctor_infer::OperationAt]) -> usize {
    let created: BTreeSet<(usize, &str)> = operations
        .iter()
        .filter_map(|at| match &at.operation {
            Operation::CreateTable { table, .. } => Some((at.line, table.as_str())),
            _ => None,
        })
        .collect();
    operations
        .iter()
        .filter(|at| at.operation.changes_schema())
        .filter(|at| match &at.operation {
            Operation::AddForeignKey { table, .. }
            | Operation::AddUniqueConstraint { table, .. }
            | Operation::CreatePrimaryKey { table, .. }
            | Operation::NameConstraint { table, .. } => {
                !created.contains(&(at.line, table.as_str()))
            }
            _ => true,
        })
        .count()
}

/// A statement that reads and changes nothing (`SELECT …`).
fn only_reads(sql: &str) -> bool {
    let lowered = sql.trim_start().to_ascii_lowercase();
    ["select", "show", "explain"]
        .iter()
        .any(|verb| lowered.starts_with(verb))
}
