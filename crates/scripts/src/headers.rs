//! The revision variables of files already read, kept in the operations
//! cache's folder (docs/contract.md, "The operations cache"), so that
//! reading a large history does not parse every file again: a file is
//! looked up by a hash of its path and text, and only files that read
//! without any problem and without the project's modules are kept (their
//! variables depend on nothing else). Never trusted on a name or a date.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use borsh::{BorshDeserialize, BorshSerialize};

use crate::revision_file::RevisionFile;

/// Changes when the layout of the file changes.
const FORMAT: u32 = 1;

/// The build of the reader (see `build.rs`).
const BUILD: &str = env!("MIGRATION_DOCTOR_SCRIPTS_BUILD");

const FILE_NAME: &str = "revisions.bin";

/// What reading a file gave, without its text.
#[derive(Debug, Clone, BorshSerialize, BorshDeserialize)]
pub(crate) struct Header {
    revision: String,
    down_revisions: Vec<String>,
    branch_labels: Vec<String>,
    depends_on: Vec<String>,
    message: String,
    line: usize,
}

#[derive(BorshSerialize, BorshDeserialize, PartialEq)]
struct FileHeader {
    format: u32,
    build: String,
}

/// Revision variables by file, read from and written to a cache folder.
#[derive(Debug, Default)]
pub struct RevisionHeaders {
    known: HashMap<u128, Header>,
    /// Every file read this time that may be kept, for [`RevisionHeaders::save`].
    kept: Mutex<Vec<(u128, Header)>>,
}

impl RevisionHeaders {
    /// The headers kept in `folder`; none when the file is missing, of
    /// another build, or unreadable (the files are then parsed).
    pub fn open(folder: &Path) -> RevisionHeaders {
        let mut headers = RevisionHeaders::default();
        let Ok(bytes) = std::fs::read(folder.join(FILE_NAME)) else {
            return headers;
        };
        let mut rest = bytes.as_slice();
        if FileHeader::deserialize(&mut rest).ok() != Some(FileHeader::current()) {
            return headers;
        }
        if let Ok(entries) = Vec::<(u128, Header)>::deserialize(&mut rest) {
            headers.known = entries.into_iter().collect();
        }
        headers
    }

    /// The file read before with exactly this path and text; the text
    /// back when there is none.
    pub(crate) fn get(
        &self,
        key: u128,
        path: &Path,
        source: String,
    ) -> Result<RevisionFile, String> {
        let Some(header) = self.known.get(&key).cloned() else {
            return Err(source);
        };
        self.keep(key, header.clone());
        Ok(RevisionFile {
            revision: header.revision,
            down_revisions: header.down_revisions,
            branch_labels: header.branch_labels,
            depends_on: header.depends_on,
            path: path.to_path_buf(),
            message: header.message,
            line: header.line,
            source,
        })
    }

    /// Keeps what reading `file` gave, to be written by `save`.
    pub(crate) fn remember(&self, key: u128, file: &RevisionFile) {
        self.keep(
            key,
            Header {
                revision: file.revision.clone(),
                down_revisions: file.down_revisions.clone(),
                branch_labels: file.branch_labels.clone(),
                depends_on: file.depends_on.clone(),
                message: file.message.clone(),
                line: file.line,
            },
        );
    }

    fn keep(&self, key: u128, header: Header) {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((key, header));
    }

    /// Writes the headers of the files read this time to `folder` (which
    /// exists), replacing the file at once.
    pub fn save(&self, folder: &Path) -> std::io::Result<PathBuf> {
        let mut bytes = borsh::to_vec(&FileHeader::current())?;
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        kept.serialize(&mut bytes)?;
        let path = folder.join(FILE_NAME);
        replace_file(&path, &bytes)?;
        Ok(path)
    }
}

/// Writes `bytes` to `path` through a file beside it, renamed over it once
/// synced: a reader sees the old file or the new one, never half of one.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}-{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path).inspect_err(|_| {
        std::fs::remove_file(&temporary).ok();
    })
}

impl FileHeader {
    fn current() -> FileHeader {
        FileHeader {
            format: FORMAT,
            build: BUILD.to_owned(),
        }
    }
}

/// A file's key: its path (as the graph shows it) and text.
pub(crate) fn key(path: &Path, file_name: &str, source: &str) -> u128 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(path.to_string_lossy().as_bytes());
    hasher.update(&[0]);
    hasher.update(file_name.as_bytes());
    hasher.update(&[0]);
    hasher.update(source.as_bytes());
    hasher.digest128()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{ConfigRequest, ScriptDirectory, load_config};

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let versions = dir.path().join("migrations/versions");
        std::fs::create_dir_all(&versions).unwrap();
        std::fs::write(
            dir.path().join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/migrations\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("migrations/ids.py"), "PARENT = 'a1'\n").unwrap();
        let file = |name: &str, text: &str| std::fs::write(versions.join(name), text).unwrap();
        file(
            "a1_base.py",
            "\"\"\"base\"\"\"\nrevision = 'a1'\ndown_revision = None\n",
        );
        // Its parent comes from the project's module: never kept.
        file(
            "b2_next.py",
            "from ids import PARENT\nrevision = 'b2'\ndown_revision = PARENT\n",
        );
        // A syntax error: reported every time, never kept.
        file(
            "c3_broken.py",
            "revision = 'c3'\ndown_revision = 'b2'\ndef upgrade(:\n    pass\n",
        );
        dir
    }

    fn read(dir: &Path, headers: &RevisionHeaders) -> ScriptDirectory {
        let config = load_config(&ConfigRequest {
            config_file: Some(dir.join("alembic.ini")),
            working_dir: dir.to_path_buf(),
            ..ConfigRequest::default()
        })
        .unwrap();
        ScriptDirectory::read_with(config, headers)
    }

    fn summary(scripts: &ScriptDirectory) -> Vec<(String, Vec<String>, String, usize, PathBuf)> {
        let mut out: Vec<_> = scripts
            .revisions
            .iter()
            .map(|file| {
                (
                    file.revision.clone(),
                    file.down_revisions.clone(),
                    file.message.clone(),
                    file.line,
                    file.path.clone(),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn kept_headers_read_as_parsing_does_and_only_self_contained_files_are_kept() {
        let dir = project();
        let folder = dir.path().join("cache");
        std::fs::create_dir_all(&folder).unwrap();
        let first = RevisionHeaders::default();
        let parsed = read(dir.path(), &first);
        first.save(&folder).unwrap();

        let headers = RevisionHeaders::open(&folder);
        assert_eq!(headers.known.len(), 1, "only a1 depends on nothing else");
        let cached = read(dir.path(), &headers);
        assert_eq!(summary(&cached), summary(&parsed));
        assert_eq!(cached.problems.len(), parsed.problems.len());
        assert!(
            !cached.problems.is_empty(),
            "the syntax error is reported again"
        );

        // A changed file is parsed again.
        let a1 = dir.path().join("migrations/versions/a1_base.py");
        std::fs::write(
            &a1,
            "\"\"\"base, renamed\"\"\"\nrevision = 'a1'\ndown_revision = None\n",
        )
        .unwrap();
        let changed = read(dir.path(), &RevisionHeaders::open(&folder));
        assert!(
            summary(&changed)
                .iter()
                .any(|entry| entry.2 == "base, renamed")
        );

        // Another build's file is not read.
        let path = folder.join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[8] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(RevisionHeaders::open(&folder).known.is_empty());
    }
}
