//! Table name patterns (`--ignore-tables audit_*,tmp_?`), shell-style, with
//! the `glob` crate's matcher (`*`, `?`, `[abc]`, `[!abc]`).

use glob::{MatchOptions, Pattern};

/// Patterns of table names, checked once when they are given.
#[derive(Debug, Clone, Default)]
pub struct TablePatterns {
    patterns: Vec<Pattern>,
}

/// A pattern that is no glob (an unclosed `[`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{pattern}` is not a table name pattern ({reason}); use `*`, `?` and `[...]` as in shell globs, `[[]` for a literal `[`"
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

#[cfg(test)]
mod tests {
    use super::TablePatterns;

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
