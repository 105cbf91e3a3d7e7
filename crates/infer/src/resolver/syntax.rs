//! Shapes of Python source the resolver looks for: a class of a module by
//! name, a class's bases, a name as an assignment target.

use ruff_python_ast::{self as ast, Expr, Stmt};

pub(crate) fn find_class<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ast::StmtClassDef> {
    body.iter().rev().find_map(|statement| match statement {
        Stmt::ClassDef(class) if class.name.as_str() == name => Some(class),
        _ => None,
    })
}

pub(crate) fn class_bases(class: &ast::StmtClassDef) -> impl Iterator<Item = &Expr> {
    class
        .arguments
        .iter()
        .flat_map(|arguments| arguments.args.iter())
}

pub(crate) fn is_name(target: &Expr, name: &str) -> bool {
    matches!(target, Expr::Name(target) if target.id.as_str() == name)
}
