//! Names that a revision takes from the project's own modules: constants
//! (`from myapp.models import ID_LEN`, also when the module exports them
//! lazily through a module-level `__getattr__`), class attributes of its
//! models (`SqlRun.__tablename__`), and its column types (`TypeDecorator`
//! subclasses, resolved to their `impl`, or to what `load_dialect_impl`
//! returns on the dialect at hand; subclasses of SQLAlchemy's types).
//!
//! A module's names are evaluated as Python binds them, once per revision
//! run, and lazily: a class body is only read when one of its attributes
//! is asked for. Libraries (SQLAlchemy, alembic, the standard library) are
//! never read, even when their files sit beside the project's. Whatever
//! does not resolve stays what it was (a dotted path), and the caller
//! treats it as unknown.

use std::collections::HashMap;
use std::rc::Rc;

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::interpreter::Run;
use crate::value::{Instance, TypeSpec, Value};

/// Top-level modules that are never the project's own.
const LIBRARY_ROOTS: &[&str] = &[
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "builtins",
    "typing",
    "typing_extensions",
    "abc",
    "collections",
    "contextlib",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "hashlib",
    "itertools",
    "json",
    "logging",
    "math",
    "os",
    "pathlib",
    "random",
    "re",
    "string",
    "sys",
    "textwrap",
    "time",
    "uuid",
    "warnings",
];

/// How many names may be chased through one another (imports of imports,
/// base classes of base classes).
const MAX_CHAIN: usize = 12;

/// What one revision run has learned of the project's modules.
#[derive(Default)]
pub(crate) struct ProjectNames {
    globals: HashMap<String, Rc<HashMap<String, Value>>>,
    resolved: HashMap<String, Option<Value>>,
    resolving: Vec<String>,
}

/// Whether `path` names something of a library rather than of the project.
pub(crate) fn is_library(path: &str) -> bool {
    let root = path.split('.').next().unwrap_or(path);
    root.is_empty() || LIBRARY_ROOTS.contains(&root)
}

impl<'a> Run<'a> {
    /// The value `path` names in the project's modules
    /// (`myapp.models.ID_LEN`, `myapp.models.Run.__tablename__`), when it is
    /// a value rather than a module, class or function.
    pub(crate) fn resolve_project_path(&mut self, path: &str) -> Option<Value> {
        if self.modules.is_empty() || is_library(path) || path.starts_with('.') {
            return None;
        }
        if let Some(known) = self.project.resolved.get(path) {
            return known.clone();
        }
        if self.project.resolving.len() >= MAX_CHAIN
            || self.project.resolving.iter().any(|seen| seen == path)
        {
            return None;
        }
        self.project.resolving.push(path.to_owned());
        let value = self.resolve_uncached(path);
        self.project.resolving.pop();
        self.project.resolved.insert(path.to_owned(), value.clone());
        value
    }

    fn resolve_uncached(&mut self, path: &str) -> Option<Value> {
        let parts: Vec<&str> = path.split('.').collect();
        let modules = self.modules;
        // The longest prefix that is a module of the project holds the name.
        for split in (1..parts.len()).rev() {
            let module = parts[..split].join(".");
            let Some(body) = modules.module(&module) else {
                continue;
            };
            let rest: Vec<String> = parts[split..]
                .iter()
                .map(|part| (*part).to_owned())
                .collect();
            return self.resolve_in_module(&module, body, &rest);
        }
        None
    }

    fn resolve_in_module(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        rest: &[String],
    ) -> Option<Value> {
        let globals = self.module_globals(module, body);
        let first = rest.first()?;
        let Some(value) = globals.get(first.as_str()) else {
            return self.lazy_export(module, body, rest);
        };
        match value {
            Value::Path(target) if *target == format!("{module}.{first}") => {
                // Defined here: a class (or a function, which is no value).
                let class = find_class(body, first)?;
                match rest {
                    [_, attribute] => self.class_attribute(module, body, class, attribute),
                    _ => None,
                }
            }
            Value::Path(target) => {
                let mut full = target.clone();
                for part in &rest[1..] {
                    full.push('.');
                    full.push_str(part);
                }
                self.resolve_project_path(&full)
            }
            Value::Unknown(_) => None,
            Value::Opaque(_) if rest.len() > 1 => None,
            concrete => {
                // `Base.metadata` where `Base = declarative_base(...)`.
                let mut value = concrete.clone();
                for part in &rest[1..] {
                    value = crate::operations::attribute(self, value, part);
                }
                (!value.is_unknown()).then_some(value)
            }
        }
    }

    /// PEP 562: a module whose `__getattr__` imports names lazily from the
    /// modules a literal table names (`{"ID_LEN": "airflow.models.base"}`).
    fn lazy_export(&mut self, module: &str, body: &'a [Stmt], rest: &[String]) -> Option<Value> {
        let name = rest.first()?;
        let has_getattr = body.iter().any(
            |statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == "__getattr__"),
        );
        if !has_getattr {
            return None;
        }
        let globals = self.module_globals(module, body);
        let target = globals.values().find_map(|value| match value {
            Value::Dict(items) => items.iter().find_map(|(key, target)| {
                (key.as_str() == Some(name.as_str()))
                    .then(|| target.as_str().map(str::to_owned))
                    .flatten()
            }),
            _ => None,
        })?;
        let target = target.replace(':', ".");
        let mut candidates = vec![format!("{target}.{name}"), target];
        for candidate in &mut candidates {
            for part in &rest[1..] {
                candidate.push('.');
                candidate.push_str(part);
            }
        }
        candidates
            .into_iter()
            .find_map(|candidate| self.resolve_project_path(&candidate))
    }

    /// The module-level names of `module`, evaluated once per run.
    fn module_globals(&mut self, module: &str, body: &'a [Stmt]) -> Rc<HashMap<String, Value>> {
        if let Some(globals) = self.project.globals.get(module) {
            return globals.clone();
        }
        // A module that imports itself, through others, sees nothing yet.
        self.project
            .globals
            .insert(module.to_owned(), Rc::new(HashMap::new()));
        let package = self.package_of(module);
        let mut globals = HashMap::new();
        self.in_module(package, HashMap::new(), |run| {
            for statement in runtime_statements(body) {
                match statement {
                    Stmt::FunctionDef(ast::StmtFunctionDef { name, .. })
                    | Stmt::ClassDef(ast::StmtClassDef { name, .. }) => {
                        globals.insert(name.to_string(), Value::Path(format!("{module}.{name}")));
                    }
                    Stmt::Import(_)
                    | Stmt::ImportFrom(_)
                    | Stmt::Assign(_)
                    | Stmt::AnnAssign(_) => {
                        run.execute_quietly(statement, &mut globals);
                    }
                    _ => {}
                }
            }
        });
        let globals = Rc::new(globals);
        self.project
            .globals
            .insert(module.to_owned(), globals.clone());
        globals
    }

    /// Runs `work` with `module`'s names as the globals (and its package
    /// for relative imports), then restores the revision's own.
    fn in_module<T>(
        &mut self,
        package: String,
        globals: HashMap<String, Value>,
        work: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let saved_globals = std::mem::replace(&mut self.globals, globals);
        let saved_functions = std::mem::take(&mut self.functions);
        let saved_package = self.package.replace(package);
        let value = work(self);
        self.globals = saved_globals;
        self.functions = saved_functions;
        self.package = saved_package;
        value
    }

    pub(crate) fn eval_in_module(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        expr: &'a Expr,
    ) -> Value {
        let globals = (*self.module_globals(module, body)).clone();
        let package = self.package_of(module);
        self.in_module(package, globals, |run| {
            let mut locals = HashMap::new();
            run.eval_quietly(expr, &mut locals)
        })
    }

    pub(crate) fn package_of(&self, module: &str) -> String {
        if self.modules.is_package(module) {
            module.to_owned()
        } else {
            module
                .rsplit_once('.')
                .map_or(String::new(), |(package, _)| package.to_owned())
        }
    }

    /// `Class.attribute`, from the class body or, failing that, its bases.
    fn class_attribute(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        class: &'a ast::StmtClassDef,
        attribute: &str,
    ) -> Option<Value> {
        for statement in class.body.iter().rev() {
            let value = match statement {
                Stmt::Assign(assign)
                    if assign
                        .targets
                        .iter()
                        .any(|target| is_name(target, attribute)) =>
                {
                    &assign.value
                }
                Stmt::AnnAssign(ast::StmtAnnAssign {
                    target,
                    value: Some(value),
                    ..
                }) if is_name(target, attribute) => value,
                // A property or `declared_attr`: computed at run time.
                Stmt::FunctionDef(def) if def.name.as_str() == attribute => return None,
                _ => continue,
            };
            return match self.eval_in_module(module, body, value) {
                Value::Unknown(_) => None,
                // A model's column: what `ForeignKey(column=...)` and
                // `Index(...)` take it for.
                Value::Column(spec) if attribute != "__tablename__" => {
                    match self.class_attribute(module, body, class, "__tablename__") {
                        Some(Value::Str(table)) => Some(Value::MappedColumn {
                            table,
                            column: spec.name.clone().unwrap_or_else(|| attribute.to_owned()),
                        }),
                        _ => Some(Value::Column(spec)),
                    }
                }
                known => Some(known),
            };
        }
        // A declarative base may give its metadata through its registry
        // (`registry = registry(metadata=MetaData(...))`).
        if attribute == "metadata"
            && let Some(metadata @ Value::MetaData(_)) =
                self.class_attribute(module, body, class, "registry")
        {
            return Some(metadata);
        }
        let mut declarative = false;
        for base in class_bases(class) {
            match self.eval_in_module(module, body, base) {
                Value::Path(base) if !is_library(&base) => {
                    if let Some(value) = self.resolve_project_path(&format!("{base}.{attribute}")) {
                        return Some(value);
                    }
                }
                Value::Path(base) => {
                    declarative |= base.rsplit('.').next() == Some("DeclarativeBase");
                }
                _ => {}
            }
        }
        // SQLAlchemy's `DeclarativeBase` makes a plain `MetaData()`.
        (declarative && attribute == "metadata").then(|| Value::MetaData(Vec::new()))
    }

    /// The column type a class of the project stands for, called with
    /// `args`: a `TypeDecorator` is its `impl` (which takes the arguments
    /// unless the class has its own `__init__`), or what a static
    /// `load_dialect_impl` returns on this run's dialect; a subclass of a
    /// SQLAlchemy type is that type.
    pub(crate) fn project_type(
        &mut self,
        path: &str,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Option<TypeSpec> {
        if self.modules.is_empty() || is_library(path) || self.project.resolving.len() >= MAX_CHAIN
        {
            return None;
        }
        let (module, name) = path.rsplit_once('.')?;
        let modules = self.modules;
        let (module, body, class) = match modules
            .module(module)
            .and_then(|body| find_class(body, name).map(|class| (body, class)))
        {
            Some((body, class)) => (module.to_owned(), body, class),
            None => {
                // Imported into that module from another one.
                let body = modules.module(module)?;
                let globals = self.module_globals(module, body);
                match globals.get(name) {
                    Some(Value::Path(target)) if *target != format!("{module}.{name}") => {
                        let target = target.clone();
                        self.project.resolving.push(path.to_owned());
                        let found = self.project_type(&target, args, kwargs);
                        self.project.resolving.pop();
                        return found;
                    }
                    _ => return None,
                }
            }
        };
        self.project.resolving.push(path.to_owned());
        let found = self.class_type(&module, body, class, args, kwargs);
        self.project.resolving.pop();
        found
    }

    fn class_type(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        class: &'a ast::StmtClassDef,
        args: &[Value],
        kwargs: &[(String, Value)],
    ) -> Option<TypeSpec> {
        let own_init = class
            .body
            .iter()
            .any(|statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == "__init__"));
        let (args, kwargs) = if own_init {
            (&[][..], &[][..])
        } else {
            (args, kwargs)
        };
        if let Some(chosen) = self.load_dialect_impl(module, body, class) {
            return Some(chosen);
        }
        for base in class_bases(class) {
            let Value::Path(base) = self.eval_in_module(module, body, base) else {
                continue;
            };
            if base.starts_with("sqlalchemy") {
                let last = base.rsplit('.').next().unwrap_or(&base);
                if last == "TypeDecorator" {
                    let implementation = match self.class_attribute(module, body, class, "impl")? {
                        Value::Type(spec) => spec,
                        Value::Path(path) if path.starts_with("sqlalchemy") => {
                            sqlalchemy_type(&path, args, kwargs)
                        }
                        Value::Path(path) => self.project_type(&path, args, kwargs)?,
                        _ => return None,
                    };
                    return Some(implementation);
                }
                if last.chars().next().is_some_and(char::is_uppercase) {
                    return Some(sqlalchemy_type(&base, args, kwargs));
                }
            } else if let Some(spec) = self.project_type(&base, args, kwargs) {
                return Some(spec);
            }
        }
        None
    }

    /// A `load_dialect_impl(self, dialect)` that picks a type by the
    /// dialect's name, interpreted on this run's dialect.
    fn load_dialect_impl(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        class: &'a ast::StmtClassDef,
    ) -> Option<TypeSpec> {
        let method = class.body.iter().find_map(|statement| match statement {
            Stmt::FunctionDef(def) if def.name.as_str() == "load_dialect_impl" => Some(def),
            _ => None,
        })?;
        let parameters: Vec<String> = method
            .parameters
            .args
            .iter()
            .map(|parameter| parameter.parameter.name.to_string())
            .collect();
        let [this, dialect] = parameters.as_slice() else {
            return None;
        };
        let globals = (*self.module_globals(module, body)).clone();
        let package = self.package_of(module);
        let returned = self.in_module(package, globals, |run| {
            let mut locals = HashMap::new();
            locals.insert(this.clone(), Value::Opaque("self".to_owned()));
            locals.insert(dialect.clone(), Value::Dialect);
            run.run_body_quietly(&method.body, &mut locals)
        });
        match returned {
            Some(Value::Type(spec)) => Some(spec),
            Some(Value::Path(path)) if path.starts_with("sqlalchemy") => {
                Some(sqlalchemy_type(&path, &[], &[]))
            }
            _ => None,
        }
    }
}

/// One class of a model's ancestry: its dotted path and, for the
/// project's own classes, their module and definition.
pub(crate) struct ChainLink<'a> {
    pub path: String,
    pub class: Option<(String, &'a ast::StmtClassDef)>,
}

impl<'a> Run<'a> {
    /// The class at `path` and its bases, depth first, each once. Bases
    /// that are not classes of the project (a library class, the value of
    /// `declarative_base()`) are links without a definition.
    pub(crate) fn class_chain(&mut self, path: &str) -> Vec<ChainLink<'a>> {
        let mut chain: Vec<ChainLink<'a>> = Vec::new();
        let mut pending = vec![path.to_owned()];
        while let Some(path) = pending.pop() {
            if chain.iter().any(|link| link.path == path) || chain.len() >= MAX_CHAIN * 4 {
                continue;
            }
            let Some((module, body, class)) = self.find_project_class(&path) else {
                chain.push(ChainLink { path, class: None });
                continue;
            };
            let bases: Vec<String> = class_bases(class)
                .filter_map(|base| match self.eval_in_module(&module, body, base) {
                    Value::Path(base) => Some(base),
                    // A base that is a value (`Base = declarative_base()`)
                    // is known by where it is bound.
                    _ => match base {
                        Expr::Name(name) => {
                            Some(self.canonical_path(&format!("{module}.{}", name.id)))
                        }
                        _ => None,
                    },
                })
                .collect();
            chain.push(ChainLink {
                path,
                class: Some((module, class)),
            });
            // Depth first, left to right, as Python's MRO mostly is.
            pending.extend(bases.into_iter().rev());
        }
        chain
    }

    /// Where the name `path` is defined, following the imports that
    /// re-export it (`app.models.Base` is `app.models.base.Base`).
    pub(crate) fn canonical_path(&mut self, path: &str) -> String {
        let mut path = path.to_owned();
        for _ in 0..MAX_CHAIN {
            let Some((module, name)) = path.rsplit_once('.') else {
                break;
            };
            let modules = self.modules;
            let Some(body) = modules.module(module) else {
                break;
            };
            let globals = self.module_globals(module, body);
            match globals.get(name) {
                Some(Value::Path(target)) if *target != path && !is_library(target) => {
                    path = target.clone();
                }
                _ => break,
            }
        }
        path
    }

    /// The definition of the project's class at `path`, following imports.
    fn find_project_class(
        &mut self,
        path: &str,
    ) -> Option<(String, &'a [Stmt], &'a ast::StmtClassDef)> {
        let mut path = path.to_owned();
        for _ in 0..MAX_CHAIN {
            if is_library(&path) {
                return None;
            }
            let (module, name) = path.rsplit_once('.')?;
            let modules = self.modules;
            let body = modules.module(module)?;
            if let Some(class) = find_class(body, name) {
                return Some((module.to_owned(), body, class));
            }
            let globals = self.module_globals(module, body);
            match globals.get(name) {
                Some(Value::Path(target)) if *target != path => path = target.clone(),
                _ => return None,
            }
        }
        None
    }

    /// A class body evaluated as Python runs it, in its module: each
    /// attribute's value and the order it was first bound in. Columns
    /// declared by annotation alone (`name: Mapped[str]`) or whose type is
    /// the annotation's (`mapped_column(index=True)`) get it from there.
    pub(crate) fn class_namespace(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        class: &'a ast::StmtClassDef,
    ) -> crate::models::ClassNamespace {
        let globals = (*self.module_globals(module, body)).clone();
        let package = self.package_of(module);
        self.in_module(package, globals, |run| {
            let mut locals = HashMap::new();
            let mut order: HashMap<String, usize> = HashMap::new();
            for statement in &class.body {
                let mut bound: Vec<String> = Vec::new();
                match statement {
                    Stmt::Assign(assign) => {
                        run.execute_quietly(statement, &mut locals);
                        for target in &assign.targets {
                            if let Expr::Name(name) = target {
                                bound.push(name.id.to_string());
                            }
                        }
                    }
                    Stmt::AnnAssign(assign) => {
                        let Expr::Name(name) = assign.target.as_ref() else {
                            continue;
                        };
                        let name = name.id.to_string();
                        let mapped = crate::models::mapped_annotation(&assign.annotation);
                        let value = match &assign.value {
                            Some(value) => run.eval_quietly(value, &mut locals),
                            None if mapped.is_some() => Value::Column(Box::default()),
                            None => continue,
                        };
                        let value = match (value, mapped) {
                            (Value::Column(mut column), Some((annotated, optional))) => {
                                if column.type_spec.is_none() {
                                    column.type_spec = annotated.or_else(|| {
                                        Some(TypeSpec {
                                            name: "unknown".to_owned(),
                                            known_module: false,
                                            args: Vec::new(),
                                            kwargs: Vec::new(),
                                        })
                                    });
                                }
                                if column.nullable.is_none() && !column.primary_key {
                                    column.nullable = Some(optional);
                                }
                                Value::Column(column)
                            }
                            (value, _) => value,
                        };
                        locals.insert(name.clone(), value);
                        bound.push(name);
                    }
                    _ => {}
                }
                for name in bound {
                    let next = order.len();
                    order.entry(name).or_insert(next);
                }
            }
            locals
                .into_iter()
                .map(|(name, value)| {
                    let at = order.get(&name).copied();
                    (name, (value, at))
                })
                .collect()
        })
    }
}

impl<'a> Run<'a> {
    /// `Class(args)` for a class of the project that is no column type: an
    /// object, with its `__init__` run.
    pub(crate) fn instantiate(
        &mut self,
        path: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: ruff_text_size::TextRange,
    ) -> Option<Value> {
        if self.modules.is_empty() || is_library(path) {
            return None;
        }
        let (module, _, _) = self.find_project_class(path)?;
        let class = format!("{module}.{}", path.rsplit('.').next().unwrap_or(path));
        let instance = Value::Instance(Box::new(Instance {
            class,
            attributes: Vec::new(),
            after: None,
        }));
        let Value::Instance(instance) = instance else {
            return None;
        };
        match self.run_method(*instance.clone(), "__init__", args, kwargs, range) {
            Some((_, Some(initialised))) => Some(Value::Instance(Box::new(initialised))),
            // No `__init__` of the project's: the object as it is.
            _ => Some(Value::Instance(instance)),
        }
    }

    /// `object.name(args)`.
    pub(crate) fn call_instance_method(
        &mut self,
        instance: Instance,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: ruff_text_size::TextRange,
    ) -> Value {
        match self.run_method(instance, name, args, kwargs, range) {
            Some((value, _)) => value,
            None => Value::Unknown(format!(
                "calls the method {name}, which is not found in the project's classes"
            )),
        }
    }

    /// Runs the method `name` found on the instance's class (or after the
    /// class a `super()` names); what it returns and `self` as it ended.
    fn run_method(
        &mut self,
        instance: Instance,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: ruff_text_size::TextRange,
    ) -> Option<(Value, Option<Instance>)> {
        let chain = self.class_chain(&instance.class);
        let start = match &instance.after {
            Some(after) => chain.iter().position(|link| link.path == *after)? + 1,
            None => 0,
        };
        let (class_path, module, method) = chain[start..].iter().find_map(|link| {
            let (module, class) = link.class.as_ref()?;
            class.body.iter().find_map(|statement| match statement {
                Stmt::FunctionDef(def) if def.name.as_str() == name => {
                    Some((link.path.clone(), module.clone(), def))
                }
                _ => None,
            })
        })?;
        let modules = self.modules;
        let body = modules.module(&module)?;
        let globals = (*self.module_globals(&module, body)).clone();
        let package = self.package_of(&module);
        let this = Instance {
            after: None,
            ..instance
        };
        let mut positional = vec![Value::Instance(Box::new(this))];
        positional.extend(args);
        let saved_class = self.current_class.replace(class_path);
        let (value, locals) = self.in_module(package, globals, |run| {
            run.call_def_keeping(method, positional, kwargs, range)
        });
        self.current_class = saved_class;
        let first = method
            .parameters
            .args
            .first()
            .map(|parameter| parameter.parameter.name.to_string());
        let after = first.and_then(|first| match locals.get(&first) {
            Some(Value::Instance(instance)) => Some((**instance).clone()),
            _ => None,
        });
        self.changed_object = after.clone();
        Some((value, after))
    }
}

/// The absolute name of `from <dots><module> import …` read in `package`
/// (`level` dots).
pub(crate) fn relative_module(package: &str, level: u32, module: &str) -> String {
    let mut base: Vec<&str> = package.split('.').collect();
    base.truncate(base.len().saturating_sub(level as usize - 1));
    if !module.is_empty() {
        base.push(module);
    }
    base.join(".")
}

/// SQLAlchemy's type class at `path`, called with `args`.
fn sqlalchemy_type(path: &str, args: &[Value], kwargs: &[(String, Value)]) -> TypeSpec {
    TypeSpec {
        name: path.rsplit('.').next().unwrap_or(path).to_owned(),
        known_module: true,
        args: args.to_vec(),
        kwargs: kwargs.to_vec(),
    }
}

fn find_class<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ast::StmtClassDef> {
    body.iter().rev().find_map(|statement| match statement {
        Stmt::ClassDef(class) if class.name.as_str() == name => Some(class),
        _ => None,
    })
}

fn class_bases(class: &ast::StmtClassDef) -> impl Iterator<Item = &Expr> {
    class
        .arguments
        .iter()
        .flat_map(|arguments| arguments.args.iter())
}

fn is_name(target: &Expr, name: &str) -> bool {
    matches!(target, Expr::Name(target) if target.id.as_str() == name)
}

/// A module's top-level statements as they run: the `else` of an
/// `if TYPE_CHECKING:` block stands in for the block (type checkers read
/// the other branch; Python runs this one).
pub(crate) fn runtime_statements(body: &[Stmt]) -> Vec<&Stmt> {
    let mut out = Vec::with_capacity(body.len());
    for statement in body {
        match statement {
            Stmt::If(branch) if is_type_checking(&branch.test) => {
                if let Some(otherwise) = branch
                    .elif_else_clauses
                    .iter()
                    .find(|clause| clause.test.is_none())
                {
                    out.extend(runtime_statements(&otherwise.body));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING`.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}
