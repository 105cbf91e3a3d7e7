//! A builder for the analysis input, for unit tests that need no database
//! and no Python: a history from a few revisions whose `upgrade()` bodies
//! are a line or two of alembic, a live schema taken from a revision state
//! and then changed by hand, version rows, and answers to probes.

use std::path::PathBuf;

use migration_doctor_graph::{RevisionGraph, RevisionIndex};
use migration_doctor_infer::{ExpectedSchemas, ModuleCache, NamingConvention, ProjectSetup};
use migration_doctor_schema::{
    Column, Dialect, Index, LiveDatabase, ReferentialAction, Schema, Table, TypeFamily,
    VersionTable, VersionTableContents,
};
use migration_doctor_scripts::RevisionFile;

use crate::{
    AnalysisInput, AnalysisOptions, Diagnosis, ObjectPatterns, ProbeAnswer, ProbeRequest,
    ProbeResult, TablePatterns, TiePolicy, analyze,
};

/// A revision history, and the expected schemas of one dialect.
pub struct History {
    pub graph: RevisionGraph,
    pub expected: ExpectedSchemas,
}

/// One revision: its id, its parents, and the body of its `upgrade()`.
pub struct Rev {
    id: &'static str,
    parents: Vec<&'static str>,
    depends_on: Vec<&'static str>,
    body: String,
}

/// A revision after `parents` (none for a base) whose `upgrade()` runs `body`
/// (statements one per line, without indentation; empty: `pass`).
pub fn rev(id: &'static str, parents: &[&'static str], body: &str) -> Rev {
    Rev {
        id,
        parents: parents.to_vec(),
        depends_on: Vec::new(),
        body: body.to_owned(),
    }
}

/// Each revision after the one before it.
pub fn linear(revisions: &[(&'static str, &str)]) -> Vec<Rev> {
    let mut previous: Option<&'static str> = None;
    revisions
        .iter()
        .map(|(id, body)| {
            let parents: Vec<&'static str> = previous.into_iter().collect();
            previous = Some(id);
            rev(id, &parents, body)
        })
        .collect()
}

impl History {
    pub fn new(revisions: Vec<Rev>, dialect: Dialect) -> History {
        History::with_naming(revisions, dialect, NamingConvention::default())
    }

    /// A history whose project's naming convention is `naming`.
    pub fn with_naming(revisions: Vec<Rev>, dialect: Dialect, naming: NamingConvention) -> History {
        let files: Vec<RevisionFile> = revisions
            .into_iter()
            .map(|revision| {
                let body: String = if revision.body.trim().is_empty() {
                    "    pass\n".to_owned()
                } else {
                    revision
                        .body
                        .lines()
                        .map(|line| format!("    {line}\n"))
                        .collect()
                };
                let source = format!(
                    "from alembic import op\nimport sqlalchemy as sa\n\nrevision = {:?}\n\ndef upgrade():\n{body}",
                    revision.id
                );
                RevisionFile {
                    revision: revision.id.to_owned(),
                    down_revisions: revision.parents.iter().map(|p| (*p).to_owned()).collect(),
                    branch_labels: Vec::new(),
                    depends_on: revision.depends_on.iter().map(|d| (*d).to_owned()).collect(),
                    path: PathBuf::from(format!("versions/{}.py", revision.id)),
                    message: String::new(),
                    line: 4,
                    source,
                }
            })
            .collect();
        let graph = RevisionGraph::build(files);
        let setup = ProjectSetup {
            naming: std::sync::Arc::new(naming),
            ..ProjectSetup::default()
        };
        let expected = ExpectedSchemas::compute_from(&graph, dialect, &ModuleCache::none(), &setup);
        History { graph, expected }
    }

    pub fn index(&self, id: &str) -> RevisionIndex {
        self.graph
            .index_of(id)
            .unwrap_or_else(|| panic!("no revision {id} in the test history"))
    }

    /// A database of this history's dialect, its schema as the state
    /// `heads` expects (empty for base), and no version table yet.
    pub fn database_at(&self, heads: &[&str]) -> Db<'_> {
        let indexes: Vec<RevisionIndex> = heads.iter().map(|id| self.index(id)).collect();
        let schema = match indexes.as_slice() {
            [] => Schema::default(),
            [one] => self.expected.after(*one).cloned().unwrap_or_default(),
            many => self.expected.after_heads(&self.graph, many),
        };
        Db {
            history: self,
            live: LiveDatabase {
                dialect: self.expected.dialect,
                server_version: String::new(),
                schema_name: "main".to_owned(),
                schema,
                version_table: VersionTable::Absent {
                    name: "alembic_version".to_owned(),
                    schema: None,
                },
            },
            options: AnalysisOptions::default(),
            script_errors: Vec::new(),
            answer: None,
        }
    }

    /// An empty database.
    pub fn empty_database(&self) -> Db<'_> {
        self.database_at(&[])
    }
}

/// How the test answers the probes an analysis asks for.
type Answer = Box<dyn Fn(&ProbeRequest) -> ProbeAnswer>;

/// A database as found, with the options of the analysis.
pub struct Db<'h> {
    history: &'h History,
    pub live: LiveDatabase,
    options: AnalysisOptions,
    script_errors: Vec<String>,
    answer: Option<Answer>,
}

impl Db<'_> {
    /// The version table holding these rows (each `Some(id)`).
    pub fn rows(self, rows: &[&str]) -> Self {
        self.raw_rows(rows.iter().map(|row| Some((*row).to_owned())).collect())
    }

    /// The version table holding these rows exactly (`None` is NULL).
    pub fn raw_rows(mut self, rows: Vec<Option<String>>) -> Self {
        self.live.version_table = VersionTable::Present(VersionTableContents {
            name: "alembic_version".to_owned(),
            schema: None,
            columns: vec![column(
                "version_num",
                TypeFamily::String { length: Some(32) },
                false,
            )],
            primary_key: vec!["version_num".to_owned()],
            rows,
        });
        self
    }

    /// A version table without a `version_num` column.
    pub fn misshapen_version_table(mut self) -> Self {
        self.live.version_table = VersionTable::Present(VersionTableContents {
            name: "alembic_version".to_owned(),
            schema: None,
            columns: vec![column("id", TypeFamily::Integer, false)],
            primary_key: Vec::new(),
            rows: Vec::new(),
        });
        self
    }

    /// A table no revision made, with one integer column.
    pub fn with_table(mut self, name: &str, columns: &[&str]) -> Self {
        let table = Table {
            columns: columns
                .iter()
                .map(|name| column(name, TypeFamily::Integer, true))
                .collect(),
            ..Table::default()
        };
        self.live.schema.insert_table(name.to_owned(), table);
        self
    }

    pub fn without_column(mut self, table: &str, name: &str) -> Self {
        let found = self.table(table);
        let before = found.columns.len();
        found.columns.retain(|column| column.name != name);
        assert!(found.columns.len() < before, "no column {table}.{name}");
        self
    }

    pub fn with_column(mut self, table: &str, name: &str, family: TypeFamily) -> Self {
        self.table(table).columns.push(column(name, family, true));
        self
    }

    pub fn without_index(mut self, table: &str, name: &str) -> Self {
        let found = self.table(table);
        let before = found.indexes.len();
        found
            .indexes
            .retain(|index| index.name.as_deref() != Some(name));
        assert!(found.indexes.len() < before, "no index {name} on {table}");
        self
    }

    pub fn with_index(mut self, table: &str, name: &str, columns: &[&str]) -> Self {
        self.table(table).indexes.push(Index {
            name: Some(name.to_owned()),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            unique: false,
        });
        self
    }

    /// The index's key parts as the server spells them.
    pub fn with_index_spelled(mut self, table: &str, name: &str, columns: &[&str]) -> Self {
        let found = self.table(table);
        let index = found
            .indexes
            .iter_mut()
            .find(|index| index.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no index {name} on {table}"));
        index.columns = columns.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Every foreign key of `table` with this `ON DELETE`.
    pub fn with_on_delete(mut self, table: &str, action: ReferentialAction) -> Self {
        for key in &mut self.table(table).foreign_keys {
            key.on_delete = action;
        }
        self
    }

    pub fn ignoring(mut self, patterns: &[&str]) -> Self {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        self.options.ignore_tables = TablePatterns::new(&patterns).expect("valid test patterns");
        self
    }

    pub fn ignoring_objects(mut self, patterns: &[&str]) -> Self {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        self.options.ignore_objects = ObjectPatterns::new(&patterns).expect("valid test patterns");
        self
    }

    pub fn on_tie(mut self, policy: TiePolicy) -> Self {
        self.options.tie_policy = Some(policy);
        self
    }

    pub fn script_error(mut self, error: &str) -> Self {
        self.script_errors.push(error.to_owned());
        self
    }

    /// Answers every probe the analysis asks for with `answer`.
    pub fn probes_answer(
        mut self,
        answer: impl Fn(&ProbeRequest) -> ProbeAnswer + 'static,
    ) -> Self {
        self.answer = Some(Box::new(answer));
        self
    }

    fn table(&mut self, name: &str) -> &mut Table {
        self.live
            .schema
            .table_mut(name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }

    /// The diagnosis, as a front end gets it: analysed, and when probes
    /// were asked for and the test answers them, analysed again with the
    /// answers.
    pub fn diagnose(&self) -> Diagnosis {
        let first = self.analyze(&[]);
        let Some(answer) = &self.answer else {
            return first;
        };
        if first.probe_requests.is_empty() {
            return first;
        }
        let results: Vec<ProbeResult> = first
            .probe_requests
            .iter()
            .map(|request| ProbeResult {
                request: request.clone(),
                answer: answer(request),
            })
            .collect();
        self.analyze(&results)
    }

    fn analyze(&self, probes: &[ProbeResult]) -> Diagnosis {
        analyze(AnalysisInput {
            graph: &self.history.graph,
            script_errors: &self.script_errors,
            expected: Some(&self.history.expected),
            live: &self.live,
            options: &self.options,
            probes,
        })
    }
}

fn column(name: &str, family: TypeFamily, nullable: bool) -> Column {
    Column {
        name: name.to_owned(),
        type_family: family,
        native_type: String::new(),
        nullable,
        default: None,
    }
}
