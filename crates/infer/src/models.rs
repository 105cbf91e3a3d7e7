//! A baseline read from the project's SQLAlchemy models: the schema a
//! project creates with `metadata.create_all()` before its first revision
//! (`[migration_doctor] baseline = myapp.models:Base.metadata`).
//!
//! The models are read statically, as the interpreter reads revisions:
//! declarative classes with `__tablename__` (their `Column` and
//! `mapped_column` attributes, `Mapped[...]` annotations, `__table_args__`,
//! columns inherited from mixins and abstract bases) and module-level
//! `Table("name", metadata, ...)` definitions, in the named module and the
//! project modules it imports. Each table is created through the same
//! [`Applier`](crate::apply::Applier) as `op.create_table`, so dialect
//! effects apply alike. What cannot be read (a table name computed at run
//! time) is an unknown operation, never a silent guess.

use std::collections::HashSet;
use std::sync::Arc;

use migration_doctor_schema::{Dialect, Schema, TypeFamily};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::api::host::{Run, at, finish, new_run};
use crate::interpreter::python::runtime_statements;
use crate::modules::ModuleCache;
use crate::naming::NamingConvention;
use crate::outcome::RevisionOutcome;
use crate::resolver::{
    canonical_path, class_chain, class_namespace, eval_in_module, project_modules_from,
    resolve_project_path,
};
use crate::value::{ColumnSpec, ConstraintSpec, Value};

/// How many of the project's modules a baseline may span.
const MAX_MODULES: usize = 200;

/// Why a configured baseline could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    #[error(
        "the baseline `{spec}` is not of the form `package.module:Base.metadata`; \
         name the module that defines the models, a colon, and their declarative base \
         or MetaData"
    )]
    Malformed { spec: String },
    #[error(
        "the baseline module `{module}` was not found beside the script directory or in \
         the folders above it (or it does not parse); check the module's dotted name"
    )]
    ModuleNotFound { module: String },
    #[error(
        "the baseline module `{module}` defines no `{name}`; name the declarative base \
         (or MetaData) its models use"
    )]
    NameNotFound { module: String, name: String },
}

/// The tables of the models `spec` names (`module:Base.metadata`,
/// `module:Base` or `module:metadata`), created on `schema`.
///
/// Unnamed constraints get the names of the models' own metadata's
/// naming convention when it has one, else of `naming` (the one `env.py`
/// gives alembic).
pub fn run_baseline(
    spec: &str,
    dialect: Dialect,
    schema: &mut Schema,
    modules: &ModuleCache,
    naming: &Arc<NamingConvention>,
) -> Result<RevisionOutcome, BaselineError> {
    let malformed = || BaselineError::Malformed {
        spec: spec.to_owned(),
    };
    let (module, attribute) = spec.trim().split_once(':').ok_or_else(malformed)?;
    let base_name = attribute.split('.').next().unwrap_or_default();
    if module.is_empty()
        || base_name.is_empty()
        || !module
            .split('.')
            .chain(attribute.split('.'))
            .all(is_identifier)
    {
        return Err(malformed());
    }
    let body = modules
        .module(module)
        .ok_or_else(|| BaselineError::ModuleNotFound {
            module: module.to_owned(),
        })?;
    let defines = runtime_statements(body)
        .into_iter()
        .any(|statement| binds(statement, base_name));
    if !defines {
        return Err(BaselineError::NameNotFound {
            module: module.to_owned(),
            name: base_name.to_owned(),
        });
    }
    let (path, source) = modules
        .source(module)
        .ok_or_else(|| BaselineError::ModuleNotFound {
            module: module.to_owned(),
        })?;
    let mut run = new_run(path, source, dialect, schema, modules);
    run.host.applier.naming = naming.clone();
    if let Some(Value::MetaData(entries)) =
        resolve_project_path(&mut run, &format!("{module}.{attribute}"))
        && !entries.is_empty()
    {
        run.host.applier.naming = Arc::new(NamingConvention::from_entries(entries));
    }
    let base_path = canonical_path(&mut run, &format!("{module}.{base_name}"));
    let mut reader = ModelReader {
        base_path,
        pending: Vec::new(),
    };
    for module in project_modules_from(&mut run, module, MAX_MODULES) {
        reader.read_module(&mut run, &module);
    }
    reader.create_all(&mut run);
    Ok(finish(run))
}

fn is_identifier(part: &str) -> bool {
    part.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn binds(statement: &Stmt, name: &str) -> bool {
    match statement {
        Stmt::ClassDef(class) => class.name.as_str() == name,
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .any(|target| matches!(target, Expr::Name(target) if target.id.as_str() == name)),
        Stmt::AnnAssign(assign) => {
            matches!(assign.target.as_ref(), Expr::Name(target) if target.id.as_str() == name)
        }
        Stmt::ImportFrom(import) => import
            .names
            .iter()
            .any(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str() == name),
        _ => false,
    }
}

struct ModelReader {
    /// The declarative base the models derive from (`myapp.models.Base`).
    base_path: String,
    pending: Vec<PendingTable>,
}

struct PendingTable {
    range: ruff_text_size::TextRange,
    /// The file that defines it, for messages.
    module: String,
    key: String,
    columns: Vec<ColumnSpec>,
    constraints: Vec<ConstraintSpec>,
}

impl ModelReader {
    fn read_module<'a>(&mut self, run: &mut Run<'a>, module: &str) {
        let Some(body) = run.host.modules.module(module) else {
            return;
        };
        let Some((path, source)) = run.host.modules.source(module) else {
            return;
        };
        run.enter_file(path, source);
        run.host.current_module = module.to_owned();
        for statement in body {
            match statement {
                Stmt::ClassDef(class) => self.read_class(run, module, body, class),
                Stmt::Assign(ast::StmtAssign { value, .. }) => {
                    if let Expr::Call(call) = value.as_ref() {
                        self.read_table_call(run, module, body, call);
                    }
                }
                _ => {}
            }
        }
    }

    /// A declarative model: a class deriving from the base, with a table
    /// name, that is not abstract.
    fn read_class<'a>(
        &mut self,
        run: &mut Run<'a>,
        module: &str,
        body: &'a [Stmt],
        class: &'a ast::StmtClassDef,
    ) {
        let class_path = format!("{module}.{}", class.name);
        let chain = class_chain(run, &class_path);
        if !chain.iter().any(|link| link.path == self.base_path) || class_path == self.base_path {
            return;
        }
        let own = class_namespace(run, module, body, class);
        if matches!(own.get("__abstract__"), Some((Value::Bool(true), _))) {
            return;
        }
        let table_name = match resolve_project_path(run, &format!("{class_path}.__tablename__")) {
            Some(Value::Str(name)) => name,
            _ => {
                let has_table_name = chain.iter().filter_map(|link| link.class.as_ref()).any(|(_, class)| {
                    class.body.iter().any(|statement| {
                        binds(statement, "__tablename__")
                            || matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == "__tablename__")
                    })
                });
                if has_table_name {
                    run.unknown(
                        class.range(),
                        &format!(
                            "model {}: its table name is computed at run time",
                            class.name
                        ),
                    );
                }
                // Without one it is single-table inheritance: no table.
                return;
            }
        };
        // Columns: the class's own, then its bases' (mixins), first wins.
        let mut columns: Vec<ColumnSpec> = Vec::new();
        let mut names: HashSet<String> = HashSet::new();
        let mut table_args: Option<Value> = None;
        let mut schema: Option<String> = None;
        for (base_module, base_class) in chain.iter().filter_map(|link| link.class.as_ref()) {
            let Some(base_body) = run.host.modules.module(base_module) else {
                continue;
            };
            let namespace = class_namespace(run, base_module, base_body, base_class);
            let mut ordered: Vec<(&String, &(Value, Option<usize>))> = namespace.iter().collect();
            ordered.sort_by_key(|(_, (_, order))| order.unwrap_or(usize::MAX));
            for (attribute, (value, _)) in ordered {
                if attribute == "__table_args__" {
                    if table_args.is_none() {
                        table_args = Some(value.clone());
                    }
                    continue;
                }
                let Value::Column(column) = value else {
                    continue;
                };
                let mut column = (**column).clone();
                let name = column.name.clone().unwrap_or_else(|| attribute.clone());
                if !names.insert(name.clone()) {
                    continue;
                }
                column.name = Some(name);
                columns.push(column);
            }
        }
        let mut constraints = Vec::new();
        let arguments = match table_args {
            Some(Value::List(items)) => items,
            Some(Value::Dict(items)) => vec![Value::Dict(items)],
            _ => Vec::new(),
        };
        for argument in arguments {
            match argument {
                Value::Constraint(constraint) => constraints.push(constraint),
                Value::Dict(options) => {
                    schema = options.iter().find_map(|(key, value)| {
                        (key.as_str() == Some("schema"))
                            .then(|| value.as_str().map(str::to_owned))
                            .flatten()
                    });
                }
                _ => {}
            }
        }
        self.create(
            run,
            class.range(),
            &table_name,
            schema,
            columns,
            constraints,
        );
    }

    /// `name = Table("name", metadata, Column(...), ...)` at module level.
    fn read_table_call<'a>(
        &mut self,
        run: &mut Run<'a>,
        module: &str,
        body: &'a [Stmt],
        call: &'a ast::ExprCall,
    ) {
        let callee = eval_in_module(run, module, body, &call.func);
        let Value::Path(callee) = callee else {
            return;
        };
        if !(callee.starts_with("sqlalchemy") && callee.ends_with(".Table")) {
            return;
        }
        let mut arguments = call.arguments.args.iter();
        let name = arguments
            .next()
            .map(|name| eval_in_module(run, module, body, name));
        let Some(Value::Str(name)) = name else {
            run.unknown(call.range(), "a Table whose name is only known at run time");
            return;
        };
        // The second argument is the MetaData.
        arguments.next();
        let (mut columns, mut constraints) = (Vec::new(), Vec::new());
        for argument in arguments {
            match eval_in_module(run, module, body, argument) {
                Value::Column(column) => columns.push(*column),
                Value::Constraint(constraint) => constraints.push(constraint),
                _ => {}
            }
        }
        let schema = call
            .arguments
            .keywords
            .iter()
            .find(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.as_str() == "schema")
            })
            .map(|keyword| eval_in_module(run, module, body, &keyword.value))
            .and_then(|value| value.as_str().map(str::to_owned));
        self.create(run, call.range(), &name, schema, columns, constraints);
    }

    fn create(
        &mut self,
        run: &mut Run<'_>,
        range: ruff_text_size::TextRange,
        table: &str,
        schema: Option<String>,
        columns: Vec<ColumnSpec>,
        constraints: Vec<ConstraintSpec>,
    ) {
        let key = crate::keys::table_key(table, schema.as_deref());
        if self.pending.iter().any(|pending| pending.key == key) {
            return;
        }
        self.pending.push(PendingTable {
            range,
            module: run.host.current_module.clone(),
            key,
            columns,
            constraints,
        });
    }

    /// Creates the tables as `create_all()` does: a table after the tables
    /// its foreign keys refer to, and a key column declared without a type
    /// (`Column(ForeignKey("users.id"))`) with the type of the column it
    /// refers to.
    fn create_all(self, run: &mut Run<'_>) {
        let mut pending = self.pending;
        while !pending.is_empty() {
            let ready = pending
                .iter()
                .position(|table| {
                    referred_tables(table).iter().all(|referred| {
                        *referred == table.key
                            || !pending.iter().any(|other| other.key == *referred)
                    })
                })
                .unwrap_or(0);
            let table = pending.remove(ready);
            if let Some((path, source)) = run.host.modules.source(&table.module) {
                run.enter_file(path, source);
            }
            let mut definitions: Vec<_> = table
                .columns
                .iter()
                .map(|column| run.host.applier.definition_of(column))
                .collect();
            for definition in &mut definitions {
                if definition.column.type_family != TypeFamily::Other("unknown".to_owned()) {
                    continue;
                }
                let referred = definition.foreign_keys.first().and_then(|key| {
                    let referred =
                        crate::keys::table_key(&key.referred_table, key.referred_schema.as_deref());
                    let column = key.referred_columns.first()?;
                    run.host
                        .applier
                        .schema
                        .tables
                        .get(&referred)?
                        .column(column)
                        .map(|column| (column.type_family.clone(), column.native_type.clone()))
                });
                if let Some((family, native)) = referred {
                    definition.column.type_family = family;
                    definition.column.native_type = native;
                }
            }
            at(run, table.range);
            if let Err(reason) =
                run.host
                    .applier
                    .create_table_from(&table.key, definitions, &table.constraints)
            {
                run.unknown(table.range, &reason.to_string());
            }
        }
    }
}

fn referred_tables(table: &PendingTable) -> Vec<String> {
    let from_columns = table
        .columns
        .iter()
        .flat_map(|column| column.foreign_keys.iter());
    let from_constraints = table
        .constraints
        .iter()
        .filter_map(|constraint| match constraint {
            ConstraintSpec::ForeignKey(key) => Some(key),
            _ => None,
        });
    from_columns
        .chain(from_constraints)
        .map(|key| crate::keys::table_key(&key.referred_table, key.referred_schema.as_deref()))
        .collect()
}
