//! Operations that create, as the DDL alembic and SQLAlchemy emit for them
//! in one dialect, each with the statement that undoes it: what finishes a
//! half-applied revision (`recover --complete`).
//!
//! Only operations that create are rendered (tables, columns, indexes,
//! unique and foreign keys, a primary key); anything else, and anything
//! whose SQL cannot be known exactly (a type without a fixed spelling, a
//! server default computed in Python), is [`NotRenderable`] with the reason:
//! a completion is all or nothing, never an approximation.

use migration_doctor_schema::{Column, Dialect, ForeignKey, TypeFamily, string_literal};

use crate::dialect;
use crate::keys::{qualified_table, split_key};
use crate::operation::{Operation, ReferentialActions};

/// One statement completing a revision, and the one that undoes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlStatement {
    /// The operations it performs (`create table accounts`, …).
    pub operations: Vec<String>,
    pub sql: String,
    pub undo: String,
}

/// An operation the completion cannot perform, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRenderable {
    pub operation: String,
    pub reason: String,
}

/// The DDL of `operations` (a revision's missing operations, in the
/// revision's order) in `dialect`. Constraints of a table created by the
/// same list go into its `CREATE TABLE`, as SQLAlchemy emits them (and as
/// SQLite requires: it has no `ADD CONSTRAINT`).
pub fn render_creations(
    operations: &[&Operation],
    dialect: Dialect,
) -> Result<Vec<DdlStatement>, NotRenderable> {
    let mut statements: Vec<DdlStatement> = Vec::new();
    let mut folded = vec![false; operations.len()];
    for (index, operation) in operations.iter().enumerate() {
        if folded[index] {
            continue;
        }
        let rendered = match operation {
            Operation::CreateTable {
                table,
                columns,
                primary_key,
            } => {
                let inline = fold_constraints(operations, index, table, dialect, &mut folded);
                create_table_sql(
                    operations,
                    operation,
                    (table, columns, primary_key),
                    inline,
                    dialect,
                )
            }
            Operation::AddColumn {
                table,
                column,
                primary_key,
            } => add_column_sql(operation, table, column, *primary_key, dialect),
            Operation::CreateIndex {
                table,
                name,
                columns,
                unique,
            } => Ok(create_index_sql(
                operation, table, name, columns, *unique, dialect,
            )),
            Operation::AddUniqueConstraint { table, name, .. }
            | Operation::AddForeignKey {
                table,
                foreign_key: ForeignKey { name, .. },
                ..
            } => add_constraint_sql(operation, table, name.as_deref(), dialect),
            Operation::CreatePrimaryKey { table, columns } => {
                add_primary_key_sql(operation, table, columns, dialect)
            }
            _ => Err("it does not create anything; only creations are completed".to_owned()),
        };
        statements.push(rendered.map_err(|reason| NotRenderable {
            operation: operation.describe(),
            reason,
        })?);
    }
    Ok(statements)
}

/// The constraints that later operations of the list add to `table`, which
/// its `CREATE TABLE` declares inline: each operation's description and SQL.
/// Those operations are marked folded.
fn fold_constraints(
    operations: &[&Operation],
    index: usize,
    table: &str,
    dialect: Dialect,
    folded: &mut [bool],
) -> Vec<(String, String)> {
    let mut inline = Vec::new();
    for (later, other) in operations.iter().enumerate().skip(index + 1) {
        let sql = match other {
            Operation::AddUniqueConstraint {
                table: of, name, ..
            }
            | Operation::AddForeignKey {
                table: of,
                foreign_key: ForeignKey { name, .. },
                ..
            } if of == table => constraint_sql(other, dialect, name.as_deref()),
            _ => None,
        };
        if let Some(sql) = sql {
            folded[later] = true;
            inline.push((other.describe(), sql));
        }
    }
    inline
}

/// `CREATE TABLE` with its columns, primary key and `inline` constraints.
fn create_table_sql(
    operations: &[&Operation],
    operation: &Operation,
    (table, columns, primary_key): (&str, &[Column], &[String]),
    inline: Vec<(String, String)>,
    dialect: Dialect,
) -> Result<DdlStatement, String> {
    let mut described = vec![operation.describe()];
    let mut constraints = Vec::new();
    for (description, sql) in inline {
        described.push(description);
        constraints.push(sql);
    }
    let foreign_columns: Vec<&str> = operations
        .iter()
        .filter_map(|other| match other {
            Operation::AddForeignKey {
                table: of,
                foreign_key,
                ..
            } if of == table => Some(foreign_key.columns.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    let autoincrement = autoincrement_column(columns, primary_key, &foreign_columns);
    let mut parts = Vec::new();
    for column in columns {
        let auto = autoincrement == Some(column.name.as_str());
        parts.push(column_sql(column, dialect, auto)?);
    }
    if !primary_key.is_empty() {
        parts.push(format!(
            "PRIMARY KEY ({})",
            quoted_list(primary_key, dialect)
        ));
    }
    parts.extend(constraints);
    Ok(DdlStatement {
        operations: described,
        sql: format!(
            "CREATE TABLE {} ({})",
            qualified_table(table, dialect),
            parts.join(", ")
        ),
        undo: format!("DROP TABLE {}", qualified_table(table, dialect)),
    })
}

/// `ALTER TABLE ... ADD COLUMN`.
fn add_column_sql(
    operation: &Operation,
    table: &str,
    column: &Column,
    primary_key: bool,
    dialect: Dialect,
) -> Result<DdlStatement, String> {
    if primary_key {
        return Err("a primary-key column added to an existing table".to_owned());
    }
    let definition = column_sql(column, dialect, false)?;
    Ok(DdlStatement {
        operations: vec![operation.describe()],
        sql: format!(
            "ALTER TABLE {} ADD COLUMN {definition}",
            qualified_table(table, dialect)
        ),
        undo: format!(
            "ALTER TABLE {} DROP COLUMN {}",
            qualified_table(table, dialect),
            dialect.quote(&column.name)
        ),
    })
}

/// `CREATE INDEX`, undone by `DROP INDEX` as each dialect spells it.
fn create_index_sql(
    operation: &Operation,
    table: &str,
    name: &str,
    columns: &[String],
    unique: bool,
    dialect: Dialect,
) -> DdlStatement {
    let (schema, _) = split_key(table);
    let index_name = match schema {
        Some(schema) if dialect == Dialect::Postgresql => {
            format!("{}.{}", dialect.quote(schema), dialect.quote(name))
        }
        _ => dialect.quote(name),
    };
    let parts: Vec<String> = columns
        .iter()
        .map(|part| index_part(part, dialect))
        .collect();
    DdlStatement {
        operations: vec![operation.describe()],
        sql: format!(
            "CREATE {}INDEX {} ON {} ({})",
            if unique { "UNIQUE " } else { "" },
            dialect.quote(name),
            qualified_table(table, dialect),
            parts.join(", ")
        ),
        undo: match dialect {
            Dialect::Mysql => format!(
                "DROP INDEX {} ON {}",
                dialect.quote(name),
                qualified_table(table, dialect)
            ),
            Dialect::Postgresql | Dialect::Sqlite => format!("DROP INDEX {index_name}"),
        },
    }
}

/// `ALTER TABLE ... ADD` a unique constraint or a foreign key.
fn add_constraint_sql(
    operation: &Operation,
    table: &str,
    name: Option<&str>,
    dialect: Dialect,
) -> Result<DdlStatement, String> {
    if dialect == Dialect::Sqlite {
        return Err("SQLite cannot add a constraint to an existing table (alembic rebuilds the table in a batch)".to_owned());
    }
    let foreign = matches!(operation, Operation::AddForeignKey { .. });
    let Some(constraint) = constraint_sql(operation, dialect, name) else {
        return Err("its constraint has no SQL".to_owned());
    };
    let Some(name) = name else {
        return Err("an unnamed constraint cannot be undone by name".to_owned());
    };
    let drop = match (dialect, foreign) {
        (Dialect::Mysql, true) => format!("DROP FOREIGN KEY {}", dialect.quote(name)),
        (Dialect::Mysql, false) => format!("DROP INDEX {}", dialect.quote(name)),
        _ => format!("DROP CONSTRAINT {}", dialect.quote(name)),
    };
    Ok(DdlStatement {
        operations: vec![operation.describe()],
        sql: format!(
            "ALTER TABLE {} ADD {constraint}",
            qualified_table(table, dialect)
        ),
        undo: format!("ALTER TABLE {} {drop}", qualified_table(table, dialect)),
    })
}

/// `ALTER TABLE ... ADD PRIMARY KEY`.
fn add_primary_key_sql(
    operation: &Operation,
    table: &str,
    columns: &[String],
    dialect: Dialect,
) -> Result<DdlStatement, String> {
    let (_, bare) = split_key(table);
    let undo = match dialect {
        Dialect::Mysql => "DROP PRIMARY KEY".to_owned(),
        Dialect::Postgresql => {
            format!("DROP CONSTRAINT {}", dialect.quote(&format!("{bare}_pkey")))
        }
        Dialect::Sqlite => {
            return Err("SQLite cannot add a primary key to an existing table (alembic rebuilds the table in a batch)".to_owned());
        }
    };
    Ok(DdlStatement {
        operations: vec![operation.describe()],
        sql: format!(
            "ALTER TABLE {} ADD PRIMARY KEY ({})",
            qualified_table(table, dialect),
            quoted_list(columns, dialect)
        ),
        undo: format!("ALTER TABLE {} {undo}", qualified_table(table, dialect)),
    })
}

/// Whether `operation` creates an object (what a completion may run).
pub fn creates(operation: &Operation) -> bool {
    matches!(
        operation,
        Operation::CreateTable { .. }
            | Operation::AddColumn { .. }
            | Operation::CreateIndex { .. }
            | Operation::AddUniqueConstraint { .. }
            | Operation::AddForeignKey { .. }
            | Operation::CreatePrimaryKey { .. }
    )
}

/// `[CONSTRAINT name] UNIQUE (…)` or `[CONSTRAINT name] FOREIGN KEY (…)
/// REFERENCES …`. On MySQL a foreign key whose name InnoDB generated
/// (`orders_ibfk_1`) is left unnamed, as the migration left it: InnoDB
/// then names it, and its implicit index, as it did the first time.
fn constraint_sql(operation: &Operation, dialect: Dialect, name: Option<&str>) -> Option<String> {
    let named = |name: Option<&str>| match name {
        Some(name) => format!("CONSTRAINT {} ", dialect.quote(name)),
        None => String::new(),
    };
    match operation {
        Operation::AddUniqueConstraint { columns, .. } => Some(format!(
            "{}UNIQUE ({})",
            named(name),
            quoted_list(columns, dialect)
        )),
        Operation::AddForeignKey {
            table,
            foreign_key,
            actions,
        } => {
            let (_, bare) = split_key(table);
            let name = name.filter(|name| {
                !(dialect == Dialect::Mysql && dialect::mysql::is_generated_key_name(bare, name))
            });
            let referred = match &foreign_key.referred_schema {
                Some(schema) => format!(
                    "{}.{}",
                    dialect.quote(schema),
                    dialect.quote(&foreign_key.referred_table)
                ),
                None => dialect.quote(&foreign_key.referred_table),
            };
            Some(format!(
                "{}FOREIGN KEY ({}) REFERENCES {referred} ({}){}",
                named(name),
                quoted_list(&foreign_key.columns, dialect),
                quoted_list(&foreign_key.referred_columns, dialect),
                actions_sql(actions)?
            ))
        }
        _ => None,
    }
}

/// `None` when an action could not be read.
fn actions_sql(actions: &ReferentialActions) -> Option<String> {
    if actions.unreadable {
        return None;
    }
    let mut sql = String::new();
    if let Some(action) = &actions.on_delete {
        sql.push_str(&format!(" ON DELETE {action}"));
    }
    if let Some(action) = &actions.on_update {
        sql.push_str(&format!(" ON UPDATE {action}"));
    }
    Some(sql)
}

/// The column SQLAlchemy makes autoincrementing (`autoincrement="auto"`):
/// the one integer primary-key column, with no server default, referring
/// to no other column.
fn autoincrement_column<'c>(
    columns: &'c [Column],
    primary_key: &[String],
    foreign_columns: &[&str],
) -> Option<&'c str> {
    let [only] = primary_key else {
        return None;
    };
    let column = columns.iter().find(|column| &column.name == only)?;
    let integer = matches!(
        column.type_family,
        TypeFamily::Integer | TypeFamily::BigInteger | TypeFamily::SmallInteger
    );
    (integer && column.default.is_none() && !foreign_columns.contains(&only.as_str()))
        .then_some(column.name.as_str())
}

/// `name TYPE [DEFAULT …] [NOT NULL] [AUTO_INCREMENT]`.
fn column_sql(column: &Column, dialect: Dialect, autoincrement: bool) -> Result<String, String> {
    let type_sql = match (dialect, autoincrement, &column.type_family) {
        (Dialect::Postgresql, true, TypeFamily::Integer) => "SERIAL".to_owned(),
        (Dialect::Postgresql, true, TypeFamily::BigInteger) => "BIGSERIAL".to_owned(),
        (Dialect::Postgresql, true, TypeFamily::SmallInteger) => "SMALLSERIAL".to_owned(),
        (_, _, family) => type_sql(family, &column.native_type, dialect).ok_or_else(|| {
            format!(
                "column {} has type {family} ({}), whose {dialect} spelling is not known exactly",
                column.name, column.native_type
            )
        })?,
    };
    let mut sql = format!("{} {type_sql}", dialect.quote(&column.name));
    if let Some(default) = &column.default {
        if default.starts_with('<') {
            return Err(format!(
                "column {} has a server default computed in Python ({default})",
                column.name
            ));
        }
        sql.push_str(&format!(" DEFAULT {}", default_sql(default, dialect)));
    }
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if autoincrement && dialect == Dialect::Mysql {
        sql.push_str(" AUTO_INCREMENT");
    }
    Ok(sql)
}

/// A server default as SQLAlchemy compiles it for `dialect`: on SQLite
/// `now()` is `CURRENT_TIMESTAMP`, booleans are `1`/`0`, and other calls
/// go in parentheses (SQLite's grammar wants them).
fn default_sql(default: &str, dialect: Dialect) -> String {
    if dialect != Dialect::Sqlite {
        return default.to_owned();
    }
    match default {
        "now()" => "CURRENT_TIMESTAMP".to_owned(),
        "true" => "1".to_owned(),
        "false" => "0".to_owned(),
        call if call.ends_with(')') => format!("({call})"),
        literal => literal.to_owned(),
    }
}

/// The type as SQLAlchemy's DDL compiler spells it on `dialect`.
fn type_sql(family: &TypeFamily, native: &str, dialect: Dialect) -> Option<String> {
    let postgres = dialect == Dialect::Postgresql;
    Some(match family {
        TypeFamily::Integer => "INTEGER".to_owned(),
        TypeFamily::SmallInteger => "SMALLINT".to_owned(),
        TypeFamily::BigInteger => "BIGINT".to_owned(),
        TypeFamily::Boolean if dialect == Dialect::Mysql => "BOOL".to_owned(),
        TypeFamily::Boolean => "BOOLEAN".to_owned(),
        TypeFamily::Numeric { precision, scale } => match (precision, scale) {
            (Some(precision), Some(scale)) => format!("NUMERIC({precision}, {scale})"),
            (Some(precision), None) => format!("NUMERIC({precision})"),
            _ => "NUMERIC".to_owned(),
        },
        TypeFamily::Float => "FLOAT".to_owned(),
        TypeFamily::String {
            length: Some(length),
        } => format!("VARCHAR({length})"),
        // MySQL has no VARCHAR without a length (SQLAlchemy refuses it too).
        TypeFamily::String { length: None } if dialect != Dialect::Mysql => "VARCHAR".to_owned(),
        TypeFamily::Text => "TEXT".to_owned(),
        TypeFamily::Date => "DATE".to_owned(),
        TypeFamily::DateTime { timezone } if postgres => format!(
            "TIMESTAMP {} TIME ZONE",
            if *timezone { "WITH" } else { "WITHOUT" }
        ),
        TypeFamily::DateTime { .. } => "DATETIME".to_owned(),
        TypeFamily::Time { timezone } if postgres => format!(
            "TIME {} TIME ZONE",
            if *timezone { "WITH" } else { "WITHOUT" }
        ),
        TypeFamily::Time { .. } => "TIME".to_owned(),
        TypeFamily::Interval if postgres => "INTERVAL".to_owned(),
        TypeFamily::Json => "JSON".to_owned(),
        TypeFamily::Uuid if postgres => "UUID".to_owned(),
        TypeFamily::Uuid => "CHAR(32)".to_owned(),
        TypeFamily::Binary if native == "LargeBinary" => {
            if postgres { "BYTEA" } else { "BLOB" }.to_owned()
        }
        TypeFamily::Enum { values } if dialect == Dialect::Mysql && !values.is_empty() => {
            let labels: Vec<String> = values.iter().map(|value| string_literal(value)).collect();
            format!("ENUM({})", labels.join(","))
        }
        TypeFamily::Array(item) if postgres => format!("{}[]", type_sql(item, "", dialect)?),
        _ => return None,
    })
}

/// An index part: a column name quoted, an expression (kept as its SQL
/// text) as it is.
fn index_part(part: &str, dialect: Dialect) -> String {
    if part.contains(['(', ' ']) {
        part.to_owned()
    } else {
        dialect.quote(part)
    }
}

fn quoted_list(names: &[String], dialect: Dialect) -> String {
    names
        .iter()
        .map(|name| dialect.quote(name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use migration_doctor_schema::ReferentialAction;

    fn column(name: &str, family: TypeFamily, nullable: bool, default: Option<&str>) -> Column {
        Column {
            name: name.to_owned(),
            type_family: family,
            native_type: String::new(),
            nullable,
            default: default.map(str::to_owned),
        }
    }

    fn accounts() -> Vec<Operation> {
        vec![
            Operation::CreateTable {
                table: "accounts".to_owned(),
                columns: vec![
                    column("id", TypeFamily::Integer, false, None),
                    column("owner_id", TypeFamily::Integer, false, None),
                    column(
                        "plan",
                        TypeFamily::String { length: Some(20) },
                        false,
                        Some("'free'"),
                    ),
                ],
                primary_key: vec!["id".to_owned()],
            },
            Operation::AddForeignKey {
                table: "accounts".to_owned(),
                foreign_key: ForeignKey {
                    name: Some("accounts_ibfk_1".to_owned()),
                    columns: vec!["owner_id".to_owned()],
                    referred_schema: None,
                    referred_table: "users".to_owned(),
                    referred_columns: vec!["id".to_owned()],
                    on_delete: ReferentialAction::Cascade,
                    on_update: ReferentialAction::NoAction,
                },
                actions: ReferentialActions {
                    on_delete: Some("CASCADE".to_owned()),
                    on_update: None,
                    unreadable: false,
                },
            },
            Operation::CreateIndex {
                table: "accounts".to_owned(),
                name: "ix_accounts_plan".to_owned(),
                columns: vec!["plan".to_owned()],
                unique: false,
            },
        ]
    }

    #[test]
    fn a_table_takes_its_constraints_inline_and_its_indexes_after() {
        let operations = accounts();
        let refs: Vec<&Operation> = operations.iter().collect();
        let mysql = render_creations(&refs, Dialect::Mysql).expect("renders");
        assert_eq!(mysql.len(), 2);
        assert_eq!(
            mysql[0].sql,
            "CREATE TABLE `accounts` (`id` INTEGER NOT NULL AUTO_INCREMENT, `owner_id` INTEGER NOT NULL, \
             `plan` VARCHAR(20) DEFAULT 'free' NOT NULL, PRIMARY KEY (`id`), \
             FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE CASCADE)"
        );
        assert_eq!(mysql[0].undo, "DROP TABLE `accounts`");
        assert_eq!(mysql[1].undo, "DROP INDEX `ix_accounts_plan` ON `accounts`");
        let postgres = render_creations(&refs, Dialect::Postgresql).expect("renders");
        assert!(
            postgres[0]
                .sql
                .starts_with("CREATE TABLE \"accounts\" (\"id\" SERIAL NOT NULL")
        );
        assert!(
            postgres[0]
                .sql
                .contains("CONSTRAINT \"accounts_ibfk_1\" FOREIGN KEY")
        );
        let sqlite = render_creations(&refs, Dialect::Sqlite).expect("renders");
        assert!(sqlite[0].sql.contains("\"id\" INTEGER NOT NULL,"));
    }

    #[test]
    fn what_cannot_be_rendered_exactly_is_refused() {
        let mut operations = accounts();
        operations.remove(0);
        let refs: Vec<&Operation> = operations.iter().collect();
        let refused = render_creations(&refs, Dialect::Sqlite).expect_err("no ADD CONSTRAINT");
        assert!(refused.reason.contains("SQLite"), "{refused:?}");
        let python_default = Operation::AddColumn {
            table: "users".to_owned(),
            column: column("token", TypeFamily::Text, true, Some("<expression>")),
            primary_key: false,
        };
        let refused =
            render_creations(&[&python_default], Dialect::Postgresql).expect_err("no SQL default");
        assert!(refused.reason.contains("computed in Python"), "{refused:?}");
        let drop = Operation::DropTable {
            table: "users".to_owned(),
        };
        assert!(render_creations(&[&drop], Dialect::Postgresql).is_err());
    }
}
