"""Print the revision graph exactly as the real alembic builds it, in the
shape of `migration-doctor graph --format json`.

usage: alembic_graph.py CONFIG [SECTION] [--stub-imports] [--script-location=DIR]
                        [--sys-path=DIR]

CONFIG is an alembic.ini or a pyproject.toml. alembic resolves relative
paths against the working directory, so this runs from CONFIG's folder.
--stub-imports lets revision files that import their own application (which
is not installed here) load anyway: any module that cannot be imported is
replaced by a permissive stand-in. Revision ids are literals, so the graph is
unaffected.
"""
import importlib.abc
import importlib.util
import json
import os
import sys
import types
import warnings

warnings.simplefilter("ignore")


class _Anything:
    """Stands in for any attribute, call, base class or decorator."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a decorator
        return _Anything()

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __mro_entries__(self, bases):
        return (object,)

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return _Anything()

    def __len__(self):
        return 0

    def __contains__(self, item):
        return False

    def __str__(self):
        return "stub"

    def __int__(self):
        return 0

    def __hash__(self):
        return 0

    def __eq__(self, other):
        return self is other

    def _same(self, *args):
        return self

    __or__ = __ror__ = __and__ = __add__ = __radd__ = __mul__ = __rmul__ = _same
    __sub__ = __rsub__ = __truediv__ = __mod__ = __lt__ = __gt__ = __le__ = __ge__ = _same


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        return importlib.util.spec_from_loader(name, self, is_package=True)

    def create_module(self, spec):
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = lambda attribute: _Anything()
        return module

    def exec_module(self, module):
        pass


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    for arg in sys.argv[1:]:
        if arg.startswith("--sys-path="):
            sys.path.insert(0, arg.split("=", 1)[1])
    if "--stub-imports" in sys.argv:
        sys.meta_path.append(_StubFinder())
    config_path = os.path.abspath(args[0])
    section = args[1] if len(args) > 1 else "alembic"
    folder = os.path.dirname(config_path)
    os.chdir(folder)

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    if os.path.basename(config_path) == "pyproject.toml":
        config = Config(toml_file=config_path)
    else:
        config = Config(
            file_=config_path,
            ini_section=section,
            toml_file=os.path.join(folder, "pyproject.toml"),
        )
    for arg in sys.argv[1:]:
        if arg.startswith("--script-location="):
            config.set_main_option("script_location", arg.split("=", 1)[1])
    script = ScriptDirectory.from_config(config)
    base = os.path.realpath(script.dir)
    revision_map = script.revision_map._revision_map
    revisions = []
    for key, rev in revision_map.items():
        if rev is None or key != rev.revision:
            continue  # None/() entries and branch labels
        revisions.append(
            {
                "revision": rev.revision,
                "down_revisions": sorted(rev._versioned_down_revisions),
                "branch_labels": sorted(rev._orig_branch_labels),
                "depends_on": sorted(
                    rev.dependencies if isinstance(rev.dependencies, tuple)
                    else ([rev.dependencies] if rev.dependencies else [])
                ),
                "path": os.path.relpath(os.path.realpath(rev.path), base).replace(os.sep, "/"),
            }
        )
    revisions.sort(key=lambda r: r["revision"])
    print(
        json.dumps(
            {
                "revisions": revisions,
                "heads": sorted(script.get_heads()),
                "bases": sorted(script.get_bases()),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
