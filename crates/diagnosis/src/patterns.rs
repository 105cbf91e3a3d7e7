//! Table name patterns (`--ignore-tables audit_*,tmp_?`) and object
//! patterns (`--ignore users.ix_*`), shell-style, with the `glob` crate's
//! matcher (`*`, `?`, `[abc]`, `[!abc]`).

use glob::{MatchOptions, Pattern};

/// Patterns of table names, checked once when they are given.
#[derive(Debug, Clone, Default)]
pub struct TablePatterns {
    patterns: Vec<Pattern>,
}

/// A pattern that is no glob (an unclosed `[`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{pattern}` is not a name pattern ({reason}); use `*`, `?` and `[...]` as in shell globs, `[[]` for a literal `[`"
)]
pub struct InvalidPattern {
    pub pattern: String,
    pub reason: String,
}

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl TablePatterns {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<TablePatterns, InvalidPattern> {
        let patterns = patterns
            .iter()
            .map(|pattern| {
                let pattern = pattern.as_ref();
                Pattern::new(pattern).map_err(|error| InvalidPattern {
                    pattern: pattern.to_owned(),
                    reason: error.msg.to_owned(),
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(TablePatterns { patterns })
    }

    pub fn matches(&self, table: &str) -> bool {
        self.patterns
            .iter()
            .any(|pattern| pattern.matches_with(table, OPTIONS))
    }

    /// The patterns as they were written.
    pub fn texts(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|pattern| pattern.as_str().to_owned())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// Patterns of objects on tables (`--ignore users.ix_*,audit*.note`): a
/// table pattern and an object pattern (a column, index or constraint
/// name), both shell globs, split at the first `.`.
#[derive(Debug, Clone, Default)]
pub struct ObjectPatterns {
    patterns: Vec<(Pattern, Pattern)>,
}

impl ObjectPatterns {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<ObjectPatterns, InvalidPattern> {
        let patterns = patterns
            .iter()
            .map(|pattern| {
                let pattern = pattern.as_ref();
                let invalid = |reason: &str| InvalidPattern {
                    pattern: pattern.to_owned(),
                    reason: reason.to_owned(),
                };
                let (table, object) = pattern
                    .split_once('.')
                    .ok_or_else(|| invalid("it names no object: write TABLE.OBJECT"))?;
                let glob = |text: &str| Pattern::new(text).map_err(|error| invalid(error.msg));
                Ok((glob(table)?, glob(object)?))
            })
            .collect::<Result<_, _>>()?;
        Ok(ObjectPatterns { patterns })
    }

    pub fn matches(&self, table: &str, object: &str) -> bool {
        self.patterns.iter().any(|(tables, objects)| {
            tables.matches_with(table, OPTIONS) && objects.matches_with(object, OPTIONS)
        })
    }

    /// The patterns as they were written.
    pub fn texts(&self) -> Vec<String> {
        self.patterns
            .iter()
            .map(|(table, object)| format!("{}.{}", table.as_str(), object.as_str()))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{ObjectPatterns, TablePatterns};

    #[test]
    fn object_patterns_name_a_table_and_an_object() {
        let patterns = ObjectPatterns::new(&["users.ix_*", "audit*.note"]).unwrap();
        assert!(patterns.matches("users", "ix_dba_email"));
        assert!(!patterns.matches("users", "email"));
        assert!(patterns.matches("audit_log", "note"));
        let error = ObjectPatterns::new(&["users"]).unwrap_err();
        assert!(error.to_string().contains("TABLE.OBJECT"), "{error}");
    }

    fn matches(pattern: &str, table: &str) -> bool {
        TablePatterns::new(&[pattern]).unwrap().matches(table)
    }

    #[test]
    fn shell_globs_on_table_names() {
        assert!(matches("audit_*", "audit_log"));
        assert!(matches("tmp_?", "tmp_1"));
        assert!(!matches("tmp_?", "tmp_12"));
        assert!(matches("*", ""));
        assert!(!matches("audit_*", "users"));
        assert!(matches("log_[0-9]*", "log_2024"));
        assert!(matches("a/b*", "a/bc"));
        assert!(!matches("Audit_*", "audit_log"));
        assert!(matches("*_bak", "users_bak"));
        assert!(matches("a*b*c", "aXbYbZc"));
    }

    #[test]
    fn many_stars_stay_fast_and_bad_patterns_are_named() {
        let text = "a".repeat(5_000);
        assert!(!matches(&format!("{}b", "*a".repeat(100)), &text));
        let error = TablePatterns::new(&["tmp_[x"]).unwrap_err();
        assert_eq!(error.pattern, "tmp_[x");
        assert!(error.to_string().contains("tmp_[x"));
    }
}
