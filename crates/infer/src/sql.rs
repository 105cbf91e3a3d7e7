//! SQL in `op.execute(...)`, parsed with sqlparser in the target dialect:
//! `CREATE/ALTER/DROP TABLE`, `CREATE/DROP INDEX`, `CREATE/DROP VIEW` change
//! the expected schema; `INSERT`, `UPDATE`, `DELETE` and queries are data
//! steps; grants, comments, functions, triggers, types and session settings
//! change nothing we compare. SQL the parser rejects is an unknown
//! operation, unless it is plainly one of the harmless kinds above
//! (PostgreSQL `DO $$ … $$` blocks and SQLite `PRAGMA`s included).

use migration_doctor_schema::{
    Column, Dialect, ForeignKey, Index, Table, TypeFamily, UniqueConstraint,
};
use ruff_text_size::TextRange;
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ObjectName, ObjectType,
    RenameTableNameKind, Statement, TableConstraint,
};
use sqlparser::dialect::{Dialect as SqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::interpreter::Run;

/// Statements that change nothing the comparison looks at.
const HARMLESS_PREFIXES: &[&str] = &[
    "comment on",
    "grant",
    "revoke",
    "set ",
    "create extension",
    "drop extension",
    "create function",
    "create or replace function",
    "drop function",
    "create trigger",
    "create or replace trigger",
    "drop trigger",
    "create type",
    "alter type",
    "drop type",
    "do $$",
    "do $",
    "do language",
    "pragma",
    "create sequence",
    "alter sequence",
    "drop sequence",
    "create policy",
    "drop policy",
    "analyze",
    "vacuum",
    "lock table",
    "select setval",
    "refresh materialized view",
    "create aggregate",
    "create or replace procedure",
    "create procedure",
    "drop procedure",
    "create rule",
];

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
    let dialect: Box<dyn SqlDialect> = match run.dialect {
        Dialect::Postgresql => Box::new(PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
    };
    let statements = match Parser::parse_sql(dialect.as_ref(), text) {
        Ok(statements) => statements,
        Err(_) => {
            let lowered = text.trim_start().to_lowercase();
            if HARMLESS_PREFIXES
                .iter()
                .any(|prefix| lowered.starts_with(prefix))
            {
                run.outcome.operations += 1;
            } else if DATA_PREFIXES
                .iter()
                .any(|prefix| lowered.starts_with(prefix))
            {
                run.outcome.data_steps += 1;
            } else {
                run.unknown(range, "SQL that migration-doctor cannot parse");
            }
            return;
        }
    };
    for statement in statements {
        if let Err(reason) = apply_statement(run, statement) {
            run.unknown(range, &reason);
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

fn column_of(dialect: Dialect, definition: &ColumnDef) -> (Column, bool, bool) {
    let native = definition.data_type.to_string();
    let mut nullable = true;
    let mut primary = false;
    let mut unique = false;
    let mut default = None;
    for option in &definition.options {
        match &option.option {
            ColumnOption::NotNull => nullable = false,
            ColumnOption::PrimaryKey(_) => {
                primary = true;
                nullable = false;
            }
            ColumnOption::Unique(_) => unique = true,
            ColumnOption::Default(expr) => default = Some(expr.to_string()),
            _ => {}
        }
    }
    let type_family = TypeFamily::from_native(dialect, &native);
    (
        Column {
            name: unquote(&definition.name.to_string()),
            type_family,
            native_type: native,
            nullable,
            default,
        },
        primary,
        unique,
    )
}

fn constraint_columns(columns: &[sqlparser::ast::IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|column| unquote(&column.column.expr.to_string()))
        .collect()
}

fn apply_statement(run: &mut Run<'_>, statement: Statement) -> Result<(), String> {
    let dialect = run.dialect;
    match statement {
        Statement::CreateTable(create) => {
            let (schema, name) = name_of(&create.name);
            let key = run.table_key(&name, schema.as_deref());
            if create.if_not_exists && run.schema().tables.contains_key(&key) {
                return Ok(());
            }
            let mut table = Table::default();
            for definition in &create.columns {
                let (column, primary, unique) = column_of(dialect, definition);
                if primary {
                    table.primary_key.push(column.name.clone());
                }
                if unique {
                    table.unique_constraints.push(UniqueConstraint {
                        name: None,
                        columns: vec![column.name.clone()],
                    });
                }
                table.columns.push(column);
            }
            for constraint in &create.constraints {
                add_constraint(&mut table, constraint);
            }
            for column in &mut table.columns {
                if table.primary_key.contains(&column.name) {
                    column.nullable = false;
                }
            }
            run.applier.schema.insert_table(key, table);
        }
        Statement::AlterTable(alter) => {
            let (schema, name) = name_of(&alter.name);
            let key = run.table_key(&name, schema.as_deref());
            for operation in alter.operations {
                alter_table(run, &key, dialect, operation)?;
            }
        }
        Statement::Drop {
            object_type,
            names,
            if_exists,
            ..
        } => {
            for name in &names {
                let (schema, name) = name_of(name);
                let key = run.table_key(&name, schema.as_deref());
                let result = match object_type {
                    ObjectType::Table => run.applier.drop_table(&key),
                    ObjectType::Index => run.applier.drop_index(&name, None),
                    ObjectType::View | ObjectType::MaterializedView => {
                        run.applier.schema.views.remove(&name);
                        Ok(())
                    }
                    _ => Ok(()),
                };
                if let Err(reason) = result
                    && !if_exists
                {
                    return Err(reason);
                }
            }
        }
        Statement::CreateIndex(create) => {
            let (schema, table) = name_of(&create.table_name);
            let key = run.table_key(&table, schema.as_deref());
            let name = create
                .name
                .as_ref()
                .map(|name| name_of(name).1)
                .unwrap_or_default();
            let exists = run.schema().tables.get(&key).is_some_and(|table| {
                table
                    .indexes
                    .iter()
                    .any(|index| index.name.as_deref() == Some(name.as_str()))
            });
            if !(create.if_not_exists && exists) {
                run.applier.create_index(
                    &key,
                    &name,
                    constraint_columns(&create.columns),
                    create.unique,
                )?;
            }
        }
        Statement::CreateView(view) => {
            run.applier.schema.views.insert(name_of(&view.name).1);
        }
        Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_)
        | Statement::Query(_)
        | Statement::Merge(_)
        | Statement::Truncate(_) => {
            run.outcome.data_steps += 1;
            return Ok(());
        }
        _ => {}
    }
    run.outcome.operations += 1;
    Ok(())
}

fn add_constraint(table: &mut Table, constraint: &TableConstraint) {
    match constraint {
        TableConstraint::PrimaryKey(primary) => {
            table.primary_key = constraint_columns(&primary.columns)
        }
        TableConstraint::Unique(unique) => table.unique_constraints.push(UniqueConstraint {
            name: unique.name.as_ref().map(|name| name.value.clone()),
            columns: constraint_columns(&unique.columns),
        }),
        TableConstraint::ForeignKey(foreign) => {
            let (referred_schema, referred_table) = name_of(&foreign.foreign_table);
            table.foreign_keys.push(ForeignKey {
                name: foreign.name.as_ref().map(|name| name.value.clone()),
                columns: foreign
                    .columns
                    .iter()
                    .map(|column| column.value.clone())
                    .collect(),
                referred_schema,
                referred_table,
                referred_columns: foreign
                    .referred_columns
                    .iter()
                    .map(|column| column.value.clone())
                    .collect(),
            });
        }
        TableConstraint::Index(index) => table.indexes.push(Index {
            name: index.name.as_ref().map(|name| name.value.clone()),
            columns: constraint_columns(&index.columns),
            unique: false,
        }),
        _ => {}
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
            let (column, primary, unique) = column_of(dialect, &column_def);
            let table = run.applier.schema.table_mut(key).ok_or_else(|| {
                format!("table {key} does not exist at this point of the history")
            })?;
            if table.column(&column.name).is_some() {
                return if if_not_exists {
                    Ok(())
                } else {
                    Err(format!("column {} already exists", column.name))
                };
            }
            if primary {
                table.primary_key.push(column.name.clone());
            }
            if unique {
                table.unique_constraints.push(UniqueConstraint {
                    name: None,
                    columns: vec![column.name.clone()],
                });
            }
            table.columns.push(column);
            Ok(())
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            for column in column_names {
                if let Err(reason) = run.applier.drop_column(key, &column.value)
                    && !if_exists
                {
                    return Err(reason);
                }
            }
            Ok(())
        }
        AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => run.applier.alter_column(
            key,
            &old_column_name.value,
            None,
            Some(&new_column_name.value),
            None,
            None,
        ),
        AlterTableOperation::RenameTable { table_name } => {
            let (RenameTableNameKind::As(name) | RenameTableNameKind::To(name)) = table_name;
            let (schema, name) = name_of(&name);
            let new_key = run.table_key(&name, schema.as_deref());
            run.applier.rename_table(key, &new_key)
        }
        AlterTableOperation::AlterColumn { column_name, op } => match op {
            AlterColumnOperation::SetNotNull => {
                run.applier
                    .alter_column(key, &column_name.value, Some(false), None, None, None)
            }
            AlterColumnOperation::DropNotNull => {
                run.applier
                    .alter_column(key, &column_name.value, Some(true), None, None, None)
            }
            AlterColumnOperation::SetDataType { data_type, .. } => {
                let native = data_type.to_string();
                let family = TypeFamily::from_native(dialect, &native);
                run.applier.alter_column(
                    key,
                    &column_name.value,
                    None,
                    None,
                    Some(family),
                    Some(native),
                )
            }
            _ => Ok(()),
        },
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name,
            data_type,
            options,
            ..
        } => {
            let native = data_type.to_string();
            let nullable = !options.iter().any(|option| {
                matches!(option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_))
            });
            run.applier.alter_column(
                key,
                &old_name.value,
                Some(nullable),
                Some(&new_name.value),
                Some(TypeFamily::from_native(dialect, &native)),
                Some(native),
            )
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => {
            let native = data_type.to_string();
            let nullable = !options.iter().any(|option| {
                matches!(option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_))
            });
            run.applier.alter_column(
                key,
                &col_name.value,
                Some(nullable),
                None,
                Some(TypeFamily::from_native(dialect, &native)),
                Some(native),
            )
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            let table = run.applier.schema.table_mut(key).ok_or_else(|| {
                format!("table {key} does not exist at this point of the history")
            })?;
            add_constraint(table, &constraint);
            Ok(())
        }
        AlterTableOperation::DropConstraint {
            name, if_exists, ..
        } => match run.applier.drop_constraint(key, &name.value, None) {
            Err(reason) if !if_exists => Err(reason),
            _ => Ok(()),
        },
        AlterTableOperation::DropPrimaryKey { .. } => {
            run.applier.drop_constraint(key, "", Some("primary"))
        }
        _ => Ok(()),
    }
}
