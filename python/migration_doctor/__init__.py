"""Diagnose and repair the migration tracking of databases managed by alembic.

alembic records the migrations applied to a database as rows of its version
table (``alembic_version``). When those rows are lost, damaged or wrong, the
next ``alembic upgrade`` fails or skips work. This package finds out, from
the schema the database really has, which revisions were applied, and
records them only when the schema proves it (never "head" blindly).

It runs the ``migration-doctor`` executable that comes with it
(``python -m migration_doctor`` is its command line) and returns the JSON
reports as plain dicts, described for type checkers by ``TypedDict``
classes (:class:`Diagnosis`, :class:`RecoveryReport`, :class:`StateInfo`,
...). Each entry point is async, with a ``_sync`` twin; cancelling an async
call stops the executable::

    tracker = MigrationTracker(database_url, config="alembic.ini")
    state = await tracker.check_migrations()

    success, state_info = await ensure_migration_state_healthy(database_url)

Options (keyword arguments): ``config`` (the alembic ini file), ``name``
(its section), ``script_location``, ``baseline``, ``schema``,
``version_table``, ``version_table_schema``, ``ignore_tables`` (table name
patterns to leave out), ``ignore`` (``TABLE.OBJECT`` patterns),
``lock_timeout`` (seconds), ``audit_log`` (a file recording each write),
``complete_partial``, ``binary`` (the executable to run) and ``env`` (extra
environment variables for it).
"""

from __future__ import annotations

from importlib import metadata as _metadata

from ._api import (
    AlembicStateRecovery,
    MigrationStateAnalyzer,
    MigrationStateManager,
    MigrationTracker,
    diagnose,
    diagnose_sync,
    ensure_migration_state_healthy,
    ensure_migration_state_healthy_sync,
    state_info,
    state_info_sync,
)
from ._binary import find_binary
from ._errors import (
    CommandFailed,
    ConfigurationError,
    DatabaseError,
    InvalidScripts,
    LockTimeout,
    MigrationDoctorError,
    ProblemsFound,
    RecoveryRefused,
)
from ._run import run, run_sync
from ._types import (
    ClosestState,
    Collision,
    Completion,
    CompletionStatement,
    Diagnosis,
    EnsuredStateInfo,
    ErrorInfo,
    EvidenceLevel,
    Finding,
    PartialRevision,
    Probe,
    RecoveryReport,
    Severity,
    StateInfo,
    StateName,
    StrategyName,
    Target,
)

try:
    __version__ = _metadata.version("migration-doctor")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "AlembicStateRecovery",
    "ClosestState",
    "Collision",
    "CommandFailed",
    "Completion",
    "CompletionStatement",
    "ConfigurationError",
    "DatabaseError",
    "Diagnosis",
    "EnsuredStateInfo",
    "ErrorInfo",
    "EvidenceLevel",
    "Finding",
    "InvalidScripts",
    "LockTimeout",
    "MigrationDoctorError",
    "MigrationStateAnalyzer",
    "MigrationStateManager",
    "MigrationTracker",
    "PartialRevision",
    "Probe",
    "ProblemsFound",
    "RecoveryRefused",
    "RecoveryReport",
    "Severity",
    "StateInfo",
    "StateName",
    "StrategyName",
    "Target",
    "diagnose",
    "diagnose_sync",
    "ensure_migration_state_healthy",
    "ensure_migration_state_healthy_sync",
    "find_binary",
    "run",
    "run_sync",
    "state_info",
    "state_info_sync",
]
