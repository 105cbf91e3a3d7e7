//! Which script directory, version locations and database URL a project
//! uses, read from `alembic.ini` and `pyproject.toml` as alembic reads them.
//!
//! Checked against alembic 1.20 (`alembic/config.py`):
//! - options come from the ini's `[alembic]` section (or the one named with
//!   `--name`) first, then from `pyproject.toml`'s `[tool.alembic]`;
//! - `%(here)s` is the folder of the file the option came from;
//! - `version_locations` in the ini is split on `path_separator`
//!   (`space`, `newline`, `os`, `:`, `;`; the deprecated
//!   `version_path_separator` is honoured too), or, when neither is set, on
//!   commas and runs of spaces as alembic's legacy rule does; in
//!   `pyproject.toml` it is a list;
//! - booleans in the ini are true only when spelled exactly `true`;
//! - without `version_locations`, revisions live in `<script_location>/versions`.
//!
//! Where alembic resolves a relative path against the working directory, we
//! resolve it against the folder of the configuration file, because that is
//! where alembic is run from in practice and the tool may be run from anywhere.
//! A `package:path` script location is resolved by looking for the package's
//! folder in `prepend_sys_path`, then beside the configuration file or beside
//! one of its ancestor folders (or in their `src/`); a package we cannot find
//! without Python is an error that names `--script-location`.

use std::path::{Path, PathBuf};

use crate::ini::{IniDocument, IniError, percent_substitute};

/// alembic's default main section.
pub const DEFAULT_SECTION: &str = "alembic";

/// Where to look for configuration, and what the command line overrides.
#[derive(Debug, Clone, Default)]
pub struct ConfigRequest {
    /// `-c/--config`: an ini file, or a `pyproject.toml`.
    pub config_file: Option<PathBuf>,
    /// `-n/--name`: the ini section to read instead of `[alembic]`.
    pub section: Option<String>,
    /// `--script-location`: overrides the configured one.
    pub script_location: Option<PathBuf>,
    /// Relative paths given on the command line are relative to this folder.
    pub working_dir: PathBuf,
    /// `--baseline`: overrides the `[migration_doctor]` section's `baseline`.
    pub baseline: Option<String>,
}

/// The settings of one alembic project, with every path made absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlembicConfig {
    pub ini_file: Option<PathBuf>,
    pub pyproject_file: Option<PathBuf>,
    /// The ini section that was read.
    pub section: String,
    /// The script directory (the folder holding `env.py` and `versions/`).
    pub script_location: PathBuf,
    /// Folders holding revision files, in configured order.
    pub version_locations: Vec<PathBuf>,
    pub recursive_version_locations: bool,
    /// `sqlalchemy.url` from the ini section, interpolated; `None` when absent
    /// or empty.
    pub sqlalchemy_url: Option<String>,
    /// Glob patterns of tables no migration manages, from the
    /// `[migration_doctor]` section's `ignore_tables` (commas or spaces).
    pub ignore_tables: Vec<String>,
    /// Glob patterns `TABLE.OBJECT` of columns, indexes and constraints
    /// left out, from the `[migration_doctor]` section's `ignore`.
    pub ignore_objects: Vec<String>,
    /// The project's models that make the schema before its base revision
    /// (`package.module:Base.metadata`), from the `[migration_doctor]`
    /// section's `baseline` or the command line.
    pub baseline: Option<String>,
    /// The models `check` compares with the migrations
    /// (`package.module:Base.metadata`), from the `[migration_doctor]`
    /// section's `models`.
    pub models: Option<String>,
    /// `check` finding codes reported as notes (`check_notes`) and as
    /// errors (`check_errors`) in the `[migration_doctor]` section.
    pub check_notes: Vec<String>,
    pub check_errors: Vec<String>,
    /// Every option of the main section, interpolated where it can be
    /// (what `context.config.get_main_option(...)` answers in `env.py` and
    /// the revisions); options whose interpolation fails are left out.
    pub main_options: Vec<(String, String)>,
    /// Things worth telling the user that do not stop the work.
    pub notes: Vec<String>,
}

/// Why no usable configuration could be read. Every message names the file
/// and the next step.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error(
        "the configuration file {path} does not exist; pass the right file with -c/--config, \
         or give the script directory with --script-location"
    )]
    ConfigFileMissing { path: PathBuf },
    #[error(
        "no alembic.ini or pyproject.toml with a [tool.alembic] table in {dir}{}; run from the \
         project's folder, pass -c/--config PATH, or give the script directory with \
         --script-location",
        .above.as_ref().map(|above| format!(" (there is one above it: {})", above.display())).unwrap_or_default()
    )]
    NoConfiguration {
        dir: PathBuf,
        above: Option<PathBuf>,
    },
    #[error(
        "{path} is a directory, not a configuration file; pass the file itself with -c/--config{}",
        .inside.as_ref().map(|inside| format!(" ({})", inside.display())).unwrap_or_default()
    )]
    ConfigIsDirectory {
        path: PathBuf,
        /// The alembic.ini or pyproject.toml inside it, if there is one.
        inside: Option<PathBuf>,
    },
    #[error("cannot read {path}: {source}; check that the file exists and is readable")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a valid ini file: {message}; fix the file or pass another with -c/--config"
    )]
    IniSyntax { path: PathBuf, message: String },
    #[error("{path}: {source}; fix the value in the file")]
    Interpolation { path: PathBuf, source: IniError },
    #[error("{path} is not valid TOML: {message}")]
    TomlSyntax { path: PathBuf, message: String },
    #[error("{path}: [tool.alembic] `{key}` must be {expected}; fix the value in the file")]
    TomlType {
        path: PathBuf,
        key: String,
        expected: &'static str,
    },
    #[error(
        "{path} has no section [{section}]; choose the section with --name, or give the script \
         directory with --script-location"
    )]
    SectionMissing { path: PathBuf, section: String },
    #[error(
        "no `script_location` in {place}; add it to the configuration or give the script \
         directory with --script-location"
    )]
    NoScriptLocation { place: String },
    #[error(
        "script_location `{location}` names a Python package resource, and the package \
         `{package}` was not found beside the configuration; migration-doctor reads files \
         without Python, so give the folder with --script-location PATH"
    )]
    PackageResource { location: String, package: String },
    #[error(
        "the script directory {path} does not exist; check `script_location` in the \
         configuration or pass --script-location"
    )]
    ScriptLocationMissing { path: PathBuf },
    #[error(
        "`{option} = {value}` is not a valid path separator; alembic accepts space, newline, \
         os, ':' or ';'"
    )]
    BadPathSeparator { option: String, value: String },
}

/// The two configuration files alembic reads, after the command line chose them.
struct Sources {
    ini: Option<(PathBuf, IniDocument)>,
    pyproject: Option<(PathBuf, toml::Table)>,
}

/// Reads the configuration the request points at.
pub fn load_config(request: &ConfigRequest) -> Result<AlembicConfig, ConfigError> {
    let section = request
        .section
        .clone()
        .unwrap_or_else(|| DEFAULT_SECTION.to_owned());
    let sources = find_sources(request)?;
    let mut notes = Vec::new();

    if let Some((path, ini)) = &sources.ini
        && !ini.has_section(&section)
        && (request.section.is_some() || request.script_location.is_none())
        && sources.pyproject.is_none()
    {
        return Err(ConfigError::SectionMissing {
            path: path.clone(),
            section,
        });
    }

    let ini_option = |name: &str| -> Result<Option<String>, ConfigError> {
        let Some((path, ini)) = &sources.ini else {
            return Ok(None);
        };
        ini.get(&section, name)
            .map_err(|source| ConfigError::Interpolation {
                path: path.clone(),
                source,
            })
    };
    let base_dir = config_dir(&sources, &request.working_dir);

    let script_location = match &request.script_location {
        Some(location) => absolute(&request.working_dir, location),
        None => {
            let (value, dir) = match ini_option("script_location")? {
                Some(value) => (value, ini_dir(&sources)),
                None => match toml_string(&sources, "script_location")? {
                    Some(value) => (value, toml_dir(&sources)),
                    None => {
                        return Err(ConfigError::NoScriptLocation {
                            place: describe_sources(&sources, &section),
                        });
                    }
                },
            };
            let dir = dir.unwrap_or_else(|| base_dir.clone());
            resolve_script_location(&value, &dir, &ini_option("prepend_sys_path")?)?
        }
    };
    if !script_location.is_dir() {
        return Err(ConfigError::ScriptLocationMissing {
            path: script_location,
        });
    }

    let version_locations = match ini_option("version_locations")?.filter(|v| !v.is_empty()) {
        Some(value) => {
            let separator = path_separator(&ini_option)?;
            let dir = ini_dir(&sources).unwrap_or_else(|| base_dir.clone());
            split_locations(&value, separator)
                .into_iter()
                .map(|location| absolute(&dir, Path::new(&location)))
                .collect()
        }
        None => match toml_string_list(&sources, "version_locations")? {
            Some(list) => {
                let dir = toml_dir(&sources).unwrap_or_else(|| base_dir.clone());
                list.iter()
                    .map(|location| absolute(&dir, Path::new(location)))
                    .collect()
            }
            None => vec![script_location.join("versions")],
        },
    };
    for location in &version_locations {
        if !location.is_dir() {
            notes.push(format!(
                "version location {} does not exist; alembic skips it too",
                location.display()
            ));
        }
    }

    let recursive_version_locations = match ini_option("recursive_version_locations")? {
        Some(value) => value == "true",
        None => toml_bool(&sources, "recursive_version_locations")?.unwrap_or(false),
    };
    if ini_option("sourceless")?.as_deref() == Some("true") {
        notes.push(
            "`sourceless = true`: revisions present only as .pyc files cannot be read \
             statically and are left out"
                .to_owned(),
        );
    }
    let sqlalchemy_url = ini_option("sqlalchemy.url")?.filter(|url| !url.trim().is_empty());
    let patterns = |option: &str| -> Result<Vec<String>, ConfigError> {
        Ok(match &sources.ini {
            Some((path, ini)) => ini
                .get("migration_doctor", option)
                .map_err(|source| ConfigError::Interpolation {
                    path: path.clone(),
                    source,
                })?
                .map(|value| split_locations(&value, None))
                .unwrap_or_default(),
            None => Vec::new(),
        })
    };
    let ignore_tables = patterns("ignore_tables")?;
    let ignore_objects = patterns("ignore")?;
    let check_notes = patterns("check_notes")?;
    let check_errors = patterns("check_errors")?;
    let models = match &sources.ini {
        Some((path, ini)) => {
            ini.get("migration_doctor", "models")
                .map_err(|source| ConfigError::Interpolation {
                    path: path.clone(),
                    source,
                })?
        }
        None => None,
    }
    .map(|models| models.trim().to_owned())
    .filter(|models| !models.is_empty());

    let baseline = match (&request.baseline, &sources.ini) {
        (Some(baseline), _) => Some(baseline.clone()),
        (None, Some((path, ini))) => ini.get("migration_doctor", "baseline").map_err(|source| {
            ConfigError::Interpolation {
                path: path.clone(),
                source,
            }
        })?,
        (None, None) => None,
    }
    .map(|baseline| baseline.trim().to_owned())
    .filter(|baseline| !baseline.is_empty());

    let main_options = match &sources.ini {
        Some((_, ini)) => ini
            .options(&section)
            .into_iter()
            .filter_map(|name| {
                let value = ini.get(&section, &name).ok().flatten()?;
                Some((name, value))
            })
            .collect(),
        None => Vec::new(),
    };

    Ok(AlembicConfig {
        ini_file: sources.ini.map(|(path, _)| path),
        pyproject_file: sources.pyproject.map(|(path, _)| path),
        section,
        script_location,
        version_locations,
        recursive_version_locations,
        sqlalchemy_url,
        ignore_tables,
        ignore_objects,
        baseline,
        models,
        check_notes,
        check_errors,
        main_options,
        notes,
    })
}

fn find_sources(request: &ConfigRequest) -> Result<Sources, ConfigError> {
    let env_config = std::env::var_os("ALEMBIC_CONFIG").map(PathBuf::from);
    let chosen = request.config_file.clone().or(env_config);
    let (ini_path, toml_path, explicit) = match chosen {
        Some(path) => {
            let path = absolute(&request.working_dir, &path);
            if !path.exists() {
                return Err(ConfigError::ConfigFileMissing { path });
            }
            if path.is_dir() {
                let inside = ["alembic.ini", "pyproject.toml"]
                    .iter()
                    .map(|name| path.join(name))
                    .find(|candidate| candidate.is_file());
                return Err(ConfigError::ConfigIsDirectory { path, inside });
            }
            if path
                .file_name()
                .is_some_and(|name| name == "pyproject.toml")
            {
                (None, Some(path), true)
            } else {
                let beside = path.parent().map(|dir| dir.join("pyproject.toml"));
                (Some(path), beside, true)
            }
        }
        None => (
            Some(request.working_dir.join("alembic.ini")),
            Some(request.working_dir.join("pyproject.toml")),
            false,
        ),
    };

    let ini = match ini_path.filter(|path| path.is_file()) {
        Some(path) => {
            let text = read(&path)?;
            let here = path
                .parent()
                .map(|dir| dir.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let document = IniDocument::parse(&text, &[("here", &here)]).map_err(|error| {
                ConfigError::IniSyntax {
                    path: path.clone(),
                    message: error.to_string(),
                }
            })?;
            Some((path, document))
        }
        None => None,
    };
    let pyproject = match toml_path.filter(|path| path.is_file()) {
        Some(path) => {
            let text = read(&path)?;
            let table: toml::Table =
                toml::from_str(&text).map_err(|error| ConfigError::TomlSyntax {
                    path: path.clone(),
                    message: error.message().to_owned(),
                })?;
            match table.get("tool").and_then(|tool| tool.get("alembic")) {
                Some(toml::Value::Table(alembic)) => Some((path, alembic.clone())),
                Some(_) => {
                    return Err(ConfigError::TomlType {
                        path,
                        key: "tool.alembic".to_owned(),
                        expected: "a table",
                    });
                }
                None => None,
            }
        }
        None => None,
    };

    if ini.is_none() && pyproject.is_none() && !explicit && request.script_location.is_none() {
        // Run from a subfolder of the project: name the alembic.ini above.
        let above = request
            .working_dir
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("alembic.ini"))
            .find(|candidate| candidate.is_file());
        return Err(ConfigError::NoConfiguration {
            dir: request.working_dir.clone(),
            above,
        });
    }
    Ok(Sources { ini, pyproject })
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })
}

fn ini_dir(sources: &Sources) -> Option<PathBuf> {
    sources
        .ini
        .as_ref()
        .and_then(|(path, _)| path.parent().map(Path::to_path_buf))
}

fn toml_dir(sources: &Sources) -> Option<PathBuf> {
    sources
        .pyproject
        .as_ref()
        .and_then(|(path, _)| path.parent().map(Path::to_path_buf))
}

fn config_dir(sources: &Sources, working_dir: &Path) -> PathBuf {
    ini_dir(sources)
        .or_else(|| toml_dir(sources))
        .unwrap_or_else(|| working_dir.to_path_buf())
}

fn describe_sources(sources: &Sources, section: &str) -> String {
    let mut places = Vec::new();
    if let Some((path, _)) = &sources.ini {
        places.push(format!("[{section}] of {}", path.display()));
    }
    if let Some((path, _)) = &sources.pyproject {
        places.push(format!("[tool.alembic] of {}", path.display()));
    }
    if places.is_empty() {
        "the configuration".to_owned()
    } else {
        places.join(" or ")
    }
}

/// A `[tool.alembic]` string with alembic's `%(here)s` substitution.
fn toml_string(sources: &Sources, key: &str) -> Result<Option<String>, ConfigError> {
    let Some((path, table)) = &sources.pyproject else {
        return Ok(None);
    };
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(value)) => toml_substitute(path, key, value).map(Some),
        Some(_) => Err(ConfigError::TomlType {
            path: path.clone(),
            key: key.to_owned(),
            expected: "a string",
        }),
    }
}

fn toml_string_list(sources: &Sources, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
    let Some((path, table)) = &sources.pyproject else {
        return Ok(None);
    };
    let wrong_type = || ConfigError::TomlType {
        path: path.clone(),
        key: key.to_owned(),
        expected: "a list of strings",
    };
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                toml::Value::String(value) => toml_substitute(path, key, value),
                _ => Err(wrong_type()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(wrong_type()),
    }
}

fn toml_bool(sources: &Sources, key: &str) -> Result<Option<bool>, ConfigError> {
    let Some((path, table)) = &sources.pyproject else {
        return Ok(None);
    };
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::Boolean(value)) => Ok(Some(*value)),
        Some(_) => Err(ConfigError::TomlType {
            path: path.clone(),
            key: key.to_owned(),
            expected: "true or false",
        }),
    }
}

fn toml_substitute(path: &Path, key: &str, value: &str) -> Result<String, ConfigError> {
    let here = path
        .parent()
        .map(|dir| dir.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let mut out = String::new();
    percent_substitute(value, &mut out, |name, out| {
        if name == "here" {
            out.push_str(&here);
            Ok(())
        } else {
            Err(format!(
                "`%({name})s` is unknown; only `%(here)s` is defined"
            ))
        }
    })
    .map_err(|reason| ConfigError::Interpolation {
        path: path.to_path_buf(),
        source: IniError::Interpolation {
            section: "tool.alembic".to_owned(),
            option: key.to_owned(),
            reason,
        },
    })?;
    Ok(out)
}

/// The separator alembic splits `version_locations` on, or `None` for its
/// legacy comma-and-space rule.
fn path_separator(
    ini_option: &impl Fn(&str) -> Result<Option<String>, ConfigError>,
) -> Result<Option<char>, ConfigError> {
    for option in ["path_separator", "version_path_separator"] {
        if let Some(value) = ini_option(option)? {
            let separator = match value.as_str() {
                "space" => ' ',
                "newline" => '\n',
                "os" if cfg!(windows) => ';',
                "os" => ':',
                ":" => ':',
                ";" => ';',
                _ => {
                    return Err(ConfigError::BadPathSeparator {
                        option: option.to_owned(),
                        value,
                    });
                }
            };
            return Ok(Some(separator));
        }
    }
    Ok(None)
}

fn split_locations(value: &str, separator: Option<char>) -> Vec<String> {
    match separator {
        Some(separator) => value
            .split(separator)
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect(),
        // alembic's legacy rule: re.split(r", *|(?: +)", value)
        None => value
            .split([',', ' '])
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

fn resolve_script_location(
    value: &str,
    dir: &Path,
    prepend_sys_path: &Option<String>,
) -> Result<PathBuf, ConfigError> {
    let path = Path::new(value);
    if path.is_absolute() || !value.contains(':') {
        return Ok(absolute(dir, path));
    }
    // `package.sub:folder/inside` — look for the package's folder where Python
    // would most likely import it from.
    let mut tokens = value.split(':');
    let package = tokens.next().unwrap_or_default();
    let mut relative: PathBuf = package.split('.').collect();
    for token in tokens {
        relative.push(token);
    }
    let mut search = Vec::new();
    if let Some(paths) = prepend_sys_path {
        search.extend(
            split_locations(paths, Some(':'))
                .into_iter()
                .map(|entry| absolute(dir, Path::new(&entry))),
        );
    }
    // The configuration usually sits in the project (or inside the package
    // itself), so the package folder is beside it or beside an ancestor.
    for ancestor in dir.ancestors() {
        search.push(ancestor.to_path_buf());
        search.push(ancestor.join("src"));
    }
    search
        .into_iter()
        .map(|root| root.join(&relative))
        .find(|candidate| candidate.is_dir())
        .ok_or_else(|| ConfigError::PackageResource {
            location: value.to_owned(),
            package: package.to_owned(),
        })
}

fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    normalize(&joined)
}

/// Removes `.` and resolves `..` lexically, so that paths print cleanly and
/// compare equal however they were spelled.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_split_on_commas_and_spaces() {
        assert_eq!(split_locations("a, b  c,d", None), vec!["a", "b", "c", "d"]);
        assert_eq!(split_locations("a b:c", Some(':')), vec!["a b", "c"]);
        assert_eq!(split_locations("\na\n b\n", Some('\n')), vec!["a", "b"]);
    }

    #[test]
    fn package_resources_are_found_beside_an_ancestor() {
        let root = tempfile::tempdir().expect("tempdir");
        let scripts = root.path().join("src/shop/db/migrations");
        std::fs::create_dir_all(&scripts).expect("mkdir");
        let ini_dir = root.path().join("deploy");
        std::fs::create_dir_all(&ini_dir).expect("mkdir");
        let found = resolve_script_location("shop.db:migrations", &ini_dir, &None).expect("found");
        assert_eq!(found, scripts);
        let error = resolve_script_location("absent:migrations", &ini_dir, &None).unwrap_err();
        assert!(error.to_string().contains("--script-location"), "{error}");
    }

    #[test]
    fn normalizes_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
