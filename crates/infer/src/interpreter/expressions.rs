//! Expressions: literals, names, operators, f-strings, subscripts,
//! attributes, calls and comprehensions.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::python::{binary, compare_values, iterate, slice_value, subscript_value, to_text};
use super::run::{Host, Interpreter, MAX_ITERATIONS, Names};
use crate::value::Value;

impl<'a, H: Host<'a>> Interpreter<'a, H> {
    pub(crate) fn lookup(&mut self, name: &str, locals: &Names) -> Value {
        if let Some(value) = locals.get(name).or_else(|| self.globals.get(name)) {
            if let Value::Path(path) = value {
                let path = path.clone();
                return H::resolve(self, &path).unwrap_or(Value::Path(path));
            }
            return value.clone();
        }
        match name {
            "len" | "range" | "str" | "int" | "list" | "tuple" | "set" | "sorted" | "enumerate"
            | "zip" | "any" | "all" | "print" | "dict" | "isinstance" | "globals" | "reversed"
            | "bool" => Value::Path(format!("builtins.{name}")),
            _ => Value::Unknown(format!("`{name}` is not defined in the file")),
        }
    }

    #[recursive::recursive]
    pub fn eval(&mut self, expr: &'a Expr, locals: &mut Names) -> Value {
        if !self.step(expr.range()) {
            return Value::Unknown(String::new());
        }
        match expr {
            Expr::StringLiteral(literal) => Value::Str(literal.value.to_str().to_owned()),
            Expr::NoneLiteral(_) => Value::None,
            Expr::BooleanLiteral(literal) => Value::Bool(literal.value),
            Expr::NumberLiteral(number) => match &number.value {
                ast::Number::Int(int) => int
                    .as_i64()
                    .map_or(Value::Unknown(String::new()), Value::Int),
                ast::Number::Float(float) => Value::Float(*float),
                ast::Number::Complex { .. } => Value::Unknown(String::new()),
            },
            Expr::EllipsisLiteral(_) => Value::None,
            Expr::BytesLiteral(_) => Value::Opaque("bytes".to_owned()),
            Expr::Name(name) => self.lookup(name.id.as_str(), locals),
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => self.eval_items(elts, locals),
            Expr::Dict(dict) => self.eval_dict(dict, locals),
            Expr::FString(fstring) => self.eval_fstring(fstring, locals),
            Expr::BinOp(binop) => {
                let left = self.eval(&binop.left, locals);
                let right = self.eval(&binop.right, locals);
                binary(binop.op, left, right)
            }
            Expr::UnaryOp(unary) => self.eval_unary(unary, locals),
            Expr::BoolOp(boolop) => self.eval_bool(boolop, locals),
            Expr::Compare(compare) => self.eval_compare(compare, locals),
            Expr::If(conditional) => match self.eval(&conditional.test, locals).truthy() {
                Some(true) => self.eval(&conditional.body, locals),
                Some(false) => self.eval(&conditional.orelse, locals),
                None => Value::Unknown(String::new()),
            },
            Expr::Subscript(subscript) => self.eval_subscript(subscript, locals),
            Expr::Attribute(attribute) => {
                let base = self.eval(&attribute.value, locals);
                match H::attribute(self, base, attribute.attr.as_str()) {
                    Value::Path(path) => H::resolve(self, &path).unwrap_or(Value::Path(path)),
                    value => value,
                }
            }
            Expr::Call(call) => self.eval_call(call, locals),
            Expr::ListComp(comprehension) => {
                self.comprehension(&comprehension.elt, &comprehension.generators, locals)
            }
            Expr::Generator(generator) => {
                self.comprehension(&generator.elt, &generator.generators, locals)
            }
            Expr::SetComp(comprehension) => {
                self.comprehension(&comprehension.elt, &comprehension.generators, locals)
            }
            Expr::DictComp(comprehension) => match &comprehension.key {
                Some(key) => self
                    .comprehension_pairs(
                        key,
                        &comprehension.value,
                        &comprehension.generators,
                        locals,
                    )
                    .map_or(Value::Unknown(String::new()), Value::Dict),
                None => Value::Unknown(String::new()),
            },
            Expr::Lambda(_) => Value::Opaque("lambda".to_owned()),
            _ => Value::Unknown(String::new()),
        }
    }

    /// A tuple, list or set, with `*rest` spread.
    fn eval_items(&mut self, elts: &'a [Expr], locals: &mut Names) -> Value {
        let mut items = Vec::new();
        for element in elts {
            if let Expr::Starred(starred) = element {
                match iterate(&self.eval(&starred.value, locals)) {
                    Some(more) => items.extend(more),
                    None => return Value::Unknown(String::new()),
                }
            } else {
                items.push(self.eval(element, locals));
            }
        }
        Value::List(items)
    }

    fn eval_dict(&mut self, dict: &'a ast::ExprDict, locals: &mut Names) -> Value {
        let mut items = Vec::new();
        for item in &dict.items {
            let Some(key) = &item.key else {
                return Value::Unknown(String::new());
            };
            let key = self.eval(key, locals);
            let value = self.eval(&item.value, locals);
            items.push((key, value));
        }
        Value::Dict(items)
    }

    fn eval_fstring(&mut self, fstring: &'a ast::ExprFString, locals: &mut Names) -> Value {
        let mut out = String::new();
        for part in fstring.value.iter() {
            match part {
                ast::FStringPart::Literal(literal) => out.push_str(literal.as_str()),
                ast::FStringPart::FString(fstring) => {
                    for element in fstring.elements.iter() {
                        match element {
                            ast::InterpolatedStringElement::Literal(literal) => {
                                out.push_str(&literal.value)
                            }
                            ast::InterpolatedStringElement::Interpolation(interpolation) => {
                                match to_text(&self.eval(&interpolation.expression, locals)) {
                                    Some(text) => out.push_str(&text),
                                    None => return Value::Unknown(String::new()),
                                }
                            }
                        }
                    }
                }
            }
        }
        Value::Str(out)
    }

    fn eval_unary(&mut self, unary: &'a ast::ExprUnaryOp, locals: &mut Names) -> Value {
        let operand = self.eval(&unary.operand, locals);
        match (unary.op, operand) {
            (ast::UnaryOp::Not, value) => value
                .truthy()
                .map_or(Value::Unknown(String::new()), |b| Value::Bool(!b)),
            (ast::UnaryOp::USub, Value::Int(number)) => Value::Int(-number),
            (ast::UnaryOp::USub, Value::Float(number)) => Value::Float(-number),
            (ast::UnaryOp::UAdd, value) => value,
            _ => Value::Unknown(String::new()),
        }
    }

    /// `a and b`, `a or b`: the value that decides, as Python gives it.
    fn eval_bool(&mut self, boolop: &'a ast::ExprBoolOp, locals: &mut Names) -> Value {
        let is_and = boolop.op == ast::BoolOp::And;
        let mut last = Value::None;
        for value in &boolop.values {
            last = self.eval(value, locals);
            match last.truthy() {
                None => return Value::Unknown(String::new()),
                Some(truth) if truth != is_and => return last,
                Some(_) => {}
            }
        }
        last
    }

    fn eval_compare(&mut self, compare: &'a ast::ExprCompare, locals: &mut Names) -> Value {
        let mut left = self.eval(&compare.left, locals);
        for (op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
            let right = self.eval(right, locals);
            match compare_values(*op, &left, &right) {
                Some(true) => left = right,
                Some(false) => return Value::Bool(false),
                None => return Value::Unknown(String::new()),
            }
        }
        Value::Bool(true)
    }

    fn eval_subscript(&mut self, subscript: &'a ast::ExprSubscript, locals: &mut Names) -> Value {
        let value = self.eval(&subscript.value, locals);
        if let Expr::Slice(slice) = subscript.slice.as_ref() {
            let bound = |run: &mut Self, expr: &'a Option<Box<Expr>>, locals: &mut Names| match expr
            {
                Some(expr) => match run.eval(expr, locals) {
                    Value::Int(number) => Some(Some(number)),
                    _ => None,
                },
                None => Some(None),
            };
            let (Some(lower), Some(upper)) = (
                bound(self, &slice.lower, locals),
                bound(self, &slice.upper, locals),
            ) else {
                return Value::Unknown(String::new());
            };
            return slice_value(&value, lower, upper);
        }
        let index = self.eval(&subscript.slice, locals);
        subscript_value(&value, &index)
    }

    fn eval_call(&mut self, call: &'a ast::ExprCall, locals: &mut Names) -> Value {
        // `super()` in a method of a project class.
        if matches!(call.func.as_ref(), Expr::Name(name) if name.id.as_str() == "super")
            && call.arguments.args.is_empty()
            && let (Some(Value::Instance(instance)), Some(class)) =
                (locals.get("self"), self.current_class.clone())
        {
            let mut parent = (**instance).clone();
            parent.after = Some(class);
            return Value::Instance(Box::new(parent));
        }
        let callee = self.eval(&call.func, locals);
        let mut args = Vec::new();
        for arg in &call.arguments.args {
            if let Expr::Starred(starred) = arg {
                match iterate(&self.eval(&starred.value, locals)) {
                    Some(items) => args.extend(items),
                    None => {
                        return Value::Unknown(format!(
                            "`{}`: arguments only known at run time",
                            self.text(call.range())
                        ));
                    }
                }
            } else {
                args.push(self.eval(arg, locals));
            }
        }
        let mut kwargs = Vec::new();
        for keyword in &call.arguments.keywords {
            let value = self.eval(&keyword.value, locals);
            match &keyword.arg {
                Some(name) => kwargs.push((name.to_string(), value)),
                None => match value {
                    Value::Dict(items) => {
                        for (key, value) in items {
                            if let Value::Str(key) = key {
                                kwargs.push((key, value));
                            }
                        }
                    }
                    _ => {
                        return Value::Unknown(format!(
                            "`{}`: arguments only known at run time",
                            self.text(call.range())
                        ));
                    }
                },
            }
        }
        // A method of a project object changes that object (`self.x
        // = …` in `obj.setup()` or `super().__init__(…)`): the caller's
        // name for it sees the change, as Python's shared object would.
        let receiver = match call.func.as_ref() {
            Expr::Attribute(attribute) => match attribute.value.as_ref() {
                Expr::Name(name) => Some(name.id.to_string()),
                Expr::Call(inner) if matches!(inner.func.as_ref(), Expr::Name(name) if name.id.as_str() == "super") => {
                    Some("self".to_owned())
                }
                _ => None,
            },
            _ => None,
        };
        self.changed_object = None;
        let value = self.call(callee, args, kwargs, call.range());
        if let Some(receiver) = receiver
            && let Some(changed) = self.changed_object.take()
            && let Some(Value::Instance(object)) = locals.get_mut(&receiver)
            && object.class == changed.class
        {
            object.attributes = changed.attributes;
        }
        value
    }

    fn comprehension(
        &mut self,
        element: &'a Expr,
        generators: &'a [ast::Comprehension],
        locals: &mut Names,
    ) -> Value {
        let [generator] = generators else {
            return Value::Unknown(String::new());
        };
        let Some(items) = iterate(&self.eval(&generator.iter, locals)) else {
            return Value::Unknown(String::new());
        };
        let mut scope = locals.clone();
        let mut out = Vec::new();
        for item in items.into_iter().take(MAX_ITERATIONS) {
            if !self.step(generator.range) {
                return Value::Unknown(String::new());
            }
            self.bind(&generator.target, item, &mut scope);
            let mut keep = true;
            for condition in &generator.ifs {
                match self.eval(condition, &mut scope).truthy() {
                    Some(true) => {}
                    Some(false) => keep = false,
                    None => return Value::Unknown(String::new()),
                }
            }
            if keep {
                out.push(self.eval(element, &mut scope));
            }
        }
        Value::List(out)
    }

    /// `{key: value for target in iterable if condition}`.
    fn comprehension_pairs(
        &mut self,
        key: &'a Expr,
        value: &'a Expr,
        generators: &'a [ast::Comprehension],
        locals: &mut Names,
    ) -> Option<Vec<(Value, Value)>> {
        let [generator] = generators else {
            return None;
        };
        let items = iterate(&self.eval(&generator.iter, locals))?;
        let mut scope = locals.clone();
        let mut out = Vec::new();
        for item in items.into_iter().take(MAX_ITERATIONS) {
            if !self.step(generator.range) {
                return None;
            }
            self.bind(&generator.target, item, &mut scope);
            let mut keep = true;
            for condition in &generator.ifs {
                keep &= self.eval(condition, &mut scope).truthy()?;
            }
            if keep {
                out.push((self.eval(key, &mut scope), self.eval(value, &mut scope)));
            }
        }
        Some(out)
    }
}
