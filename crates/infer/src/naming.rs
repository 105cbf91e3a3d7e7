//! SQLAlchemy naming conventions: the names an unnamed index, unique
//! constraint or foreign key gets from the `MetaData(naming_convention=…)`
//! that alembic's operations use (the `target_metadata` given to
//! `context.configure` in `env.py`), or, without one, SQLAlchemy's default
//! (`ix_%(column_0_label)s` for indexes only).
//!
//! A name longer than the dialect allows is cut as SQLAlchemy cuts such
//! names: its first characters, `_`, and the last four hex digits of its
//! MD5.

use md5::{Digest, Md5};
use migration_doctor_schema::Dialect;

/// The convention's templates by kind (`ix`, `uq`, `fk`, `pk`, `ck`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamingConvention {
    templates: Vec<(String, String)>,
    /// Whether the project's convention was found. When `env.py`'s
    /// `target_metadata` could not be followed, SQLAlchemy's default is
    /// assumed and the names it gives are guesses: an index so named is
    /// known by its columns, not by its name.
    confirmed: bool,
}

impl Default for NamingConvention {
    /// SQLAlchemy's `DEFAULT_NAMING_CONVENTION`.
    fn default() -> NamingConvention {
        NamingConvention {
            templates: vec![("ix".to_owned(), "ix_%(column_0_label)s".to_owned())],
            confirmed: true,
        }
    }
}

/// What a name is made for.
pub struct Named<'n> {
    pub table: &'n str,
    pub columns: &'n [String],
    pub referred_table: Option<&'n str>,
    pub referred_columns: &'n [String],
}

impl NamingConvention {
    /// A convention from `MetaData(naming_convention={...})`'s entries
    /// (keys are the kinds; other keys, such as constraint classes, are
    /// kept but never asked for).
    pub fn from_entries(entries: impl IntoIterator<Item = (String, String)>) -> NamingConvention {
        let mut templates: Vec<(String, String)> = entries.into_iter().collect();
        // The default `ix` stays unless the convention replaces it.
        if !templates.iter().any(|(kind, _)| kind == "ix") {
            templates.extend(NamingConvention::default().templates);
        }
        NamingConvention {
            templates,
            confirmed: true,
        }
    }

    /// SQLAlchemy's default, assumed for a project whose convention could
    /// not be found.
    pub fn unconfirmed() -> NamingConvention {
        NamingConvention {
            confirmed: false,
            ..NamingConvention::default()
        }
    }

    pub fn is_default(&self) -> bool {
        self.templates == NamingConvention::default().templates
    }

    /// Whether the names this convention gives are the project's own.
    pub fn is_confirmed(&self) -> bool {
        self.confirmed
    }

    /// The name `kind` (`ix`, `uq`, `fk`) gets, when the convention has a
    /// template for it and every token of the template is known.
    pub fn name(&self, kind: &str, named: &Named<'_>, dialect: Dialect) -> Option<String> {
        let template = &self
            .templates
            .iter()
            .find(|(candidate, _)| candidate == kind)?
            .1;
        let name = render(template, named)?;
        Some(truncate(name, dialect))
    }
}

fn render(template: &str, named: &Named<'_>) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("%(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find(")s")?;
        out.push_str(&token(&after[..end], named)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

fn token(token: &str, named: &Named<'_>) -> Option<String> {
    let label = |column: &String| format!("{}_{column}", named.table);
    let joined = |values: Vec<String>, separator: &str| values.join(separator);
    Some(match token {
        "table_name" => named.table.to_owned(),
        "referred_table_name" => named.referred_table?.to_owned(),
        "column_0_name" | "column_0_key" => named.columns.first()?.clone(),
        "column_0_label" => label(named.columns.first()?),
        "column_0N_name" | "column_0N_key" => joined(named.columns.to_vec(), ""),
        "column_0_N_name" | "column_0_N_key" => joined(named.columns.to_vec(), "_"),
        "column_0N_label" => joined(named.columns.iter().map(label).collect(), ""),
        "column_0_N_label" => joined(named.columns.iter().map(label).collect(), "_"),
        "referred_column_0_name" | "referred_column_0_key" => {
            named.referred_columns.first()?.clone()
        }
        "referred_column_0N_name" => joined(named.referred_columns.to_vec(), ""),
        "referred_column_0_N_name" => joined(named.referred_columns.to_vec(), "_"),
        // `%(constraint_name)s` needs a name, which an unnamed one has not.
        _ => return None,
    })
}

/// SQLAlchemy cuts a generated name that is too long for the dialect.
fn truncate(name: String, dialect: Dialect) -> String {
    let Some(limit) = crate::dialect::identifier_limit(dialect) else {
        return name;
    };
    if name.chars().count() <= limit {
        return name;
    }
    let digest = Md5::digest(name.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    let head: String = name.chars().take(limit - 8).collect();
    format!("{head}_{}", &hex[hex.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_render_as_sqlalchemy_renders_them() {
        let convention = NamingConvention::from_entries([
            (
                "uq".to_owned(),
                "uq_%(table_name)s_%(column_0_N_name)s".to_owned(),
            ),
            (
                "fk".to_owned(),
                "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s".to_owned(),
            ),
        ]);
        let columns = ["a".to_owned(), "b".to_owned()];
        let named = Named {
            table: "t",
            columns: &columns,
            referred_table: Some("users"),
            referred_columns: &[],
        };
        assert_eq!(
            convention
                .name("uq", &named, Dialect::Postgresql)
                .as_deref(),
            Some("uq_t_a_b")
        );
        assert_eq!(
            convention
                .name("fk", &named, Dialect::Postgresql)
                .as_deref(),
            Some("fk_t_a_users")
        );
        assert_eq!(
            convention
                .name("ix", &named, Dialect::Postgresql)
                .as_deref(),
            Some("ix_t_a")
        );
        assert_eq!(convention.name("pk", &named, Dialect::Postgresql), None);
        // Cut to 63 characters with the tail of the name's MD5, as
        // SQLAlchemy's compiler does (md5("ix_" + 70 × "x") ends in the
        // four digits below).
        let long = "x".repeat(70);
        let named = Named {
            table: &long,
            columns: &[],
            referred_table: None,
            referred_columns: &[],
        };
        let plain =
            NamingConvention::from_entries([("uq".to_owned(), "uq_%(table_name)s".to_owned())]);
        let cut = plain
            .name("uq", &named, Dialect::Postgresql)
            .unwrap_or_default();
        assert_eq!(cut.len(), 60);
        assert!(cut.starts_with("uq_xxx"), "{cut}");
    }
}
