//! `alembic.ini` read the way Python's `configparser.ConfigParser` reads it.
//!
//! Checked against CPython 3.11's `configparser` as alembic 1.16–1.20 uses it:
//! section names are case-sensitive, option names are lower-cased, `=` and
//! `:` both delimit, `#` and `;` start comments only at the beginning of a
//! line (Python has no inline comments by default), an indented line
//! continues the value above it (lines joined with `\n`), values in
//! `[DEFAULT]` and the defaults alembic passes (`here`) are visible from every
//! section, and `%(name)s` / `%%` are interpolated on read
//! (`BasicInterpolation`, at most 10 levels deep).

use std::collections::BTreeMap;

use configparser::ini::Ini;

/// The name Python gives the defaults section.
const DEFAULT_SECTION: &str = "DEFAULT";
/// Python's `configparser.MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// A parsed ini document: raw (uninterpolated) values by section and option.
#[derive(Debug, Clone, Default)]
pub struct IniDocument {
    sections: BTreeMap<String, BTreeMap<String, String>>,
    defaults: BTreeMap<String, String>,
}

/// Why an ini document or one of its values could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IniError {
    #[error("{0}")]
    Syntax(String),
    #[error("option `{option}` in section [{section}]: {reason}")]
    Interpolation {
        section: String,
        option: String,
        reason: String,
    },
}

impl IniDocument {
    /// Parses `text`; `defaults` play the part of the dictionary alembic passes
    /// to `ConfigParser(defaults)` (it passes `here`).
    pub fn parse(text: &str, defaults: &[(&str, &str)]) -> Result<IniDocument, IniError> {
        let mut ini = Ini::new_cs();
        ini.set_multiline(true);
        ini.set_default_section(DEFAULT_SECTION);
        ini.set_comment_symbols(&['#', ';']);
        // Python's ConfigParser has no inline comments unless asked for them.
        ini.set_inline_comment_symbols(Some(&[]));
        let map = ini.read(text.to_owned()).map_err(IniError::Syntax)?;

        let mut document = IniDocument::default();
        for (key, value) in defaults {
            document
                .defaults
                .insert(key.to_lowercase(), (*value).to_owned());
        }
        for (section, options) in map {
            let lowered = options
                .into_iter()
                .map(|(key, value)| (key.to_lowercase(), value.unwrap_or_default()));
            if section == DEFAULT_SECTION {
                document.defaults.extend(lowered);
            } else {
                document
                    .sections
                    .entry(section)
                    .or_default()
                    .extend(lowered);
            }
        }
        Ok(document)
    }

    pub fn has_section(&self, section: &str) -> bool {
        self.sections.contains_key(section)
    }

    /// True when `get` would find a value (the section's own or a default).
    pub fn has_option(&self, section: &str, option: &str) -> bool {
        self.raw(section, option).is_some()
    }

    /// The option as written, before interpolation; defaults apply only to
    /// sections that exist, as in Python.
    pub fn raw(&self, section: &str, option: &str) -> Option<&str> {
        let options = self.sections.get(section)?;
        let key = option.to_lowercase();
        options
            .get(&key)
            .or_else(|| self.defaults.get(&key))
            .map(String::as_str)
    }

    /// The option with `%(name)s` references resolved, or `None` when absent.
    pub fn get(&self, section: &str, option: &str) -> Result<Option<String>, IniError> {
        let Some(raw) = self.raw(section, option) else {
            return Ok(None);
        };
        let mut out = String::new();
        self.interpolate(section, raw, 1, &mut out)
            .map_err(|reason| IniError::Interpolation {
                section: section.to_owned(),
                option: option.to_lowercase(),
                reason,
            })?;
        Ok(Some(out))
    }

    /// All options of `section` (its own and the defaults), uninterpolated.
    pub fn options(&self, section: &str) -> Vec<String> {
        let mut keys: Vec<String> = self.defaults.keys().cloned().collect();
        if let Some(options) = self.sections.get(section) {
            keys.extend(options.keys().cloned());
        }
        keys.sort();
        keys.dedup();
        keys
    }

    fn interpolate(
        &self,
        section: &str,
        value: &str,
        depth: usize,
        out: &mut String,
    ) -> Result<(), String> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err(format!(
                "interpolation is nested deeper than {MAX_INTERPOLATION_DEPTH} levels \
                 (a reference loop?) in `{value}`"
            ));
        }
        percent_substitute(value, out, |name, out| {
            let Some(referenced) = self.raw(section, name) else {
                return Err(format!(
                    "`%({name})s` names no option of section [{section}] nor a default \
                     (write `%%` for a literal percent sign)"
                ));
            };
            self.interpolate(section, referenced, depth + 1, out)
        })
    }
}

/// Python's `%(name)s` formatting: `%%` is a percent sign, `%(name)s` is
/// whatever `resolve` appends for the lower-cased `name`; any other `%` is an
/// error, as it is for Python.
pub(crate) fn percent_substitute(
    value: &str,
    out: &mut String,
    mut resolve: impl FnMut(&str, &mut String) -> Result<(), String>,
) -> Result<(), String> {
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some(after) = rest.strip_prefix("%(") {
            let Some(close) = after.find(")s") else {
                return Err(format!("bad interpolation variable reference `{rest}`"));
            };
            resolve(&after[..close].to_lowercase(), out)?;
            rest = &after[close + 2..];
        } else {
            return Err(format!(
                "'%' must be followed by '%' or '(', found `{rest}` \
                 (write `%%` for a literal percent sign)"
            ));
        }
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> IniDocument {
        IniDocument::parse(text, &[("here", "/srv/app")]).expect("parses")
    }

    #[test]
    fn interpolates_here_defaults_and_percent() {
        let d = doc("[DEFAULT]\nroot = %(here)s/db\n\n[alembic]\n\
                     script_location = %(root)s/migrations\nurl = sqlite:///100%%.db\n");
        assert_eq!(
            d.get("alembic", "script_location").unwrap().as_deref(),
            Some("/srv/app/db/migrations")
        );
        assert_eq!(
            d.get("alembic", "url").unwrap().as_deref(),
            Some("sqlite:///100%.db")
        );
    }

    #[test]
    fn keys_are_lowercased_sections_are_not() {
        let d = doc("[Alembic]\nScript_Location : here\n");
        assert!(d.has_section("Alembic"));
        assert!(!d.has_section("alembic"));
        assert_eq!(d.raw("Alembic", "script_location"), Some("here"));
    }

    #[test]
    fn multiline_values_and_comments() {
        let d = doc(
            "[alembic]\n# a comment\n; another\nversion_locations =\n    a\n    b\n\
                     sqlalchemy.url = postgresql://u@h/db ; not a comment in Python\n",
        );
        assert_eq!(d.raw("alembic", "version_locations"), Some("\na\nb"));
        assert_eq!(
            d.raw("alembic", "sqlalchemy.url"),
            Some("postgresql://u@h/db ; not a comment in Python")
        );
    }

    #[test]
    fn bad_percent_and_loops_are_errors() {
        let d = doc("[alembic]\na = 50%\nb = %(c)s\nc = %(b)s\nd = %(missing)s\n");
        for key in ["a", "b", "d"] {
            assert!(
                matches!(d.get("alembic", key), Err(IniError::Interpolation { .. })),
                "{key}"
            );
        }
    }
}
