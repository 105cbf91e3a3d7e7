//! Calls: of functions defined in the interpreted file or another module
//! (arguments bound as Python binds them, closures, a depth limit), and
//! of everything else through the host.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::TextRange;

use super::python::closure_key;
use super::run::{Flow, Host, Interpreter, MAX_DEPTH, Names};
use crate::value::Value;

impl<'a, H: Host<'a>> Interpreter<'a, H> {
    pub(crate) fn call(
        &mut self,
        callee: Value,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        match callee {
            Value::Function(name) => self.call_function(&name, args, kwargs, range),
            Value::Path(path) => H::call_path(self, &path, args, kwargs, range),
            Value::Method(base, name) => H::call_method(self, *base, &name, args, kwargs, range),
            Value::Unknown(reason) if !reason.is_empty() => Value::Unknown(reason),
            _ => Value::Unknown(format!(
                "`{}` calls something only known at run time",
                self.text(range)
            )),
        }
    }

    fn call_function(
        &mut self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        let Some(function) = self.functions.get(name).copied() else {
            return Value::Unknown(format!("function {name} is not defined in the file"));
        };
        self.call_def(function, args, kwargs, range)
    }

    /// Runs a function (or method) definition with its arguments bound.
    pub(crate) fn call_def(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Value {
        self.call_def_keeping(function, args, kwargs, range).0
    }

    /// Like [`Interpreter::call_def`], also giving back the function's locals as
    /// they ended (a method's `self`, with what it set).
    pub(crate) fn call_def_keeping(
        &mut self,
        function: &'a ast::StmtFunctionDef,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> (Value, Names) {
        if self.depth >= MAX_DEPTH {
            self.unknown(range, "helper functions call one another too deeply");
            return (Value::Unknown(String::new()), HashMap::new());
        }
        let parameters = &function.parameters;
        // A function defined inside another sees that one's names (a
        // closure), as they were when it was defined.
        let mut locals = self
            .closures
            .get(&closure_key(function))
            .cloned()
            .unwrap_or_default();
        let positional: Vec<&ast::ParameterWithDefault> = parameters
            .posonlyargs
            .iter()
            .chain(parameters.args.iter())
            .collect();
        let mut args = args.into_iter();
        for parameter in &positional {
            let name = parameter.parameter.name.to_string();
            let value = args.next().or_else(|| {
                kwargs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.clone())
            });
            let value = match value {
                Some(value) => value,
                None => match &parameter.default {
                    Some(default) => {
                        let mut empty = HashMap::new();
                        self.eval(default, &mut empty)
                    }
                    None => Value::Unknown(String::new()),
                },
            };
            locals.insert(name, value);
        }
        if let Some(rest) = &parameters.vararg {
            locals.insert(rest.name.to_string(), Value::List(args.collect()));
        }
        for parameter in &parameters.kwonlyargs {
            let name = parameter.parameter.name.to_string();
            let value = kwargs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.clone())
                .or_else(|| {
                    parameter.default.as_ref().map(|default| {
                        let mut empty = HashMap::new();
                        self.eval(default, &mut empty)
                    })
                })
                .unwrap_or(Value::Unknown(String::new()));
            locals.insert(name, value);
        }
        if let Some(rest) = &parameters.kwarg {
            let named: Vec<String> = positional
                .iter()
                .map(|p| p.parameter.name.to_string())
                .collect();
            let extra = kwargs
                .into_iter()
                .filter(|(key, _)| !named.contains(key))
                .map(|(key, value)| (Value::Str(key), value))
                .collect();
            locals.insert(rest.name.to_string(), Value::Dict(extra));
        }
        self.depth += 1;
        let flow = self.block(&function.body, &mut locals);
        self.depth -= 1;
        let value = match flow {
            Flow::Return(value) => value,
            _ => Value::None,
        };
        (value, locals)
    }

    /// Calls `function` of another module (`module`, whose statements are
    /// `body`): a helper the interpreted file imports. Its names are bound
    /// as that module binds them; unknown operations are reported at the
    /// call in the interpreted file. `None` when the module defines no such
    /// function, or calls are nested too deeply.
    pub(crate) fn call_module_function(
        &mut self,
        module: &str,
        body: &'a [Stmt],
        function: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
        range: TextRange,
    ) -> Option<Value> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        if !body
            .iter()
            .any(|statement| matches!(statement, Stmt::FunctionDef(def) if def.name.as_str() == function))
        {
            return None;
        }
        let saved_site = self.foreign_site;
        if self.foreign_site.is_none() {
            self.foreign_site = Some(range);
        }
        let mut globals = HashMap::new();
        let mut functions = HashMap::new();
        for statement in body {
            match statement {
                Stmt::FunctionDef(def) => {
                    functions.insert(def.name.id.to_string(), def);
                    globals.insert(
                        def.name.id.to_string(),
                        Value::Function(def.name.id.to_string()),
                    );
                }
                Stmt::ClassDef(class) => {
                    globals.insert(
                        class.name.id.to_string(),
                        Value::Path(format!("{module}.{}", class.name)),
                    );
                }
                Stmt::Import(_) | Stmt::ImportFrom(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                    self.execute_quietly(statement, &mut globals);
                }
                _ => {}
            }
        }
        let saved_globals = std::mem::replace(&mut self.globals, globals);
        let saved_functions = std::mem::replace(&mut self.functions, functions);
        let value = self.call_function(function, args, kwargs, range);
        self.globals = saved_globals;
        self.functions = saved_functions;
        self.foreign_site = saved_site;
        Some(value)
    }
}
