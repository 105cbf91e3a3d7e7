//! The values the interpreter of `upgrade()` computes with: Python constants,
//! and the SQLAlchemy and alembic objects a migration builds.

use migration_doctor_schema::TypeFamily;

/// A column type as a migration spells it: `sa.String(50)`,
/// `postgresql.ARRAY(sa.Integer)`, `myapp.types.GUID()`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeSpec {
    /// The type's name without its module (`String`, `ARRAY`, `GUID`).
    pub name: String,
    /// Whether it comes from SQLAlchemy (or a dialect module of it).
    pub known_module: bool,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
}

impl TypeSpec {
    pub fn kwarg(&self, key: &str) -> Option<&Value> {
        self.kwargs
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }
}

/// `sa.Column(...)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnSpec {
    pub name: Option<String>,
    pub type_spec: Option<TypeSpec>,
    /// Explicit `nullable=`; `None` lets SQLAlchemy's default decide.
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub unique: bool,
    pub index: bool,
    pub server_default: Option<String>,
    pub foreign_keys: Vec<ForeignKeySpec>,
}

/// `sa.ForeignKey("table.column")` or one `ForeignKeyConstraint`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeySpec {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referred_schema: Option<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    pub actions: crate::operation::ReferentialActions,
}

/// Table-level arguments of `create_table`.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstraintSpec {
    PrimaryKey {
        name: Option<String>,
        columns: Vec<String>,
    },
    Unique {
        name: Option<String>,
        columns: Vec<String>,
    },
    ForeignKey(ForeignKeySpec),
    Check,
    Index {
        name: Option<String>,
        columns: Vec<String>,
        unique: bool,
    },
}

/// An object of a project class.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The class's dotted path.
    pub class: String,
    pub attributes: Vec<(String, Value)>,
    /// For `super()`: methods are looked up after this class.
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Dict(Vec<(Value, Value)>),
    /// A dotted name we know only by its path: a module, a class, a function
    /// of a library (`sqlalchemy.String`, `alembic.op`, `myapp.models.User`).
    Path(String),
    /// A function defined in the migration file.
    Function(String),
    /// A method looked up on a value (`batch_op.add_column`, `"x".join`).
    Method(Box<Value>, String),
    Type(TypeSpec),
    Column(Box<ColumnSpec>),
    Constraint(ConstraintSpec),
    /// `sa.ForeignKey(...)` before it is attached to a column.
    ForeignKeyRef(ForeignKeySpec),
    /// `op.get_bind()`, a connection, an engine.
    Bind,
    /// `bind.dialect`, `context.dialect`.
    Dialect,
    /// A migration context (`op.get_context()`, `context.get_context()`).
    Context,
    /// `sa.inspect(bind)`.
    Inspector,
    /// `with op.batch_alter_table("t", schema=…) as batch_op`.
    Batch {
        table: String,
        schema: Option<String>,
        /// Whether alembic rebuilds the table at the end of the block (on
        /// SQLite, or `recreate="always"`), re-creating its indexes.
        rebuilt: bool,
    },
    /// `sa.text("…")`.
    Sql(String),
    /// `sa.Table("name", metadata, …)` or `sa.table("name", …)`: known by
    /// its name.
    Table(String),
    /// `MetaData(naming_convention={...})`, or a declarative base as far as
    /// its metadata goes: the convention's entries.
    MetaData(Vec<(String, String)>),
    /// A type family already decided (for reflected column types).
    Family(TypeFamily),
    /// An object of one of the project's own classes (a helper class
    /// whose methods call `op.*`), with the attributes its methods set.
    Instance(Box<Instance>),
    /// A mapped column as its model class's attribute (`SqlRun.status`):
    /// the column of the class's table.
    MappedColumn {
        table: String,
        column: String,
    },
    /// A value that exists but that we do not model (`sa.func.now()`).
    Opaque(String),
    /// A value we could not compute statically.
    Unknown(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// Python truthiness, when it can be known.
    pub fn truthy(&self) -> Option<bool> {
        match self {
            Value::None => Some(false),
            Value::Bool(value) => Some(*value),
            Value::Int(value) => Some(*value != 0),
            Value::Float(value) => Some(*value != 0.0),
            Value::Str(text) => Some(!text.is_empty()),
            Value::List(items) => Some(!items.is_empty()),
            Value::Dict(items) => Some(!items.is_empty()),
            Value::Unknown(_) => None,
            _ => Some(true),
        }
    }

    /// A list of strings (`["a", "b"]`, or one string as a one-element list),
    /// as SQLAlchemy accepts column lists.
    pub fn string_list(&self) -> Option<Vec<String>> {
        match self {
            Value::Str(text) => Some(vec![text.clone()]),
            Value::List(items) => items
                .iter()
                .map(|item| match item {
                    Value::Str(text) => Some(text.clone()),
                    Value::Column(column) => column.name.clone(),
                    Value::MappedColumn { column, .. } => Some(column.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
}
