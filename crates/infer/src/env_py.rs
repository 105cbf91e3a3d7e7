//! What `env.py` names without being run: the `target_metadata` it hands
//! alembic, as the `module:attribute` path the models reader takes
//! (`from myapp.models import Base` and `target_metadata = Base.metadata`
//! give `myapp.models:Base.metadata`).

use std::collections::HashMap;

use ruff_python_ast::{Expr, Stmt};

use crate::modules::ModuleCache;

/// The models `env.py` hands alembic as `target_metadata`, when it names
/// them through an import of the project's own modules.
pub fn target_metadata_path(source: &str, modules: &ModuleCache) -> Option<String> {
    let parsed =
        ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python);
    // Local name → what it is bound to: `module` (import) or `module:name`.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut target: Option<&Expr> = None;
    for statement in &parsed.syntax().body {
        match statement {
            Stmt::ImportFrom(import) => {
                let module = import.module.as_ref()?.as_str();
                for alias in &import.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).to_string();
                    let full = format!("{module}.{}", alias.name);
                    let bound = if modules.module(&full).is_some() {
                        full
                    } else {
                        format!("{module}:{}", alias.name)
                    };
                    names.insert(local, bound);
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    match &alias.asname {
                        Some(local) => names.insert(local.to_string(), alias.name.to_string()),
                        None => {
                            let head = alias.name.split('.').next().unwrap_or_default();
                            names.insert(head.to_owned(), head.to_owned())
                        }
                    };
                }
            }
            Stmt::Assign(assign)
                if assign.targets.iter().any(
                    |name| matches!(name, Expr::Name(name) if name.id.as_str() == "target_metadata"),
                ) =>
            {
                target = Some(&assign.value);
            }
            _ => {}
        }
    }
    let mut parts = dotted(target?)?;
    let head = names.get(parts.first()?)?.clone();
    parts.remove(0);
    if let Some((module, name)) = head.split_once(':') {
        return Some(format!(
            "{module}:{}",
            std::iter::once(name)
                .chain(parts.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(".")
        ));
    }
    // `import myapp.models` then `myapp.models.Base.metadata`: the longest
    // prefix that is a module of the project.
    let mut module = head;
    let mut rest = parts.as_slice();
    while let Some((next, after)) = rest.split_first() {
        let longer = format!("{module}.{next}");
        if modules.module(&longer).is_none() {
            break;
        }
        module = longer;
        rest = after;
    }
    (!rest.is_empty()).then(|| format!("{module}:{}", rest.join(".")))
}

/// `a.b.c` as its names.
fn dotted(expression: &Expr) -> Option<Vec<String>> {
    match expression {
        Expr::Name(name) => Some(vec![name.id.to_string()]),
        Expr::Attribute(attribute) => {
            let mut parts = dotted(&attribute.value)?;
            parts.push(attribute.attr.to_string());
            Some(parts)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::target_metadata_path;
    use crate::modules::ModuleCache;

    fn modules() -> ModuleCache {
        let mut sources = std::collections::HashMap::new();
        sources.insert("shop".to_owned(), String::new());
        sources.insert("shop.models".to_owned(), "Base = object()\n".to_owned());
        ModuleCache::new(sources)
    }

    #[test]
    fn the_models_env_py_imports() {
        let modules = modules();
        let path = |env: &str| target_metadata_path(env, &modules);
        assert_eq!(
            path("from shop.models import Base\ntarget_metadata = Base.metadata\n").as_deref(),
            Some("shop.models:Base.metadata")
        );
        assert_eq!(
            path("from shop import models\ntarget_metadata = models.Base.metadata\n").as_deref(),
            Some("shop.models:Base.metadata")
        );
        assert_eq!(
            path("import shop.models\ntarget_metadata = shop.models.Base.metadata\n").as_deref(),
            Some("shop.models:Base.metadata")
        );
        assert_eq!(
            path("import shop.models as m\ntarget_metadata = m.Base.metadata\n").as_deref(),
            Some("shop.models:Base.metadata")
        );
        assert_eq!(path("target_metadata = None\n"), None);
        assert_eq!(path("target_metadata = load()\n"), None);
    }
}
