//! The interpreter on single revision files: what it follows, and what it
//! records as unknown (with line and text) instead of guessing.

// Tests may panic: a panic here is a failing test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use std::path::Path;

use migration_doctor_infer::run_upgrade;
use migration_doctor_schema::{Dialect, Schema};

fn upgrade(
    source: &str,
    dialect: Dialect,
    schema: &mut Schema,
) -> migration_doctor_infer::RevisionOutcome {
    run_upgrade(Path::new("versions/x.py"), source, dialect, schema)
}

const HEADER: &str =
    "from alembic import op\nimport sqlalchemy as sa\nrevision = 'x'\ndown_revision = None\n";

fn with_header(body: &str) -> String {
    format!("{HEADER}{body}")
}

#[test]
fn unknowable_things_are_recorded_with_line_and_text() {
    let source = with_header(
        r#"from myapp.models import Base
from myapp import helpers

def upgrade():
    op.create_table('a', sa.Column('id', sa.Integer, primary_key=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text('SELECT name FROM tenants')).fetchall()
    for row in rows:
        op.create_table('t_' + row[0], sa.Column('id', sa.Integer))
    count = conn.execute(sa.text('SELECT count(*) FROM a')).scalar()
    if count > 0:
        op.add_column('a', sa.Column('x', sa.Integer))
    helpers.create_audit_table(op)
    Base.metadata.create_all(conn)
    op.execute('THIS IS NOT SQL AT ALL')
    op.add_column('a', sa.Column('y', sa.Integer))
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Postgresql, &mut schema);
    let lines: Vec<(usize, &str)> = outcome
        .unknown
        .iter()
        .map(|u| (u.line, u.text.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (12, "for row in rows:"),
            (15, "if count > 0:"),
            (17, "helpers.create_audit_table(op)"),
            (18, "Base.metadata.create_all(conn)"),
            (19, "op.execute('THIS IS NOT SQL AT ALL')"),
        ],
        "{:#?}",
        outcome.unknown
    );
    let table = &schema.tables["a"];
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns,
        ["id", "y"],
        "known operations around the unknown ones still apply"
    );
    assert_eq!(outcome.data_steps().count(), 2, "the two queries");
}

#[test]
fn operations_on_missing_tables_are_unknown_not_fatal() {
    let source = with_header(
        r#"
def upgrade():
    op.drop_column('ghost', 'x')
    op.create_table('b', sa.Column('id', sa.Integer))
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Sqlite, &mut schema);
    assert_eq!(outcome.unknown.len(), 1);
    assert!(
        outcome.unknown[0].reason.contains("ghost"),
        "{:?}",
        outcome.unknown
    );
    assert!(schema.tables.contains_key("b"));
}

#[test]
fn sql_statements_change_the_schema_or_count_as_data() {
    let source = with_header(
        r#"
def upgrade():
    op.execute("CREATE TABLE t (id SERIAL PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE)")
    op.execute(sa.text('ALTER TABLE t ADD COLUMN note TEXT'))
    op.execute('ALTER TABLE t RENAME COLUMN note TO remark')
    op.execute('ALTER TABLE t ALTER COLUMN remark SET NOT NULL')
    op.execute('CREATE UNIQUE INDEX ux_t_remark ON t (remark)')
    op.execute("INSERT INTO t (name, remark) VALUES ('a', 'b')")
    op.execute("UPDATE t SET remark = 'c'")
    op.execute("DO $$ BEGIN RAISE NOTICE 'x'; END $$")
    op.execute('CREATE VIEW v AS SELECT id FROM t')
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Postgresql, &mut schema);
    // A `DO` block has effects the comparison cannot see: unknown, not "nothing".
    assert_eq!(outcome.unknown.len(), 1, "{:?}", outcome.unknown);
    assert!(outcome.unknown[0].text.contains("DO $$"));
    assert_eq!(outcome.data_steps().count(), 2);
    let probes: Vec<bool> = outcome
        .data_steps()
        .map(|step| {
            step.probe
                .as_ref()
                .is_some_and(|probe| probe.applied_when_found)
        })
        .collect();
    assert_eq!(
        probes,
        [true, false],
        "the INSERT is found by its row, the UPDATE by rows left"
    );
    let table = &schema.tables["t"];
    let columns: Vec<(&str, bool, String)> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.nullable, c.type_family.to_string()))
        .collect();
    assert_eq!(
        columns,
        vec![
            ("id", false, "integer".to_owned()),
            ("name", false, "string(20)".to_owned()),
            ("remark", false, "text".to_owned())
        ]
    );
    assert_eq!(table.primary_key, ["id"]);
    assert!(
        table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some("ux_t_remark") && index.unique)
    );
    assert!(schema.views.contains("v"));
}

#[test]
fn python_the_migrations_use() {
    let source = with_header(
        r#"
PREFIX = 'app'
TABLES = {'users': 'u', 'groups': 'g'}

def _name(base, suffix='x'):
    return '%s_%s' % (PREFIX, base) if suffix else base

def upgrade():
    names = []
    for table, short in TABLES.items():
        names.append(_name(table))
    for name in sorted(names):
        op.create_table(name, sa.Column('id', sa.Integer, primary_key=True), sa.Column('{}_code'.format(name[4:]), sa.String(len(name))))
    cols = [c for c in ['a', 'b', 'c'] if c != 'b']
    renames = {new: old for old, new in {'x': 'a'}.items()}
    op.create_table(renames['a'] + '_t', sa.Column('id', sa.Integer, primary_key=True))
    with op.batch_alter_table('app_users', schema=None) as batch_op:
        for col in cols:
            batch_op.add_column(sa.Column(col, sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name != 'sqlite' and 'app_groups' in sa.inspect(op.get_bind()).get_table_names():
        op.drop_table('app_groups')
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Mysql, &mut schema);
    assert!(outcome.unknown.is_empty(), "{:?}", outcome.unknown);
    let tables: Vec<&String> = schema.tables.keys().collect();
    assert_eq!(tables, ["app_users", "x_t"]);
    let users = &schema.tables["app_users"];
    let columns: Vec<String> = users
        .columns
        .iter()
        .map(|c| format!("{} {}", c.name, c.type_family))
        .collect();
    assert_eq!(
        columns,
        [
            "id integer",
            "users_code string(9)",
            "a boolean",
            "c boolean"
        ]
    );

    let mut schema = Schema::default();
    upgrade(&source, Dialect::Sqlite, &mut schema);
    assert_eq!(
        schema.tables.len(),
        3,
        "the drop is for other dialects only"
    );
}

#[test]
fn helpers_from_the_projects_own_modules_are_followed() {
    // The interpreter reads no files: the modules come from a source.
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "shop.migrations.util".to_owned(),
        r#"from alembic import op
import sqlalchemy as sa

PREFIX = "shop_"


def create_named(name, *columns):
    op.create_table(PREFIX + name, sa.Column("id", sa.Integer, primary_key=True), *columns)


def add_flag(table, name):
    if name not in [c["name"] for c in sa.inspect(op.get_bind()).get_columns(PREFIX + table)]:
        op.add_column(PREFIX + table, sa.Column(name, sa.Boolean()))
    rows = op.get_bind().execute(sa.text("SELECT 1")).fetchall()
    for row in rows:
        op.drop_table(PREFIX + table)
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let source = with_header(
        r#"
from shop.migrations.util import add_flag, create_named

def upgrade():
    create_named("orders", sa.Column("total", sa.Integer))
    add_flag("orders", "paid")
"#,
    );
    let mut schema = Schema::default();
    let outcome = migration_doctor_infer::run_upgrade_in(
        Path::new("versions/x.py"),
        &source,
        Dialect::Sqlite,
        &mut schema,
        &modules,
    );
    let columns: Vec<&str> = schema.tables["shop_orders"]
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(columns, ["id", "total", "paid"]);
    // The loop over a query result inside the helper is reported at the call in the revision.
    let unknown: Vec<(usize, &str)> = outcome
        .unknown
        .iter()
        .map(|u| (u.line, u.text.as_str()))
        .collect();
    assert_eq!(
        unknown,
        [(10, r#"add_flag("orders", "paid")"#)],
        "{:?}",
        outcome.unknown
    );
}

#[test]
fn names_and_types_from_the_projects_own_modules_are_resolved() {
    let mut modules = std::collections::HashMap::new();
    let mut module = |name: &str, text: &str| modules.insert(name.to_owned(), text.to_owned());
    module(
        "app.models.__init__",
        r#"
def __getattr__(name):
    path = __lazy_imports.get(name)
    from importlib import import_module
    return getattr(import_module(path), name)

__lazy_imports = {"ID_LEN": "app.models.base", "Run": "app.models.run"}
"#,
    );
    module(
        "app.models.base",
        r#"
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlalchemy.dialects import postgresql

ID_LEN = 250

class Base:
    __abstract__ = True
    schema_version = 3

class GUID(TypeDecorator):
    impl = sa.CHAR
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID())
        return dialect.type_descriptor(sa.CHAR(32))

class Stamp(TypeDecorator):
    impl = sa.String

class Money(sa.Numeric):
    pass
"#,
    );
    module(
        "app.models.run",
        r#"
from .base import Base, GUID

class SqlRun(Base):
    __tablename__ = "runs"
"#,
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let source = with_header(
        r#"
from app.models import ID_LEN
from app.models.run import SqlRun
from app.models.base import GUID, Stamp, Money

def upgrade():
    op.create_table(
        SqlRun.__tablename__,
        sa.Column("id", GUID(), primary_key=True),
        sa.Column("dag_id", sa.String(ID_LEN)),
        sa.Column("stamp", Stamp(40)),
        sa.Column("cost", Money(10, 2)),
        sa.Column("doc", sa.JSON().with_variant(sa.Text(), "sqlite")),
        sa.Column("version", sa.Integer, server_default=str(SqlRun.schema_version)),
    )
"#,
    );
    for (dialect, id, doc) in [
        (Dialect::Postgresql, "uuid", "json"),
        (Dialect::Sqlite, "string(32)", "text"),
    ] {
        let mut schema = Schema::default();
        let outcome = migration_doctor_infer::run_upgrade_in(
            Path::new("versions/x.py"),
            &source,
            dialect,
            &mut schema,
            &modules,
        );
        assert!(outcome.unknown.is_empty(), "{:?}", outcome.unknown);
        let columns: Vec<(String, String)> = schema.tables["runs"]
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.type_family.to_string()))
            .collect();
        let expected = [
            ("id", id),
            ("dag_id", "string(250)"),
            ("stamp", "string(40)"),
            ("cost", "numeric(10,2)"),
            ("doc", doc),
            ("version", "integer"),
        ]
        .map(|(name, family)| (name.to_owned(), family.to_owned()));
        assert_eq!(columns, expected, "{dialect}");
    }
}

#[test]
fn the_naming_convention_comes_from_env_py_target_metadata() {
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "app.models.base".to_owned(),
        r#"
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

convention = {"ix": "idx_%(column_0_N_label)s", "uq": "%(table_name)s_%(column_0_name)s_uq"}
metadata = sa.MetaData(schema=SETTINGS.schema, naming_convention=convention)
Base = declarative_base(metadata=metadata)
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let env = "from alembic import context\nfrom app import models\n\ntarget_metadata = models.base.Base.metadata\n";
    let naming = migration_doctor_infer::env_naming_convention(Path::new("env.py"), env, &modules);
    assert!(!naming.is_default(), "{naming:?}");
    let source = with_header(
        r#"
def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Integer, index=True))
    op.create_unique_constraint(None, "t", ["a"])
"#,
    );
    let mut schema = Schema::default();
    migration_doctor_infer::run_upgrade_with(
        Path::new("versions/x.py"),
        &source,
        Dialect::Postgresql,
        &mut schema,
        &modules,
        &migration_doctor_infer::ProjectSetup {
            naming: std::sync::Arc::new(naming),
            ..Default::default()
        },
    );
    let table = &schema.tables["t"];
    assert_eq!(table.indexes[0].name.as_deref(), Some("idx_t_a"));
    assert_eq!(table.unique_constraints[0].name.as_deref(), Some("t_a_uq"));
}

#[test]
fn a_naming_convention_through_a_registry_or_a_declarative_class() {
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "shop.models".to_owned(),
        r#"
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

convention = {"ix": "idx_%(table_name)s_%(column_0_N_name)s"}
mapper_registry = registry(metadata=MetaData(naming_convention=convention))
Base = mapper_registry.generate_base()

class Modern(DeclarativeBase):
    metadata = MetaData(naming_convention={"ix": "modern_%(column_0_name)s"})

class ThroughRegistry(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention={"ix": "reg_%(column_0_name)s"}))

class Plain(DeclarativeBase):
    pass
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let index_name = |target: &str| {
        let env = format!(
            "from alembic import context\nfrom shop.models import Base, Modern, ThroughRegistry, Plain\ntarget_metadata = {target}\n"
        );
        let naming =
            migration_doctor_infer::env_naming_convention(Path::new("env.py"), &env, &modules);
        let source = with_header(
            "def upgrade():\n    op.create_table(\"t\", sa.Column(\"a\", sa.Integer, index=True))\n",
        );
        let mut schema = Schema::default();
        migration_doctor_infer::run_upgrade_with(
            Path::new("versions/x.py"),
            &source,
            Dialect::Postgresql,
            &mut schema,
            &modules,
            &migration_doctor_infer::ProjectSetup {
                naming: std::sync::Arc::new(naming.clone()),
                ..Default::default()
            },
        );
        let name = schema.tables["t"].indexes[0].name.clone();
        (name.unwrap_or_default(), naming.is_confirmed())
    };
    assert_eq!(index_name("Base.metadata"), ("idx_t_a".to_owned(), true));
    assert_eq!(index_name("Modern.metadata"), ("modern_a".to_owned(), true));
    assert_eq!(
        index_name("ThroughRegistry.metadata"),
        ("reg_a".to_owned(), true)
    );
    // SQLAlchemy's default, known to be the project's.
    assert_eq!(index_name("Plain.metadata"), ("ix_t_a".to_owned(), true));
    assert_eq!(index_name("None"), ("ix_t_a".to_owned(), true));
    // A metadata that cannot be followed: the default is a guess, and the
    // revision says which names it guessed.
    assert_eq!(index_name("load_metadata()"), ("ix_t_a".to_owned(), false));
    let env = "target_metadata = load_metadata()\n";
    let naming = migration_doctor_infer::env_naming_convention(Path::new("env.py"), env, &modules);
    let mut schema = Schema::default();
    let outcome = migration_doctor_infer::run_upgrade_with(
        Path::new("versions/x.py"),
        &with_header(
            "def upgrade():\n    op.create_table(\"t\", sa.Column(\"a\", sa.Integer, index=True))\n",
        ),
        Dialect::Postgresql,
        &mut schema,
        &modules,
        &migration_doctor_infer::ProjectSetup {
            naming: std::sync::Arc::new(naming),
            ..Default::default()
        },
    );
    assert_eq!(
        outcome.guessed_index_names,
        [("t".to_owned(), "ix_t_a".to_owned())]
    );
}

#[test]
fn what_each_dialect_does_on_its_own() {
    let base = with_header(
        r#"
def upgrade():
    op.create_table(
        "lines",
        sa.Column("order_id", sa.Integer, primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("note", sa.String(40)),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="cascade")),
    )
"#,
    );
    let later = with_header(
        r#"
def upgrade():
    op.alter_column("lines", "note", existing_type=sa.String(80), nullable=False)
    op.drop_column("lines", "line")
"#,
    );
    let mut found = Vec::new();
    for dialect in [Dialect::Postgresql, Dialect::Mysql, Dialect::Sqlite] {
        let mut schema = Schema::default();
        upgrade(
            "def upgrade():\n    op.create_table('owners', sa.Column('id', sa.Integer, primary_key=True))\n",
            dialect,
            &mut schema,
        );
        upgrade(&base, dialect, &mut schema);
        let key = &schema.tables["lines"].foreign_keys[0];
        assert_eq!(
            key.on_delete,
            migration_doctor_schema::ReferentialAction::Cascade
        );
        upgrade(&later, dialect, &mut schema);
        let table = &schema.tables["lines"];
        let note = table
            .column("note")
            .map(|note| note.type_family.to_string());
        found.push((dialect, note, table.primary_key.clone()));
    }
    assert_eq!(
        found,
        [
            // PostgreSQL drops the whole key with one of its columns.
            (Dialect::Postgresql, Some("string(40)".to_owned()), vec![]),
            // MySQL restates the column with `existing_type`.
            (
                Dialect::Mysql,
                Some("string(80)".to_owned()),
                vec!["order_id".to_owned()]
            ),
            (
                Dialect::Sqlite,
                Some("string(40)".to_owned()),
                vec!["order_id".to_owned()]
            ),
        ]
    );
}

#[test]
fn what_real_projects_showed() {
    let source = with_header(
        r#"
def upgrade():
    op.create_table(
        "keys",
        sa.Column("encryption_id", sa.String(36), primary_key=True, nullable=True),
        sa.Column("email", sa.String(80), index=True, unique=True),
    )
    op.execute("CREATE INDEX ix_keys_a_name_much_longer_than_postgresql_allows_for_any_identifier_at_all ON keys (email)")
    op.create_index("ix_keys_sum", "keys", [sa.text("(cumulative_llm_token_count_prompt + cumulative_llm_token_count_completion)")])
"#,
    );
    for dialect in [Dialect::Postgresql, Dialect::Sqlite] {
        let mut schema = Schema::default();
        upgrade(&source, dialect, &mut schema);
        let table = &schema.tables["keys"];
        // SQLite leaves a key column the migration calls nullable nullable.
        assert_eq!(
            table.column("encryption_id").map(|c| c.nullable),
            Some(dialect == Dialect::Sqlite)
        );
        // `index=True, unique=True` is one unique index, no constraint.
        let email = table
            .indexes
            .iter()
            .find(|index| index.columns == ["email"] && index.unique);
        assert!(email.is_some(), "{:?}", table.indexes);
        assert!(
            table.unique_constraints.is_empty(),
            "{:?}",
            table.unique_constraints
        );
        // PostgreSQL cuts a long name at 63 bytes; an expression is no name.
        let names: Vec<&str> = table
            .indexes
            .iter()
            .filter_map(|i| i.name.as_deref())
            .collect();
        if dialect == Dialect::Postgresql {
            assert!(
                names.contains(&"ix_keys_a_name_much_longer_than_postgresql_allows_for_any_ident"),
                "{names:?}"
            );
        }
        let sum = table
            .indexes
            .iter()
            .find(|i| i.name.as_deref() == Some("ix_keys_sum"));
        assert_eq!(
            sum.map(|index| index.columns[0].len()),
            Some(
                "(cumulative_llm_token_count_prompt + cumulative_llm_token_count_completion)".len()
            )
        );
    }
    // sqlmodel's AutoString is VARCHAR(255) on MySQL.
    let auto = with_header(
        "import sqlmodel\ndef upgrade():\n    op.create_table('t', sa.Column('name', sqlmodel.sql.sqltypes.AutoString()))\n",
    );
    let mut schema = Schema::default();
    upgrade(&auto, Dialect::Mysql, &mut schema);
    assert_eq!(
        schema.tables["t"]
            .column("name")
            .map(|c| c.type_family.to_string()),
        Some("string(255)".to_owned())
    );
}

#[test]
fn a_naming_convention_in_the_runtime_branch_of_type_checking() {
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "app.base".to_owned(),
        r#"
from typing import TYPE_CHECKING
from sqlalchemy import MetaData
from sqlalchemy.orm import registry

metadata = MetaData(naming_convention={"ix": "idx_%(table_name)s_%(column_0_name)s"})
mapper_registry = registry(metadata=metadata)
if TYPE_CHECKING:
    Base = object
else:
    Base = mapper_registry.generate_base()
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let env = "from app.base import Base\ntarget_metadata = Base.metadata\n";
    let naming = migration_doctor_infer::env_naming_convention(Path::new("env.py"), env, &modules);
    assert!(naming.is_confirmed() && !naming.is_default(), "{naming:?}");
}

#[test]
fn ddl_on_sequences_waives_no_table() {
    let source = with_header(
        r#"
def upgrade():
    op.execute(sa.schema.DropSequence(sa.Sequence("legacy_numbers")))
    op.execute(sa.DDL("DROP SEQUENCE IF EXISTS other_numbers"))
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Postgresql, &mut schema);
    assert!(!outcome.unknown.is_empty());
    assert!(
        outcome
            .unknown
            .iter()
            .all(|unknown| unknown.touches_no_table),
        "{:?}",
        outcome.unknown
    );
}

#[test]
fn helper_classes_of_the_project_run_their_methods() {
    // The shape of galaxy's migration utilities: operation objects whose
    // `run()` checks the configuration and the schema, then calls `op.*`.
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "app.migrations.util".to_owned(),
        r#"
import logging
from abc import ABC, abstractmethod
from alembic import context, op
import sqlalchemy as sa

log = logging.getLogger(__name__)


class Operation(ABC):
    def run(self):
        if not bool(context.config.get_main_option("repair")):
            return self.execute()
        if self.check():
            return self.execute()
        log.info("skipped")

    @abstractmethod
    def execute(self): ...


class Alter(Operation):
    def __init__(self, table_name):
        self.table_name = table_name

    def run(self):
        if context.is_offline_mode():
            return None
        return super().run()

    def execute(self):
        if op.get_context().dialect.name == "sqlite":
            with op.batch_alter_table(self.table_name) as batch_op:
                return self.batch_execute(batch_op)
        return self.plain_execute()


class AddColumn(Alter):
    def __init__(self, table_name, column):
        super().__init__(table_name)
        self.column = column

    def batch_execute(self, batch_op):
        batch_op.add_column(self.column)

    def plain_execute(self):
        op.add_column(self.table_name, self.column)

    def check(self):
        return True


def add_column(table_name, column):
    AddColumn(table_name, column).run()
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let source = with_header(
        r#"
from app.migrations.util import add_column

def upgrade():
    op.create_table("jobs", sa.Column("id", sa.Integer, primary_key=True))
    add_column("jobs", sa.Column("state", sa.String(64)))
"#,
    );
    for dialect in [Dialect::Sqlite, Dialect::Postgresql] {
        let mut schema = Schema::default();
        let outcome = migration_doctor_infer::run_upgrade_in(
            Path::new("versions/x.py"),
            &source,
            dialect,
            &mut schema,
            &modules,
        );
        assert!(
            outcome.unknown.is_empty(),
            "{dialect}: {:?}",
            outcome.unknown
        );
        let columns: Vec<&str> = schema.tables["jobs"]
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(columns, ["id", "state"], "{dialect}");
    }
}

#[test]
fn a_baseline_of_models_on_a_declarative_base_value() {
    let mut modules = std::collections::HashMap::new();
    modules.insert(
        "tracker.initial".to_owned(),
        r#"
from sqlalchemy import Column, ForeignKey, Integer, String, PrimaryKeyConstraint
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

class Experiment(Base):
    __tablename__ = "experiments"
    experiment_id = Column(Integer, autoincrement=True)
    name = Column(String(256), unique=True, nullable=False)
    __table_args__ = (PrimaryKeyConstraint("experiment_id", name="experiment_pk"),)

class Run(Base):
    __tablename__ = "runs"
    run_uuid = Column(String(32), primary_key=True)
    experiment_id = Column(Integer, ForeignKey("experiments.experiment_id"))
    experiment = relationship("Experiment")
"#
        .to_owned(),
    );
    let modules = migration_doctor_infer::ModuleCache::new(modules);
    let mut schema = Schema::default();
    let outcome = migration_doctor_infer::run_baseline(
        "tracker.initial:Base.metadata",
        Dialect::Postgresql,
        &mut schema,
        &modules,
        &std::sync::Arc::default(),
    )
    .expect("the baseline reads");
    assert!(outcome.unknown.is_empty(), "{:?}", outcome.unknown);
    let tables: Vec<&String> = schema.tables.keys().collect();
    assert_eq!(tables, ["experiments", "runs"]);
    let experiments = &schema.tables["experiments"];
    assert_eq!(experiments.primary_key, ["experiment_id"]);
    assert!(!experiments.columns[0].nullable);
    assert_eq!(
        schema.tables["runs"].foreign_keys[0].name.as_deref(),
        Some("runs_experiment_id_fkey")
    );
    let wrong = migration_doctor_infer::run_baseline(
        "tracker.initial:Missing",
        Dialect::Postgresql,
        &mut Schema::default(),
        &modules,
        &std::sync::Arc::default(),
    );
    assert!(wrong.is_err());
}

/// A file cannot hang or exhaust the tool: the work of the whole file is
/// bounded (nested loops, comprehensions in loops), and so is the size of
/// the strings it builds; what lies beyond is unknown, and what came
/// before is kept.
#[test]
fn hostile_work_is_bounded_per_file() {
    let source = with_header(
        r#"
def upgrade():
    op.create_table('kept', sa.Column('id', sa.Integer, primary_key=True))
    name = "x" * 1000000000000
    op.create_table(name, sa.Column('id', sa.Integer, primary_key=True))
    for a in range(100000):
        for b in range(100000):
            total = [c for c in range(100000)]
    op.create_table('after', sa.Column('id', sa.Integer, primary_key=True))
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Postgresql, &mut schema);
    assert!(schema.tables.contains_key("kept"));
    assert!(!schema.tables.contains_key("after"));
    let reasons: Vec<&str> = outcome.unknown.iter().map(|u| u.reason.as_str()).collect();
    // The string was not built: the table it would name is unknown.
    assert_eq!(
        schema.tables.len(),
        1,
        "{:?}",
        schema.tables.keys().collect::<Vec<_>>()
    );
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("name only known at run time")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("follows no further")),
        "{reasons:?}"
    );
}

/// A table takes no more columns than its database allows: past the limit
/// the operation is unknown (the database would refuse it).
#[test]
fn columns_past_the_database_limit_are_unknown() {
    let source = with_header(
        r#"
def upgrade():
    op.create_table('wide', sa.Column('id', sa.Integer, primary_key=True))
    for i in range(1700):
        op.add_column('wide', sa.Column('c%d' % i, sa.Integer))
"#,
    );
    let mut schema = Schema::default();
    let outcome = upgrade(&source, Dialect::Postgresql, &mut schema);
    assert_eq!(schema.tables["wide"].columns.len(), 1_600);
    assert!(
        outcome
            .unknown
            .iter()
            .any(|unknown| unknown.reason.contains("more than 1600 columns")),
        "{:?}",
        outcome.unknown
    );
}
