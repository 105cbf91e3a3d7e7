//! The project's own names, for code that imports them: module constants,
//! helper functions, class attributes, models and column types, read
//! statically from the project's modules (see [`crate::modules`]).
//!
//! The resolver asks the interpreter only what [`Evaluator`] offers.

mod classes;
mod evaluator;
mod names;
mod syntax;
mod types;

pub(crate) use classes::{call_instance_method, class_chain, class_namespace, instantiate};
pub(crate) use evaluator::{Evaluator, ProjectNames, is_library};
pub(crate) use names::{
    call_project_function, canonical_path, eval_in_module, project_modules_from,
    resolve_project_path,
};
pub(crate) use types::project_type;
