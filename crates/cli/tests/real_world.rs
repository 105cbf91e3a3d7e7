//! Real-world migration folders from public PyPI wheels
//! (fixtures/real-world.txt): `graph --format json` equals the graph the real
//! alembic builds from the same folder.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

struct Entry {
    requirement: String,
    location: String,
    settings: Vec<(String, String)>,
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(fixture("real-world.txt")).expect("manifest");
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let requirement = words.next().expect("requirement").to_owned();
            let location = words.next().expect("location").to_owned();
            let settings = words
                .map(|word| {
                    let (key, value) = word.split_once('=').expect("key=value");
                    (key.to_owned(), value.to_owned())
                })
                .collect();
            Entry {
                requirement,
                location,
                settings,
            }
        })
        .collect()
}

/// Unpacks the corpus (downloading the wheels once); `None` when offline on a laptop.
fn corpus(python: &Path) -> Option<PathBuf> {
    let dest = workspace_root().join("target/corpus");
    let out = run(Command::new(python)
        .arg(support_script("fetch_corpus.py"))
        .arg(fixture("real-world.txt"))
        .arg(&dest));
    if out.code != 0 {
        let message = format!(
            "could not fetch the real-world corpus from PyPI:\n{}",
            out.stderr
        );
        assert!(!in_ci(), "{message}");
        eprintln!("skipped: {message}");
        return None;
    }
    Some(dest)
}

#[test]
fn real_world_graphs_match_alembic() {
    let Some(python) = reference_python() else {
        return;
    };
    let Some(corpus) = corpus(&python) else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut total = 0;
    for (number, entry) in manifest().iter().enumerate() {
        let root = corpus.join(entry.requirement.replace("==", "-"));
        let location = root.join(&entry.location);
        let mut alembic_extra = vec![
            "--stub-imports".to_owned(),
            format!("--sys-path={}", root.display()),
        ];
        let config = if entry.location.ends_with(".ini") {
            for (key, value) in &entry.settings {
                if key == "alembic_script_location" {
                    alembic_extra.push(format!("--script-location={}", root.join(value).display()));
                }
            }
            location.clone()
        } else {
            let dir = scratch.path().join(number.to_string());
            std::fs::create_dir_all(&dir).expect("mkdir");
            let mut ini = format!("[alembic]\nscript_location = {}\n", location.display());
            for (key, value) in &entry.settings {
                ini.push_str(&format!(
                    "{key} = {}\n",
                    value.replace("{script}", &location.to_string_lossy())
                ));
            }
            let path = dir.join("alembic.ini");
            std::fs::write(&path, ini).expect("write ini");
            path
        };
        let extra: Vec<&str> = alembic_extra.iter().map(String::as_str).collect();
        let theirs = alembic_graph(&python, &config, &extra);
        let out = run(doctor()
            .arg("-c")
            .arg(&config)
            .args(["graph", "--format", "json"]));
        if out.code != 0 {
            failures.push(format!(
                "{} {}: exit {}: {}",
                entry.requirement, entry.location, out.code, out.stderr
            ));
            continue;
        }
        let ours: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
        let count = theirs["revisions"].as_array().map_or(0, Vec::len);
        total += count;
        if ours != theirs {
            failures.push(format!(
                "{} {}: graphs differ",
                entry.requirement, entry.location
            ));
        } else if count == 0 {
            failures.push(format!(
                "{} {}: no revisions found",
                entry.requirement, entry.location
            ));
        }
    }
    eprintln!("{total} real-world revisions compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(total > 1000, "only {total} revisions in the corpus");
}
