//! The operations cache: what it gives equals what interpreting gives, and
//! it is not used for a revision file, a project module, a dialect or a
//! build of the tool that changed.

// Tests may panic: a panic here is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use migration_doctor_graph::RevisionGraph;
use migration_doctor_infer::{
    CacheState, ExpectedSchemas, ModuleCache, OperationsCache, ProjectSetup,
};
use migration_doctor_schema::Dialect;
use migration_doctor_scripts::RevisionFile;

/// A linear history of `(id, body)` with a merge: `c` merges `b1` and
/// `b2`, both after `a`.
fn history(bodies: &[(&str, &[&str], &str)]) -> RevisionGraph {
    let files = bodies
        .iter()
        .map(|(id, parents, body)| {
            let body: String = body.lines().map(|line| format!("    {line}\n")).collect();
            RevisionFile {
                revision: (*id).to_owned(),
                down_revisions: parents.iter().map(|p| (*p).to_owned()).collect(),
                branch_labels: Vec::new(),
                depends_on: Vec::new(),
                path: PathBuf::from(format!("versions/{id}.py")),
                message: String::new(),
                line: 4,
                source: format!(
                    "from alembic import op\nimport sqlalchemy as sa\nfrom helpers import add_flag\n\n\
                     revision = {id:?}\n\ndef upgrade():\n{body}"
                ),
            }
        })
        .collect();
    RevisionGraph::build(files)
}

const A: &str = "op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('email', sa.String(80)))\nop.create_index('ix_users_email', 'users', ['email'], unique=True)";
const B1: &str = "op.add_column('users', sa.Column('name', sa.String(40)))\nop.execute(\"UPDATE users SET name = 'x'\")";
const B2: &str = "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True), sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id')))";
const C: &str = "with op.batch_alter_table('users') as batch:\n    batch.drop_column('email')\nadd_flag('orders')\nop.some_unknown_call('orders')";

fn graph_with(c_body: &str) -> RevisionGraph {
    history(&[
        ("a", &[], A),
        ("b1", &["a"], B1),
        ("b2", &["a"], B2),
        ("c", &["b1", "b2"], c_body),
        (
            "d",
            &["c"],
            "op.drop_index('ix_users_email', table_name='users')",
        ),
    ])
}

fn modules(helper: &str) -> ModuleCache {
    let mut source = HashMap::new();
    source.insert("helpers".to_owned(), helper.to_owned());
    ModuleCache::new(source)
}

const HELPER: &str = "from alembic import op\nimport sqlalchemy as sa\n\ndef add_flag(table):\n    op.add_column(table, sa.Column('flag', sa.Boolean()))\n";

/// Writes the cache of `graph` to `folder`; returns what it interpreted.
fn write(
    folder: &Path,
    graph: &RevisionGraph,
    dialect: Dialect,
    modules: &ModuleCache,
) -> (usize, usize) {
    let setup = ProjectSetup::default();
    let (mut cache, _) = OperationsCache::open(folder, dialect, &setup, modules);
    cache.record();
    ExpectedSchemas::compute_cached(graph, dialect, modules, &setup, Some(&mut cache));
    cache.save(folder, dialect, modules).expect("save");
    (cache.reused, cache.interpreted)
}

/// Computes with the cache in `folder`: the states, and how many revisions
/// were reused and interpreted.
fn read(
    folder: &Path,
    graph: &RevisionGraph,
    dialect: Dialect,
    modules: &ModuleCache,
) -> (ExpectedSchemas, CacheState, usize, usize) {
    let setup = ProjectSetup::default();
    let (mut cache, state) = OperationsCache::open(folder, dialect, &setup, modules);
    let expected =
        ExpectedSchemas::compute_cached(graph, dialect, modules, &setup, Some(&mut cache));
    (expected, state, cache.reused, cache.interpreted)
}

fn assert_same(graph: &RevisionGraph, ours: &ExpectedSchemas, theirs: &ExpectedSchemas) {
    for index in 0..graph.len() {
        let state = |expected: &ExpectedSchemas| {
            expected
                .state(index)
                .map(|state| (state.schema.clone(), state.uncertainty.clone()))
        };
        assert_eq!(
            state(ours),
            state(theirs),
            "state after {}",
            graph.revision(index).id()
        );
        assert_eq!(ours.outcome(index), theirs.outcome(index));
    }
    assert_eq!(ours.assumed_tables(), theirs.assumed_tables());
    for table in ["users", "orders"] {
        assert_eq!(ours.managed_objects(table), theirs.managed_objects(table));
    }
}

#[test]
fn cached_operations_give_what_interpreting_gives() {
    let folder = tempfile::tempdir().unwrap();
    let graph = graph_with(C);
    for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
        let plain = ExpectedSchemas::compute_from(
            &graph,
            dialect,
            &modules(HELPER),
            &ProjectSetup::default(),
        );
        assert_eq!(
            write(folder.path(), &graph, dialect, &modules(HELPER)),
            (0, 5)
        );
        let (cached, state, reused, interpreted) =
            read(folder.path(), &graph, dialect, &modules(HELPER));
        assert_eq!(state, CacheState::Read(5));
        assert_eq!((reused, interpreted), (5, 0));
        assert_same(&graph, &cached, &plain);
        // The helper's column and the unknown call came through.
        let head = graph.index_of("d").unwrap();
        assert!(
            cached.after(head).unwrap().tables["orders"]
                .column("flag")
                .is_some()
        );
        assert_eq!(
            cached
                .unknown_operations(graph.index_of("c").unwrap())
                .len(),
            1
        );
    }
}

#[test]
fn a_changed_revision_file_is_interpreted_again_with_what_follows_it() {
    let folder = tempfile::tempdir().unwrap();
    write(
        folder.path(),
        &graph_with(C),
        Dialect::Postgresql,
        &modules(HELPER),
    );
    // `c` changed: `c` and `d` (after it) are interpreted; a, b1, b2 are not.
    let changed = graph_with(&C.replace("add_flag('orders')", "add_flag('users')"));
    let (cached, _, reused, interpreted) = read(
        folder.path(),
        &changed,
        Dialect::Postgresql,
        &modules(HELPER),
    );
    assert_eq!((reused, interpreted), (3, 2));
    let plain = ExpectedSchemas::compute_from(
        &changed,
        Dialect::Postgresql,
        &modules(HELPER),
        &ProjectSetup::default(),
    );
    assert_same(&changed, &cached, &plain);
    let head = changed.index_of("d").unwrap();
    assert!(
        cached.after(head).unwrap().tables["users"]
            .column("flag")
            .is_some()
    );
}

#[test]
fn a_changed_project_module_drops_the_cache() {
    let folder = tempfile::tempdir().unwrap();
    let graph = graph_with(C);
    write(folder.path(), &graph, Dialect::Sqlite, &modules(HELPER));
    let other = HELPER.replace("'flag'", "'flagged'");
    let (cached, state, reused, _) = read(folder.path(), &graph, Dialect::Sqlite, &modules(&other));
    assert_eq!(state, CacheState::ModulesChanged);
    assert_eq!(reused, 0);
    let head = graph.index_of("d").unwrap();
    assert!(
        cached.after(head).unwrap().tables["orders"]
            .column("flagged")
            .is_some()
    );
}

#[test]
fn another_dialect_or_build_is_never_read() {
    let folder = tempfile::tempdir().unwrap();
    let graph = graph_with(C);
    write(folder.path(), &graph, Dialect::Sqlite, &modules(HELPER));
    let (_, state, reused, _) = read(folder.path(), &graph, Dialect::Mysql, &modules(HELPER));
    assert_eq!((state, reused), (CacheState::Missing, 0));
    // The SQLite file under MySQL's name: its header names SQLite.
    let sqlite = folder.path().join("operations-sqlite.bin");
    let mysql = folder.path().join("operations-mysql.bin");
    std::fs::copy(&sqlite, &mysql).unwrap();
    let (_, state, reused, _) = read(folder.path(), &graph, Dialect::Mysql, &modules(HELPER));
    assert_eq!((state, reused), (CacheState::OtherBuild, 0));
    // Another build of the tool (its fingerprint in the header differs).
    let mut bytes = std::fs::read(&sqlite).unwrap();
    let at = 4 + 4; // the format, then the build string's length
    bytes[at] ^= 0x01;
    std::fs::write(&sqlite, &bytes).unwrap();
    let (_, state, reused, _) = read(folder.path(), &graph, Dialect::Sqlite, &modules(HELPER));
    assert_eq!((state, reused), (CacheState::OtherBuild, 0));
    // A cut file is unreadable, never half used.
    write(folder.path(), &graph, Dialect::Sqlite, &modules(HELPER));
    let mut cut = std::fs::read(&sqlite).unwrap();
    cut.truncate(cut.len() / 2);
    std::fs::write(&sqlite, &cut).unwrap();
    let (_, state, reused, _) = read(folder.path(), &graph, Dialect::Sqlite, &modules(HELPER));
    assert_eq!(reused, 0);
    assert!(matches!(state, CacheState::Unreadable(_)), "{state:?}");
}
