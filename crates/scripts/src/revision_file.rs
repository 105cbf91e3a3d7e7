//! One alembic revision file, read statically.
//!
//! alembic (checked: 1.20) imports each file and reads four module
//! attributes: `revision`, `down_revision`, `branch_labels`, `depends_on`.
//! We parse the file with a real Python parser and evaluate the module-level
//! assignments to those names in order, as Python would: plain and annotated
//! assignments, any string spelling, tuples and lists, names bound earlier in
//! the module, and constants imported from the project's own modules. A value that cannot be known without running Python is a
//! problem naming the file and line, never a guess.
//!
//! As in alembic, `down_revision`, `branch_labels` and `depends_on` may be
//! `None`, a string or a sequence of strings; `down_revision` must be
//! present. A file without `revision` takes its id from a legacy
//! hexadecimal file name (`1975ea83b712.py`), as alembic does.

use std::path::{Path, PathBuf};

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::literal::{Imports, PyValue};
use crate::module_scope::module_scope;
use crate::problem::{ProblemKind, ScriptProblem};

/// The revision-defining content of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionFile {
    /// The revision id (`revision = "..."`).
    pub revision: String,
    /// `down_revision`, as declared: empty for a base, several for a merge.
    pub down_revisions: Vec<String>,
    /// `branch_labels` declared in this file (not the ones alembic propagates).
    pub branch_labels: Vec<String>,
    /// `depends_on`, as declared (ids or branch labels).
    pub depends_on: Vec<String>,
    /// The file, relative to the script directory (`versions/ab12_add.py`).
    pub path: PathBuf,
    /// The first paragraph of the module docstring, as `alembic history` shows it.
    pub message: String,
    /// The line of the `revision` assignment (1-based; 0 when the id came
    /// from the file name).
    pub line: usize,
    /// The file's text, for the readers of `upgrade()` that come later.
    pub source: String,
}

/// The four module attributes alembic reads.
const VARIABLES: [&str; 4] = ["revision", "down_revision", "branch_labels", "depends_on"];

/// Reads the revision variables of `source`. Returns the revision when its id
/// and `down_revision` are known, and every problem met on the way; a syntax
/// error is reported even when the variables could still be read.
pub fn read_revision_file(
    path: &Path,
    file_name: &str,
    source: String,
    imports: &dyn Imports,
) -> (Option<RevisionFile>, Vec<ScriptProblem>) {
    let parsed =
        ruff_python_parser::parse_unchecked_source(&source, ruff_python_ast::PySourceType::Python);
    let lines = LineIndex::new(&source);
    let mut problems: Vec<ScriptProblem> = parsed
        .errors()
        .iter()
        .take(1)
        .map(|error| {
            let (line, column) = lines.position(error.location.start());
            ScriptProblem::new(
                path,
                Some((line, column)),
                ProblemKind::Syntax {
                    message: error.error.to_string(),
                },
            )
        })
        .collect();

    let body = &parsed.syntax().body;
    // For each revision variable whose last binding could not be evaluated:
    // its line and text.
    let mut unknown: Vec<(String, usize, String)> = Vec::new();
    let mut revision_line = 0;
    let scope = module_scope(body, imports, |name, statement, value| {
        unknown.retain(|(known, _, _)| known != name);
        let (line, _) = lines.position(statement.start());
        if name == "revision" {
            revision_line = line;
        }
        if value.is_none() && VARIABLES.contains(&name) {
            let text = source[statement.range()].lines().next().unwrap_or("");
            unknown.push((name.to_owned(), line, text.trim().to_owned()));
        }
    });
    for (variable, line, text) in &unknown {
        problems.push(ScriptProblem::new(
            path,
            Some((*line, 1)),
            ProblemKind::NotLiteral {
                variable: variable.clone(),
                text: text.clone(),
            },
        ));
    }
    let is_unknown = |variable: &str| unknown.iter().any(|(name, _, _)| *name == variable);

    let revision = match scope.get("revision") {
        Some(PyValue::Str(id)) => id.clone(),
        Some(_) => {
            problems.push(ScriptProblem::new(
                path,
                Some((revision_line, 1)),
                ProblemKind::WrongType {
                    variable: "revision".to_owned(),
                    expected: "a string",
                },
            ));
            return (None, problems);
        }
        None if is_unknown("revision") => return (None, problems),
        None => match legacy_revision_id(file_name) {
            Some(id) => id,
            None => {
                problems.push(ScriptProblem::new(path, None, ProblemKind::NoRevision));
                return (None, problems);
            }
        },
    };

    let mut string_list = |variable: &str| -> Vec<String> {
        match scope.get(variable) {
            None | Some(PyValue::None) => Vec::new(),
            Some(PyValue::Str(value)) => vec![value.clone()],
            Some(PyValue::Seq(items)) => {
                let strings: Option<Vec<String>> = items
                    .iter()
                    .map(|item| match item {
                        PyValue::Str(value) => Some(value.clone()),
                        _ => None,
                    })
                    .collect();
                strings.unwrap_or_else(|| {
                    problems.push(ScriptProblem::new(
                        path,
                        None,
                        ProblemKind::WrongType {
                            variable: variable.to_owned(),
                            expected: "None, a string, or a tuple or list of strings",
                        },
                    ));
                    Vec::new()
                })
            }
            Some(_) => {
                problems.push(ScriptProblem::new(
                    path,
                    None,
                    ProblemKind::WrongType {
                        variable: variable.to_owned(),
                        expected: "None, a string, or a tuple or list of strings",
                    },
                ));
                Vec::new()
            }
        }
    };
    let down_revisions = string_list("down_revision");
    let branch_labels = string_list("branch_labels");
    let depends_on = string_list("depends_on");
    if !scope.contains_key("down_revision") && !is_unknown("down_revision") {
        problems.push(ScriptProblem::new(
            path,
            None,
            ProblemKind::NoDownRevision {
                revision: revision.clone(),
            },
        ));
    }

    let message = docstring(body).map(first_paragraph).unwrap_or_default();
    let file = RevisionFile {
        revision,
        down_revisions,
        branch_labels,
        depends_on,
        path: path.to_path_buf(),
        message,
        line: revision_line,
        source,
    };
    (Some(file), problems)
}

fn docstring(body: &[Stmt]) -> Option<&str> {
    match body.first()? {
        Stmt::Expr(statement) => match statement.value.as_ref() {
            Expr::StringLiteral(literal) => Some(literal.value.to_str()),
            _ => None,
        },
        _ => None,
    }
}

/// alembic's `Script.doc`: the stripped docstring up to the first blank line.
fn first_paragraph(doc: &str) -> String {
    let doc = doc.trim();
    doc.split("\n\n").next().unwrap_or("").to_owned()
}

/// alembic's legacy rule `([a-f0-9]+)\.py$`, matched from the start of the name.
fn legacy_revision_id(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".py")?;
    (!stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| stem.to_owned())
}

/// Byte offsets to 1-based line and column numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(source: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { starts }
    }

    fn position(&self, offset: TextSize) -> (usize, usize) {
        let offset = offset.to_usize();
        let line = self.starts.partition_point(|start| *start <= offset);
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        (line, offset.saturating_sub(start) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::literal::NoImports;
    use crate::problem::Severity;

    fn read(source: &str) -> (Option<RevisionFile>, Vec<ScriptProblem>) {
        read_revision_file(
            Path::new("versions/x.py"),
            "x.py",
            source.to_owned(),
            &NoImports,
        )
    }

    #[test]
    fn template_of_alembic_1_13() {
        let (file, problems) = read(
            "\"\"\"add users\n\nRevision ID: ab12\n\"\"\"\nfrom typing import Sequence, Union\n\
             revision: str = 'ab12'\ndown_revision: Union[str, None] = \"0001\"\n\
             branch_labels: Union[str, Sequence[str], None] = None\n\
             depends_on: Union[str, Sequence[str], None] = None\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let file = file.expect("read");
        assert_eq!(file.revision, "ab12");
        assert_eq!(file.down_revisions, vec!["0001"]);
        assert!(file.branch_labels.is_empty());
        assert_eq!(file.message, "add users");
        assert_eq!(file.line, 6);
    }

    #[test]
    fn merges_labels_and_names() {
        let (file, problems) = read(
            "base = 'ab'\nrevision = base + '99'\ndown_revision = (\n  'a1',\n  'b2',\n)\n\
             branch_labels = ('feature',)\ndepends_on = ['c3']\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let file = file.expect("read");
        assert_eq!(file.revision, "ab99");
        assert_eq!(file.down_revisions, vec!["a1", "b2"]);
        assert_eq!(file.branch_labels, vec!["feature"]);
        assert_eq!(file.depends_on, vec!["c3"]);
    }

    #[test]
    fn unknowable_value_is_a_problem_with_its_line() {
        let (file, problems) = read("revision = 'a'\ndown_revision = compute()\n");
        assert!(file.is_some());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].position, Some((2, 1)));
        assert!(matches!(problems[0].kind, ProblemKind::NotLiteral { .. }));
    }

    #[test]
    fn syntax_error_names_line() {
        let (_, problems) = read("revision = 'a'\ndown_revision = (\n");
        assert_eq!(problems[0].severity(), Severity::Error);
        assert!(matches!(problems[0].kind, ProblemKind::Syntax { .. }));
        assert_eq!(problems[0].position.map(|p| p.0), Some(3));
    }

    #[test]
    fn no_revision_variable_is_a_warning_and_legacy_names_work() {
        let (file, problems) = read("def helper():\n    pass\n");
        assert!(file.is_none());
        assert_eq!(problems[0].severity(), Severity::Warning);
        let (file, problems) = read_revision_file(
            Path::new("1975ea83b712.py"),
            "1975ea83b712.py",
            "down_revision = None\n".into(),
            &NoImports,
        );
        assert!(problems.is_empty());
        assert_eq!(file.expect("legacy").revision, "1975ea83b712");
    }
}
