//! A cache of each revision's operations, so that a start-up path reads
//! what interpreting the revision files gave instead of interpreting them
//! again (docs/contract.md, "The operations cache").
//!
//! An entry is found by a key that covers everything its operations depend
//! on: the revision file's path and text, the keys of the revisions before
//! it (so the expected schema it was interpreted against is the same), the
//! dialect, the project's naming convention, ini options and baseline, and
//! the build of this code. The project's own modules that any revision
//! imported are checked by content when the cache is opened; one changed
//! module drops the whole cache. An entry whose operations do not apply as
//! recorded is not used. Nothing is ever trusted on its name or date.

use std::collections::HashMap;
use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};
use migration_doctor_schema::Dialect;
use xxhash_rust::xxh3::Xxh3;

use crate::modules::{ModuleCache, ModuleRead};
use crate::outcome::RevisionOutcome;
use crate::setup::ProjectSetup;

/// Changes when the layout of the file changes.
const FORMAT: u32 = 1;

/// The build of the interpreter (its code, the schema model and the locked
/// dependency versions; see `build.rs`).
const BUILD: &str = env!("MIGRATION_DOCTOR_INTERPRETER_BUILD");

/// A revision's key: see the module's documentation.
pub type CacheKey = u128;

/// What opens the file: checked before anything else is decoded, so that
/// a file of another build or layout is never read as this one's.
#[derive(BorshSerialize, BorshDeserialize, PartialEq)]
struct Header {
    format: u32,
    build: String,
    dialect: String,
}

#[derive(BorshSerialize, BorshDeserialize)]
struct Body {
    modules: Vec<ModuleRead>,
    entries: Vec<(CacheKey, RevisionOutcome)>,
}

/// The operations of revisions already interpreted, for one dialect.
#[derive(Debug, Default)]
pub struct OperationsCache {
    salt: CacheKey,
    entries: HashMap<CacheKey, RevisionOutcome>,
    /// The modules the entries read depend on (checked unchanged).
    modules: Vec<ModuleRead>,
    /// What this computation used or interpreted, to be written back.
    kept: Vec<(CacheKey, RevisionOutcome)>,
    recording: bool,
    /// Revisions whose operations came from the cache.
    pub reused: usize,
    /// Revisions interpreted.
    pub interpreted: usize,
}

/// Why a cache file was not used (for the `cache` command's report and
/// the verbose log); a cache is never required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheState {
    /// No file yet.
    Missing,
    /// Written by another build of the tool, or for another layout.
    OtherBuild,
    /// A project module a revision imports changed since it was written.
    ModulesChanged,
    /// The file could not be read or decoded.
    Unreadable(String),
    /// Read: this many entries.
    Read(usize),
}

impl OperationsCache {
    /// The cache file of `dialect` in `folder`, when it is this build's
    /// and the modules it depends on did not change; an empty one (and why)
    /// otherwise.
    pub fn open(
        folder: &Path,
        dialect: Dialect,
        setup: &ProjectSetup,
        modules: &ModuleCache,
    ) -> (OperationsCache, CacheState) {
        let mut cache = OperationsCache {
            salt: salt(dialect, setup),
            ..OperationsCache::default()
        };
        let bytes = match std::fs::read(file_path(folder, dialect)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return (cache, CacheState::Missing);
            }
            Err(error) => return (cache, CacheState::Unreadable(error.to_string())),
        };
        let mut rest = bytes.as_slice();
        match Header::deserialize(&mut rest) {
            Ok(header) if header == Header::of(dialect) => {}
            Ok(_) => return (cache, CacheState::OtherBuild),
            Err(error) => return (cache, CacheState::Unreadable(error.to_string())),
        }
        let body = match Body::deserialize(&mut rest) {
            Ok(body) => body,
            Err(error) => return (cache, CacheState::Unreadable(error.to_string())),
        };
        if !modules.unchanged(&body.modules) {
            return (cache, CacheState::ModulesChanged);
        }
        let count = body.entries.len();
        cache.entries = body.entries.into_iter().collect();
        cache.modules = body.modules;
        (cache, CacheState::Read(count))
    }

    /// Also keeps what is computed with it, for [`OperationsCache::save`].
    pub fn record(&mut self) {
        self.recording = true;
    }

    pub(crate) fn salt(&self) -> CacheKey {
        self.salt
    }

    /// The operations recorded under `key`, taken out of the cache.
    pub(crate) fn take(&mut self, key: CacheKey) -> Option<RevisionOutcome> {
        self.entries.remove(&key)
    }

    /// Notes the outcome a revision ended with (reused or interpreted).
    pub(crate) fn keep(&mut self, key: CacheKey, outcome: &RevisionOutcome, reused: bool) {
        if reused {
            self.reused += 1;
        } else {
            self.interpreted += 1;
        }
        if self.recording {
            self.kept.push((key, outcome.clone()));
        }
    }

    /// Writes what was kept to `folder` (made if missing, with a
    /// `.gitignore` that keeps it out of version control), replacing the
    /// dialect's file at once: a reader sees the old file or the new one.
    pub fn save(
        &self,
        folder: &Path,
        dialect: Dialect,
        modules: &ModuleCache,
    ) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(folder)?;
        let ignore = folder.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(
                &ignore,
                "# Made by migration-doctor (its operations cache): not for version control.\n*\n",
            )?;
        }
        let mut bytes = borsh::to_vec(&Header::of(dialect))?;
        // The modules of the entries reused (not read again this time)
        // and of those interpreted now.
        let mut read = self.modules.clone();
        for module in modules.modules_read() {
            if !read.iter().any(|(name, _)| *name == module.0) {
                read.push(module);
            }
        }
        let body = Body {
            modules: read,
            entries: self.kept.clone(),
        };
        body.serialize(&mut bytes)?;
        let path = file_path(folder, dialect);
        migration_doctor_scripts::replace_file(&path, &bytes)?;
        Ok(path)
    }
}

impl Header {
    fn of(dialect: Dialect) -> Header {
        Header {
            format: FORMAT,
            build: BUILD.to_owned(),
            dialect: dialect.to_string(),
        }
    }
}

/// The dialect's cache file in `folder`.
fn file_path(folder: &Path, dialect: Dialect) -> PathBuf {
    folder.join(format!("operations-{dialect}.bin"))
}

/// What every key of one computation shares: the build, the dialect and
/// what the project adds to its revisions.
fn salt(dialect: Dialect, setup: &ProjectSetup) -> CacheKey {
    let mut hasher = Xxh3::new();
    FORMAT.hash(&mut hasher);
    BUILD.hash(&mut hasher);
    dialect.to_string().hash(&mut hasher);
    setup.naming.hash(&mut hasher);
    setup.main_options.hash(&mut hasher);
    setup.baseline.hash(&mut hasher);
    hasher.digest128()
}

/// The key of one revision: its file and what comes before it (the keys of
/// its predecessors, and of the other branches' revisions replayed before a
/// merge, in order).
pub(crate) fn revision_key(
    salt: CacheKey,
    path: &Path,
    source: &str,
    before: impl IntoIterator<Item = CacheKey>,
) -> CacheKey {
    let mut hasher = Xxh3::new();
    hasher.update(&salt.to_le_bytes());
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(&[0]);
    hasher.update(&(source.len() as u64).to_le_bytes());
    hasher.update(source.as_bytes());
    for key in before {
        hasher.update(&key.to_le_bytes());
    }
    hasher.digest128()
}

/// How an unknown operation's file is written in the cache (as text: the
/// path is relative to the script directory and only ever shown).
pub(crate) fn write_path<W: Write>(path: &Path, writer: &mut W) -> std::io::Result<()> {
    path.to_string_lossy().as_ref().serialize(writer)
}

pub(crate) fn read_path<R: std::io::Read>(reader: &mut R) -> std::io::Result<PathBuf> {
    Ok(PathBuf::from(String::deserialize_reader(reader)?))
}
