//! Statements: assignments, conditionals, loops, `with`, `try`, function
//! definitions and imports, as Python runs them.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::python::{binary, closure_key, iterate, relative_module};
use super::run::{Flow, Host, Interpreter, MAX_ITERATIONS, Names};
use crate::value::Value;

impl<'a, H: Host<'a>> Interpreter<'a, H> {
    pub(crate) fn block(&mut self, body: &'a [Stmt], locals: &mut Names) -> Flow {
        for statement in body {
            match self.execute(statement, locals) {
                Flow::Normal => {}
                other => return other,
            }
        }
        Flow::Normal
    }

    // Deeply nested code (helpers calling helpers, parser recovery's nested
    // definitions) grows the stack on the heap instead of overflowing it.
    #[recursive::recursive]
    pub(crate) fn execute(&mut self, statement: &'a Stmt, locals: &mut Names) -> Flow {
        if !self.step(statement.range()) {
            // Unwinds every loop and call up to `upgrade()`.
            return Flow::Return(Value::Unknown(String::new()));
        }
        match statement {
            Stmt::Expr(expression) => {
                if let Expr::Call(call) = expression.value.as_ref()
                    && let Some(flow) = self.list_mutation(call, locals)
                {
                    return flow;
                }
                let value = self.eval(&expression.value, locals);
                if let Value::Unknown(reason) = value
                    && !reason.is_empty()
                {
                    self.unknown(statement.range(), &reason);
                }
                Flow::Normal
            }
            Stmt::Assign(assign) => {
                let value = self.eval(&assign.value, locals);
                for target in &assign.targets {
                    self.bind(target, value.clone(), locals);
                }
                Flow::Normal
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    let value = self.eval(value, locals);
                    self.bind(&assign.target, value, locals);
                }
                Flow::Normal
            }
            Stmt::AugAssign(assign) => {
                let current = self.eval(&assign.target, locals);
                let right = self.eval(&assign.value, locals);
                let value = binary(assign.op, current, right);
                self.bind(&assign.target, value, locals);
                Flow::Normal
            }
            Stmt::If(branch) => self.execute_if(branch, locals),
            Stmt::For(for_loop) => self.execute_for(for_loop, locals),
            Stmt::With(with) => self.execute_with(with, locals),
            Stmt::Try(attempt) => {
                // The migration's intended path is the one without exceptions.
                let flow = self.block(&attempt.body, locals);
                if !matches!(flow, Flow::Normal) {
                    return flow;
                }
                let flow = self.block(&attempt.orelse, locals);
                if !matches!(flow, Flow::Normal) {
                    return flow;
                }
                self.block(&attempt.finalbody, locals)
            }
            Stmt::Return(ret) => Flow::Return(
                ret.value
                    .as_ref()
                    .map_or(Value::None, |value| self.eval(value, locals)),
            ),
            Stmt::Break(_) => Flow::Break,
            Stmt::Continue(_) => Flow::Continue,
            Stmt::FunctionDef(function) => {
                self.define(function, locals);
                Flow::Normal
            }
            Stmt::Import(import) => {
                bind_import(import, locals);
                Flow::Normal
            }
            Stmt::ImportFrom(import) => {
                self.bind_import_from(import, locals);
                Flow::Normal
            }
            Stmt::Pass(_)
            | Stmt::Assert(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::Delete(_) => Flow::Normal,
            Stmt::Raise(_) => Flow::Return(Value::None),
            Stmt::ClassDef(_) => Flow::Normal,
            _ => {
                self.unknown(
                    statement.range(),
                    "a statement migration-doctor does not interpret",
                );
                Flow::Normal
            }
        }
    }

    fn execute_if(&mut self, branch: &'a ast::StmtIf, locals: &mut Names) -> Flow {
        let test = self.eval(&branch.test, locals);
        match test.truthy() {
            Some(true) => return self.block(&branch.body, locals),
            Some(false) => {}
            None => {
                self.unknown(
                    branch.range,
                    "a condition that depends on something only known at run time",
                );
                return Flow::Normal;
            }
        }
        for clause in &branch.elif_else_clauses {
            let taken = match &clause.test {
                None => Some(true),
                Some(test) => self.eval(test, locals).truthy(),
            };
            match taken {
                Some(true) => return self.block(&clause.body, locals),
                Some(false) => {}
                None => {
                    self.unknown(
                        clause.range,
                        "a condition that depends on something only known at run time",
                    );
                    return Flow::Normal;
                }
            }
        }
        Flow::Normal
    }

    fn execute_for(&mut self, for_loop: &'a ast::StmtFor, locals: &mut Names) -> Flow {
        let iterable = self.eval(&for_loop.iter, locals);
        let Some(items) = iterate(&iterable) else {
            self.unknown(for_loop.range, "a loop over values only known at run time");
            return Flow::Normal;
        };
        for item in items.into_iter().take(MAX_ITERATIONS) {
            self.bind(&for_loop.target, item, locals);
            match self.block(&for_loop.body, locals) {
                Flow::Break => return Flow::Normal,
                Flow::Return(value) => return Flow::Return(value),
                Flow::Normal | Flow::Continue => {}
            }
        }
        if !for_loop.orelse.is_empty() {
            return self.block(&for_loop.orelse, locals);
        }
        Flow::Normal
    }

    /// `with`: the host says what entering a value means (a batch block
    /// that rebuilds its table) and what ends with the block.
    fn execute_with(&mut self, with: &'a ast::StmtWith, locals: &mut Names) -> Flow {
        let mut exits = Vec::new();
        for item in &with.items {
            let value = self.eval(&item.context_expr, locals);
            if let Some(exit) = H::enter(self, &value) {
                exits.push(exit);
            }
            if let Some(target) = &item.optional_vars {
                self.bind(target, value, locals);
            }
        }
        let flow = self.block(&with.body, locals);
        for exit in exits {
            H::exit(self, exit);
        }
        flow
    }

    /// `def name(...)`: bound, with the enclosing names for a closure.
    fn define(&mut self, function: &'a ast::StmtFunctionDef, locals: &mut Names) {
        self.functions
            .insert(function.name.id.to_string(), function);
        locals.insert(
            function.name.id.to_string(),
            Value::Function(function.name.id.to_string()),
        );
        if self.depth > 0 || !locals.is_empty() {
            self.closures.insert(closure_key(function), locals.clone());
        }
    }

    /// `from module import name`, relative to the package being read.
    fn bind_import_from(&mut self, import: &ast::StmtImportFrom, locals: &mut Names) {
        let module = import
            .module
            .as_ref()
            .map(|module| module.to_string())
            .unwrap_or_default();
        let module = match (import.level, &self.package) {
            (0, _) => module,
            // Relative to the package of the module being read.
            (level, Some(package)) => relative_module(package, level, &module),
            (level, None) => format!("{}{module}", ".".repeat(level as usize)),
        };
        for alias in &import.names {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
            locals.insert(bound, Value::Path(format!("{module}.{}", alias.name)));
        }
    }

    /// `names.append(x)` / `names.extend(xs)` on a local list.
    fn list_mutation(&mut self, call: &'a ast::ExprCall, locals: &mut Names) -> Option<Flow> {
        let Expr::Attribute(attribute) = call.func.as_ref() else {
            return None;
        };
        let Expr::Name(name) = attribute.value.as_ref() else {
            return None;
        };
        let method = attribute.attr.as_str();
        if !matches!(method, "append" | "extend" | "insert") {
            return None;
        }
        let current = locals
            .get(name.id.as_str())
            .cloned()
            .or_else(|| self.globals.get(name.id.as_str()).cloned())?;
        let Value::List(mut items) = current else {
            return None;
        };
        let args: Vec<Value> = call
            .arguments
            .args
            .iter()
            .map(|arg| self.eval(arg, locals))
            .collect();
        match (method, args.as_slice()) {
            ("append", [value]) => items.push(value.clone()),
            ("extend", [Value::List(more)]) => items.extend(more.iter().cloned()),
            ("insert", [Value::Int(at), value]) => {
                let at = usize::try_from(*at).unwrap_or(0).min(items.len());
                items.insert(at, value.clone());
            }
            _ => {
                locals.insert(name.id.to_string(), Value::Unknown(String::new()));
                return Some(Flow::Normal);
            }
        }
        locals.insert(name.id.to_string(), Value::List(items));
        Some(Flow::Normal)
    }

    pub(crate) fn bind(&mut self, target: &'a Expr, value: Value, locals: &mut Names) {
        match target {
            Expr::Name(name) => {
                locals.insert(name.id.to_string(), value);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let items = iterate(&value).filter(|items| items.len() == elts.len());
                for (at, element) in elts.iter().enumerate() {
                    let item = items
                        .as_ref()
                        .and_then(|items| items.get(at).cloned())
                        .unwrap_or_else(|| Value::Unknown(String::new()));
                    self.bind(element, item, locals);
                }
            }
            // `self.name = value` in a method of a project class.
            Expr::Attribute(attribute) => {
                if let Expr::Name(owner) = attribute.value.as_ref()
                    && let Some(Value::Instance(instance)) = locals.get_mut(owner.id.as_str())
                {
                    let name = attribute.attr.to_string();
                    instance.attributes.retain(|(known, _)| *known != name);
                    instance.attributes.push((name, value));
                }
            }
            _ => {}
        }
    }
}

/// `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
fn bind_import(import: &ast::StmtImport, locals: &mut Names) {
    for alias in &import.names {
        let dotted = alias.name.as_str();
        match &alias.asname {
            Some(bound) => {
                locals.insert(bound.to_string(), Value::Path(dotted.to_owned()));
            }
            None => {
                let top = dotted.split('.').next().unwrap_or(dotted);
                locals.insert(top.to_owned(), Value::Path(top.to_owned()));
            }
        }
    }
}
