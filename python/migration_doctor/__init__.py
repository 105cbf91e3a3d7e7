"""migration-doctor: diagnoses and repairs the migration-tracking state of
databases managed by alembic, stamping only what the schema proves.

The package runs the ``migration-doctor`` executable its wheel installs
(``python -m migration_doctor`` is the command line) and returns its JSON
reports as plain dicts. The entry points keep the names many in-house helpers use;
each is async, with a ``_sync`` twin::

    tracker = MigrationTracker(database_url, config="alembic.ini")
    state = await tracker.check_migrations()

    success, state_info = await ensure_migration_state_healthy(database_url)

Options (keyword arguments): ``config``, ``name``, ``script_location``,
``baseline``, ``schema``, ``version_table``, ``version_table_schema``,
``ignore_tables``, ``ignore`` (``TABLE.OBJECT`` patterns), ``lock_timeout``, ``audit_log``, ``binary``, ``env``.
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
from ._run import run_sync

try:
    __version__ = _metadata.version("migration-doctor")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "AlembicStateRecovery",
    "CommandFailed",
    "ConfigurationError",
    "DatabaseError",
    "InvalidScripts",
    "LockTimeout",
    "MigrationDoctorError",
    "MigrationStateAnalyzer",
    "MigrationStateManager",
    "MigrationTracker",
    "ProblemsFound",
    "RecoveryRefused",
    "diagnose",
    "diagnose_sync",
    "ensure_migration_state_healthy",
    "ensure_migration_state_healthy_sync",
    "find_binary",
    "run_sync",
    "state_info_sync",
]
