//! SQL in `op.execute(...)`, parsed with sqlparser in the target dialect:
//! `CREATE/ALTER/DROP TABLE`, `CREATE/DROP INDEX`, `CREATE/DROP VIEW` become
//! the same operations as alembic's `op.*` and go through the same
//! [`Applier`], dialect effects included; `INSERT`,
//! `UPDATE`, `DELETE` are data steps with a probe where their SQL allows
//! one. Everything else (grants, comments, functions, triggers, types,
//! settings, SQL the parser rejects) is an unknown operation: it has effects
//! the comparison does not see.

use migration_doctor_schema::{Column, Dialect, TypeFamily};
use ruff_text_size::TextRange;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable,
    DataType, ObjectName, ObjectType, RenameTableNameKind, Statement, TableConstraint,
};
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::api::host::{Run, at, data_step};
use crate::apply::Applier;
use crate::apply::ColumnDefinition;
use crate::keys::table_key;
use crate::operation::{ColumnChange, DataStep, Operation};
use crate::value::{ConstraintSpec, ForeignKeySpec};

/// Statements with real effects that the comparison does not look at, and
/// that cannot change a detail of a table it sees: unknown operations (a
/// revision made of them is not "nothing") that make no table uncertain.
const NO_TABLE_PREFIXES: &[&str] = &[
    "comment on",
    "grant",
    "revoke",
    "set ",
    "create extension",
    "create function",
    "create or replace function",
    "drop function",
    "create trigger",
    "create or replace trigger",
    "drop trigger",
    "pragma",
    "create sequence",
    "alter sequence",
    "drop sequence",
    "create policy",
    "drop policy",
    "analyze",
    "vacuum",
    "select setval",
    "refresh materialized view",
    "create aggregate",
    "create or replace procedure",
    "create procedure",
    "drop procedure",
];

/// Statements with real effects that the comparison does not look at and
/// that may change tables (a type dropped with its columns, a `DO` block):
/// unknown operations that make tables uncertain.
const OTHER_UNCOMPARED_PREFIXES: &[&str] = &[
    "drop extension",
    "create type",
    "alter type",
    "drop type",
    "do $$",
    "do $",
    "do language",
    "lock table",
    "create rule",
];

fn starts_with_any(lowered: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|prefix| lowered.starts_with(prefix))
}

/// Whether `text`, one statement, can change no table the comparison sees.
fn touches_no_table(text: &str) -> bool {
    let lowered = text.trim_start().to_lowercase();
    let single = !lowered.trim_end().trim_end_matches(';').contains(';');
    single && starts_with_any(&lowered, NO_TABLE_PREFIXES)
}

const DATA_PREFIXES: &[&str] = &[
    "insert",
    "update",
    "delete",
    "select",
    "with",
    "merge",
    "replace into",
    "truncate",
];

pub fn apply_sql(run: &mut Run<'_>, text: &str, range: TextRange) {
    at(run, range);
    let dialect: Box<dyn SqlDialect> = match run.host.dialect {
        Dialect::Postgresql => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    };
    let statements = match Parser::parse_sql(dialect.as_ref(), text) {
        Ok(statements) => statements,
        Err(_) => {
            let lowered = text.trim_start().to_lowercase();
            if starts_with_any(&lowered, DATA_PREFIXES) {
                data_step(
                    run,
                    range,
                    DataStep {
                        sql: Some(text.to_owned()),
                        probe: None,
                        modelled: false,
                    },
                );
            } else if touches_no_table(text) {
                run.unknown_without_tables(range, "SQL whose effect the comparison does not see");
            } else if starts_with_any(&lowered, NO_TABLE_PREFIXES)
                || starts_with_any(&lowered, OTHER_UNCOMPARED_PREFIXES)
            {
                run.unknown(range, "SQL whose effect the comparison does not see");
            } else {
                run.unknown(range, "SQL that migration-doctor cannot parse");
            }
            return;
        }
    };
    for statement in statements {
        let harmless = touches_no_table(&statement.to_string());
        if let Err(reason) = apply_statement(run, statement, range) {
            if harmless {
                run.unknown_without_tables(range, &reason);
            } else {
                run.unknown(range, &reason);
            }
        }
    }
}

fn name_of(name: &ObjectName) -> (Option<String>, String) {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| unquote(&part.to_string()))
        .collect();
    match parts.as_slice() {
        [schema, table] => (Some(schema.clone()), table.clone()),
        [.., table] => (None, table.clone()),
        [] => (None, String::new()),
    }
}

fn unquote(text: &str) -> String {
    let text = text.trim();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if let Some(inner) = text
            .strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close))
        {
            return inner.to_owned();
        }
    }
    text.to_owned()
}

fn column_of(dialect: Dialect, definition: &ColumnDef) -> ColumnDefinition {
    let native = definition.data_type.to_string();
    let mut nullable = true;
    let mut primary_key = false;
    let mut unique = false;
    let mut default = None;
    let mut foreign_keys = Vec::new();
    for option in &definition.options {
        match &option.option {
            ColumnOption::NotNull => nullable = false,
            ColumnOption::PrimaryKey(_) => {
                primary_key = true;
                nullable = false;
            }
            ColumnOption::Unique(_) => unique = true,
            ColumnOption::Default(expr) => default = Some(expr.to_string()),
            ColumnOption::ForeignKey(foreign) => foreign_keys.push(foreign_key_spec(foreign)),
            _ => {}
        }
    }
    let type_family = TypeFamily::from_native(dialect, &native);
    ColumnDefinition {
        column: Column {
            name: unquote(&definition.name.to_string()),
            type_family,
            native_type: native,
            nullable,
            default,
        },
        nullable_given: false,
        primary_key,
        unique,
        index: false,
        foreign_keys,
    }
}

fn constraint_columns(columns: &[sqlparser::ast::IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|column| unquote(&column.column.expr.to_string()))
        .collect()
}

fn apply_statement(
    run: &mut Run<'_>,
    statement: Statement,
    range: TextRange,
) -> Result<(), String> {
    let dialect = run.host.dialect;
    match statement {
        Statement::CreateTable(create) => create_table(&mut run.host.applier, &create),
        Statement::AlterTable(alter) => {
            let (schema, name) = name_of(&alter.name);
            let key = table_key(&name, schema.as_deref());
            for operation in alter.operations {
                alter_table(run, &key, dialect, operation)?;
            }
            Ok(())
        }
        Statement::Drop {
            object_type,
            names,
            if_exists,
            ..
        } => drop_objects(&mut run.host.applier, object_type, &names, if_exists),
        Statement::CreateIndex(create) => create_index(&mut run.host.applier, &create),
        Statement::CreateView(view) => run
            .host
            .applier
            .replay(&Operation::CreateView {
                name: name_of(&view.name).1,
            })
            .map_err(String::from),
        statement @ (Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_)
        | Statement::Query(_)
        | Statement::Merge(_)
        | Statement::Truncate(_)) => {
            let probe = crate::probe::probe_for(&statement, dialect, run.host.applier.schema);
            data_step(
                run,
                range,
                DataStep {
                    sql: Some(statement.to_string()),
                    probe,
                    modelled: true,
                },
            );
            Ok(())
        }
        other => Err(format!(
            "SQL whose effect the comparison does not see: {}",
            other.to_string().chars().take(60).collect::<String>()
        )),
    }
}

/// `CREATE TABLE [IF NOT EXISTS]` with its columns and constraints.
fn create_table(applier: &mut Applier<'_>, create: &CreateTable) -> Result<(), String> {
    let (schema, name) = name_of(&create.name);
    let key = table_key(&name, schema.as_deref());
    if create.if_not_exists && applier.schema.tables.contains_key(&key) {
        return Ok(());
    }
    let dialect = applier.dialect;
    let columns: Vec<ColumnDefinition> = create
        .columns
        .iter()
        .map(|definition| column_of(dialect, definition))
        .collect();
    let constraints: Vec<ConstraintSpec> = create
        .constraints
        .iter()
        .filter_map(constraint_spec)
        .collect();
    applier
        .create_table_from(&key, columns, &constraints)
        .map_err(String::from)
}

/// `DROP TABLE|INDEX|VIEW [IF EXISTS] names`.
fn drop_objects(
    applier: &mut Applier<'_>,
    object_type: ObjectType,
    names: &[ObjectName],
    if_exists: bool,
) -> Result<(), String> {
    for name in names {
        let (schema, name) = name_of(name);
        let key = table_key(&name, schema.as_deref());
        let result = match object_type {
            ObjectType::Table => applier.drop_table(&key).map_err(String::from),
            ObjectType::Index => applier.drop_index(&name, None).map_err(String::from),
            ObjectType::View | ObjectType::MaterializedView => applier
                .replay(&Operation::DropView { name: name.clone() })
                .map_err(String::from),
            other => Err(format!("DROP {other} is not compared")),
        };
        if let Err(reason) = result
            && !if_exists
        {
            return Err(reason);
        }
    }
    Ok(())
}

/// `CREATE [UNIQUE] INDEX [IF NOT EXISTS]`.
fn create_index(applier: &mut Applier<'_>, create: &CreateIndex) -> Result<(), String> {
    let (schema, table) = name_of(&create.table_name);
    let key = table_key(&table, schema.as_deref());
    let name = create
        .name
        .as_ref()
        .map(|name| name_of(name).1)
        .unwrap_or_default();
    let exists = applier.schema.tables.get(&key).is_some_and(|table| {
        table
            .indexes
            .iter()
            .any(|index| index.name.as_deref() == Some(name.as_str()))
    });
    if create.if_not_exists && exists {
        return Ok(());
    }
    applier
        .create_index(
            &key,
            &name,
            constraint_columns(&create.columns),
            create.unique,
        )
        .map_err(String::from)
}

/// A `FOREIGN KEY … REFERENCES …` (inline on a column, the columns empty).
fn foreign_key_spec(foreign: &sqlparser::ast::ForeignKeyConstraint) -> ForeignKeySpec {
    let (referred_schema, referred_table) = name_of(&foreign.foreign_table);
    let names = |idents: &[sqlparser::ast::Ident]| -> Vec<String> {
        idents.iter().map(|ident| ident.value.clone()).collect()
    };
    ForeignKeySpec {
        name: foreign.name.as_ref().map(|name| name.value.clone()),
        columns: names(&foreign.columns),
        referred_schema,
        referred_table,
        referred_columns: names(&foreign.referred_columns),
        actions: crate::operation::ReferentialActions {
            on_delete: foreign.on_delete.as_ref().map(ToString::to_string),
            on_update: foreign.on_update.as_ref().map(ToString::to_string),
            unreadable: false,
        },
    }
}

fn constraint_spec(constraint: &TableConstraint) -> Option<ConstraintSpec> {
    match constraint {
        TableConstraint::PrimaryKey(primary) => Some(ConstraintSpec::PrimaryKey {
            name: primary.name.as_ref().map(|name| name.value.clone()),
            columns: constraint_columns(&primary.columns),
        }),
        TableConstraint::Unique(unique) => Some(ConstraintSpec::Unique {
            name: unique.name.as_ref().map(|name| name.value.clone()),
            columns: constraint_columns(&unique.columns),
        }),
        TableConstraint::ForeignKey(foreign) => {
            Some(ConstraintSpec::ForeignKey(foreign_key_spec(foreign)))
        }
        TableConstraint::Index(index) => Some(ConstraintSpec::Index {
            name: index.name.as_ref().map(|name| name.value.clone()),
            columns: constraint_columns(&index.columns),
            unique: false,
        }),
        TableConstraint::Check(_) => Some(ConstraintSpec::Check),
        _ => None,
    }
}

fn alter_table(
    run: &mut Run<'_>,
    key: &str,
    dialect: Dialect,
    operation: AlterTableOperation,
) -> Result<(), String> {
    match operation {
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => {
            let definition = column_of(dialect, &column_def);
            let exists = run
                .host
                .applier
                .schema
                .tables
                .get(key)
                .is_some_and(|table| table.column(&definition.column.name).is_some());
            if exists && if_not_exists {
                return Ok(());
            }
            run.host
                .applier
                .add_column_from(key, definition)
                .map_err(String::from)
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            for column in column_names {
                if let Err(reason) = run.host.applier.drop_column(key, &column.value)
                    && !if_exists
                {
                    return Err(reason.into());
                }
            }
            Ok(())
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => run
            .host
            .applier
            .alter_column(
                key,
                &old_column_name.value,
                ColumnChange {
                    new_name: Some(new_column_name.value),
                    ..ColumnChange::default()
                },
            )
            .map_err(String::from),
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(name) | RenameTableNameKind::To(name)) = table_name;
            let (schema, name) = name_of(&name);
            let new_key = table_key(&name, schema.as_deref());
            run.host
                .applier
                .rename_table(key, &new_key)
                .map_err(String::from)
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let change = column_change(op, dialect)?;
            run.host
                .applier
                .alter_column(key, &column_name.value, change)
                .map_err(String::from)
        }
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => restate_column(
            &mut run.host.applier,
            key,
            &old_name.value,
            Some(new_name.value),
            (&data_type, &options),
        ),
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => restate_column(
            &mut run.host.applier,
            key,
            &col_name.value,
            None,
            (&data_type, &options),
        ),
        AlterTableOperation::AddConstraint { constraint, .. } => {
            add_constraint(&mut run.host.applier, key, &constraint)
        }
        AlterTableOperation::DropConstraint {
            name, if_exists, ..
        } => match run.host.applier.drop_constraint(key, &name.value, None) {
            Err(reason) if !if_exists => Err(reason.into()),
            _ => Ok(()),
        },
        AlterTableOperation::DropPrimaryKey { .. } => run
            .host
            .applier
            .drop_constraint(key, "", Some("primary"))
            .map_err(String::from),
        other => Err(format!("ALTER TABLE {other} is not compared")),
    }
}

/// `ALTER COLUMN ... SET NOT NULL`, `DROP NOT NULL`, `TYPE ...`.
fn column_change(op: AlterColumnOperation, dialect: Dialect) -> Result<ColumnChange, String> {
    Ok(match op {
        AlterColumnOperation::SetNotNull => ColumnChange {
            nullable: Some(false),
            ..ColumnChange::default()
        },
        AlterColumnOperation::DropNotNull => ColumnChange {
            nullable: Some(true),
            ..ColumnChange::default()
        },
        AlterColumnOperation::SetDataType { data_type, .. } => {
            let native = data_type.to_string();
            ColumnChange {
                type_family: Some(TypeFamily::from_native(dialect, &native)),
                native_type: Some(native),
                ..ColumnChange::default()
            }
        }
        other => return Err(format!("ALTER COLUMN {other} is not compared")),
    })
}

/// MySQL's `CHANGE` and `MODIFY`: the column restated whole (its type and
/// nullability), renamed or not.
fn restate_column(
    applier: &mut Applier<'_>,
    key: &str,
    column: &str,
    new_name: Option<String>,
    (data_type, options): (&DataType, &[ColumnOption]),
) -> Result<(), String> {
    let native = data_type.to_string();
    let nullable = !options
        .iter()
        .any(|option| matches!(option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
    let dialect = applier.dialect;
    applier
        .alter_column(
            key,
            column,
            ColumnChange {
                nullable: Some(nullable),
                type_family: Some(TypeFamily::from_native(dialect, &native)),
                native_type: Some(native),
                new_name,
            },
        )
        .map_err(String::from)
}

/// `ADD CONSTRAINT` (or `ADD PRIMARY KEY`, `ADD INDEX`).
fn add_constraint(
    applier: &mut Applier<'_>,
    key: &str,
    constraint: &TableConstraint,
) -> Result<(), String> {
    let applied = match constraint_spec(constraint) {
        Some(ConstraintSpec::PrimaryKey { columns, .. }) => {
            applier.create_primary_key(key, columns)
        }
        Some(ConstraintSpec::Unique { name, columns }) => applier.add_unique(key, name, columns),
        Some(ConstraintSpec::ForeignKey(foreign_key)) => applier.add_foreign_key(key, &foreign_key),
        Some(ConstraintSpec::Index {
            name,
            columns,
            unique,
        }) => {
            let name = name.unwrap_or_else(|| columns.join("_"));
            applier.create_index(key, &name, columns, unique)
        }
        Some(ConstraintSpec::Check) | None => {
            return Err(format!("ADD {constraint} is not compared"));
        }
    };
    applied.map_err(String::from)
}
