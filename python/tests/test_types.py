"""The TypedDicts against the reports the executable really prints, and against a type checker.

Each report of a real run must have exactly the keys its TypedDict
declares (every required key, no undeclared one), with values of the
declared types, down to the nested objects: a key the tool adds or drops
fails here until the types follow.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from conftest import ROOT, unavailable

import migration_doctor
from migration_doctor import (
    AlembicStateRecovery,
    Diagnosis,
    EnsuredStateInfo,
    EvidenceLevel,
    RecoveryRefused,
    RecoveryReport,
    StateInfo,
    StateName,
    StrategyName,
)

MERGE = "9d0e1f2a3b4c"


def conform(value: Any, hint: Any, where: str = "report") -> None:
    """Assert that ``value`` is of the type ``hint``, naming the path of what is not."""
    origin = get_origin(hint)
    if _is_typeddict(hint):
        assert isinstance(value, dict), f"{where}: {value!r} is not an object"
        hints = get_type_hints(hint)
        missing = hint.__required_keys__ - value.keys()
        undeclared = value.keys() - hints.keys()
        assert not missing, f"{where}: {hint.__name__} keys missing: {sorted(missing)}"
        assert not undeclared, f"{where}: keys {hint.__name__} lacks: {sorted(undeclared)}"
        for key, item in value.items():
            conform(item, hints[key], f"{where}.{key}")
    elif origin is Union:
        for option in get_args(hint):
            try:
                conform(value, option, where)
                return
            except AssertionError:
                continue
        raise AssertionError(f"{where}: {value!r} is none of {hint}")
    elif origin is Literal:
        assert value in get_args(hint), f"{where}: {value!r} is not one of {get_args(hint)}"
    elif origin is list:
        assert isinstance(value, list), f"{where}: {value!r} is not a list"
        (item_hint,) = get_args(hint)
        for index, item in enumerate(value):
            conform(item, item_hint, f"{where}[{index}]")
    elif hint is type(None):
        assert value is None, f"{where}: {value!r} is not null"
    elif hint is int:  # a JSON number without a fraction, never a bool
        assert isinstance(value, int) and not isinstance(value, bool), f"{where}: {value!r}"
    else:
        assert isinstance(value, hint), f"{where}: {value!r} is not {hint.__name__}"


def _is_typeddict(hint: Any) -> bool:
    # typing.is_typeddict() is Python 3.10's.
    return isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__total__")


def test_reports_have_the_declared_keys_and_types(project) -> None:
    # Untracked, with a probe that settles a tie: a diagnosis, a summary,
    # a refused recovery and a recovery done.
    project.alembic("upgrade", MERGE)
    project.execute(
        "INSERT INTO customers (id, email, name) VALUES (1, 'a@example.com', 'A')",
        "INSERT INTO orders (id, customer_id) VALUES (1, 1)",
        "INSERT INTO invoices (id, order_id, total_cents) VALUES (1, 1, -5)",
        "DROP TABLE alembic_version",
    )
    diagnosis = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert diagnosis["probes"] and diagnosis["findings"]
    conform(diagnosis, Diagnosis)
    conform(migration_doctor.state_info_sync(project.url, config=project.ini), StateInfo)
    with pytest.raises(RecoveryRefused) as refused:
        AlembicStateRecovery(
            project.url, config=project.ini
        ).repair_corrupted_alembic_version_sync()
    assert refused.value.output is not None and "refused" in refused.value.output
    conform(refused.value.output, RecoveryReport)
    success, state = migration_doctor.ensure_migration_state_healthy_sync(
        project.url, config=project.ini
    )
    assert success and state["recovery"]["applied"]
    conform(state, EnsuredStateInfo)

    # A migration still to run would create a table that exists: a collision.
    project.execute("DROP TABLE invoices", "DELETE FROM alembic_version")
    project.execute("INSERT INTO alembic_version (version_num) VALUES ('1b2c3d4e5f60')")
    project.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    colliding = migration_doctor.diagnose_sync(
        project.url, config=project.ini, ignore_tables=["invoices"]
    )
    assert colliding["collisions"], colliding
    conform(colliding, Diagnosis)

    # A schema no revision explains: the closest states, with their differences.
    drifted = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert drifted["closest_states"], drifted
    conform(drifted, Diagnosis)


def test_a_completion_has_the_declared_keys_and_types(project) -> None:
    # `products` created and its unique index not: finishing it is offered.
    project.alembic("upgrade", "3f1c2a9b7d10")
    offline = project.alembic("upgrade", "3f1c2a9b7d10:8a4e6d21c5b3", "--sql").stdout
    project.execute(next(part for part in offline.split(";") if "CREATE TABLE products" in part))
    diagnosis = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert "completion" in diagnosis and diagnosis["partial"], diagnosis
    conform(diagnosis, Diagnosis)
    success, state = migration_doctor.ensure_migration_state_healthy_sync(
        project.url, config=project.ini, complete_partial=True
    )
    assert success
    conform(state, EnsuredStateInfo)


def _contract_table(heading: str) -> list[list[str]]:
    """The rows of the table under ``heading`` in docs/contract.md.

    Each cell as the first name in backquotes in it ("" for none).
    """
    text = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[_first_name(cell) for cell in row.strip("|").split("|")] for row in rows]


def _first_name(cell: str) -> str:
    names = re.findall(r"`([a-z_]+)`", cell)
    return names[0] if names else ""


def test_the_names_are_those_of_the_contract() -> None:
    states = _contract_table("States and strategies")
    assert {row[0] for row in states} == set(get_args(StateName))
    assert {row[2] for row in states} <= set(get_args(StrategyName))
    assert {row[0] for row in _contract_table("Evidence")} == set(get_args(EvidenceLevel))


# Type-checked, never run: what a user of the package writes.
USAGE = """
from migration_doctor import (
    AlembicStateRecovery, Diagnosis, EnsuredStateInfo, MigrationTracker, RecoveryReport,
    StateName, diagnose, ensure_migration_state_healthy, state_info_sync,
)


def describe(diagnosis: Diagnosis) -> str:
    state: StateName = diagnosis["state"]
    unsettled = [probe["sql"] for probe in diagnosis["probes"] if probe["applied"] is None]
    completion = diagnosis.get("completion")
    statements = [step["sql"] for step in completion["statements"]] if completion else []
    return f"{state} {diagnosis['sound']} {unsettled} {statements} {diagnosis['target']['url']}"


async def start_up(url: str) -> bool:
    print(describe(await diagnose(url, config="alembic.ini")))
    success, state = await ensure_migration_state_healthy(url)
    rows: list[str | None] = state["recovery"]["after"] or []
    tables: list[str] = state["existing_tables"] + state_info_sync(url)["missing_expected_tables"]
    report: RecoveryReport = await AlembicStateRecovery(url).stamp_existing_schema_to_head()
    checked: EnsuredStateInfo = await MigrationTracker(url).check_migrations()
    return success and report["applied"] and bool(rows and tables and checked)
"""

# Mistakes a type checker must catch: proof that the types are not `Any`.
MISTAKES = """
from migration_doctor import diagnose_sync, ensure_migration_state_healthy_sync

diagnosis = diagnose_sync()
diagnosis["stat"]
count: int = diagnosis["state"]
success, state = ensure_migration_state_healthy_sync()
state["recovery"]["aplied"]
"""


def _mypy() -> list[str]:
    """The type checker's command: this Python's, else the one run-tests.sh installs."""
    if importlib.util.find_spec("mypy") is not None:
        return [sys.executable, "-m", "mypy"]
    folder = "Scripts" if sys.platform == "win32" else "bin"
    tools = ROOT / "target" / "python-tools" / folder / "mypy"
    if tools.exists():
        return [str(tools)]
    unavailable("mypy is installed neither here nor in target/python-tools")


def test_a_type_checker_reads_the_types(tmp_path: Path) -> None:
    (tmp_path / "usage.py").write_text(USAGE, encoding="utf-8")
    (tmp_path / "mistakes.py").write_text(MISTAKES, encoding="utf-8")
    environment = dict(os.environ)
    # The package as this test imports it: from its site-packages (through
    # --python-executable), or from a source tree on PYTHONPATH.
    package_parent = str(Path(migration_doctor.__file__).resolve().parents[1])
    if "site-packages" not in Path(package_parent).parts:
        environment["MYPYPATH"] = package_parent
    done = subprocess.run(
        [
            *_mypy(),
            "--strict",
            "--python-version=3.10",
            f"--python-executable={sys.executable}",
            f"--cache-dir={tmp_path / 'cache'}",
            "--config-file=",
            "usage.py",
            "mistakes.py",
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert all(line.startswith("mistakes.py:") for line in errors), done.stdout + done.stderr
    assert len(errors) == 3, done.stdout + done.stderr
    assert 'has no key "stat"' in done.stdout
    assert "Incompatible types in assignment" in done.stdout
    assert 'has no key "aplied"' in done.stdout
