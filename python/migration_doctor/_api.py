"""The entry points, as faces over the command line.

Each answer is a plain dict shaped like the tool's JSON report; the
``TypedDict`` classes of :mod:`migration_doctor._types` describe them. The
names (``MigrationTracker``, ``ensure_migration_state_healthy``, ...) are
the ones hand-written migration helpers commonly use, so that such a
helper can be replaced without changing its callers.

Unlike helpers that stamp "head" blindly, nothing here does: an unattended
recovery stamps only the revision the schema proves, under the migration
lock, and refuses otherwise (raising :class:`RecoveryRefused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from ._errors import RecoveryRefused
from ._run import run, run_sync
from ._types import Diagnosis, EnsuredStateInfo, RecoveryReport, StateInfo

# The commands behind the entry points.
_DIAGNOSE = ("diagnose",)
_STATUS = ("status",)
_LIVE_SCHEMA = ("schema", "--live")
_ENSURE = ("ensure",)
# A recovery that runs only on proven evidence and asks nobody.
_UNATTENDED = ("recover", "--yes", "--unattended")
_INITIALIZE = (*_UNATTENDED, "--expect-strategy", "initialize_alembic_version")
_REPAIR = (*_UNATTENDED, "--expect-strategy", "repair_corrupted_alembic")
_COMPLETE = (*_UNATTENDED, "--expect-strategy", "complete_partial_migration", "--complete")
_STAMP_HEADS = (*_UNATTENDED, "--to-revision", "heads")


def diagnose_sync(database_url: str | None = None, **options: Any) -> Diagnosis:
    """Diagnose the database's migration tracking; change nothing.

    alembic records the migrations applied to a database as rows of its
    version table (``alembic_version``). This compares those rows with the
    schema the database really has, and says what state the tracking is in
    (``"state"``), what would fix it (``"strategy"``), and how sure that is
    (``"evidence"``). ``database_url`` is a SQLAlchemy URL (default: the
    ``DATABASE_URL`` environment variable, then ``sqlalchemy.url`` of the
    alembic configuration); ``options`` are those listed in the package's
    documentation (``config="alembic.ini"``, ...).

    A diagnosis that finds problems is returned, not raised. Raises
    :class:`ConfigurationError`, :class:`DatabaseError` or
    :class:`InvalidScripts` when it cannot diagnose.
    """
    return cast(Diagnosis, run_sync(_DIAGNOSE, database_url, problems_ok=True, **options))


async def diagnose(database_url: str | None = None, **options: Any) -> Diagnosis:
    """Diagnose the database's migration tracking; change nothing.

    The same as :func:`diagnose_sync`, without blocking the event loop;
    cancelling the task stops the diagnosis.
    """
    return cast(Diagnosis, await run(_DIAGNOSE, database_url, problems_ok=True, **options))


def state_info_sync(database_url: str | None = None, **options: Any) -> StateInfo:
    """Summarize the migration state; change nothing.

    A :class:`StateInfo`: whether the database has tables and a version
    table, whether a recovery is needed and which, the current revision,
    the tables there are and those missing, with the full diagnosis under
    ``"diagnosis"``. Arguments and exceptions as for :func:`diagnose_sync`.
    """
    status = run_sync(_STATUS, database_url, problems_ok=True, **options)
    live = run_sync(_LIVE_SCHEMA, database_url, problems_ok=True, **options)
    return _state_info(status, live)


async def state_info(database_url: str | None = None, **options: Any) -> StateInfo:
    """Summarize the migration state; change nothing.

    The same as :func:`state_info_sync`, without blocking the event loop;
    cancelling the task stops it.
    """
    status = await run(_STATUS, database_url, problems_ok=True, **options)
    live = await run(_LIVE_SCHEMA, database_url, problems_ok=True, **options)
    return _state_info(status, live)


def _state_info(status: dict[str, Any], live: dict[str, Any]) -> StateInfo:
    """The summary, from the reports of ``status`` and ``schema --live``."""
    diagnosis = cast(Diagnosis, status["diagnosis"])
    version_table = status.get("version_table", {})
    current = diagnosis["current_revisions"]
    return {
        "has_existing_schema": bool(live.get("tables")),
        "has_alembic_version": version_table.get("status") not in (None, "absent"),
        # A recovery is needed when the diagnosis plans a write.
        "requires_recovery": diagnosis["plan"] is not None,
        # ``StateInfo`` spells the strategy names in upper case.
        "recovery_strategy": diagnosis["strategy"].upper() or "MANUAL_INTERVENTION",
        "current_revision": current[0] if current else None,
        "existing_tables": sorted(live.get("tables", {})),
        "missing_expected_tables": list(diagnosis["missing_tables"]),
        "state": diagnosis["state"],
        "evidence": diagnosis["evidence"],
        "diagnosis": diagnosis,
    }


def ensure_migration_state_healthy_sync(
    database_url: str | None = None, **options: Any
) -> tuple[bool, EnsuredStateInfo]:
    """Make the migration tracking sound when the evidence proves how, then report.

    When the version table is missing, damaged or wrong but the schema
    proves which revisions were applied, this records them (under the
    migration lock, so that concurrent starts do not collide); it never
    guesses, and never changes your tables. With ``complete_partial=True``
    it may also finish a half-applied migration (only the statements that
    create what is missing).

    Returns ``(sound, state)``: ``sound`` is true when the tracking ends
    right and nothing blocks ``alembic upgrade`` (which may still have
    migrations to run); ``state`` is a :class:`StateInfo` of the state
    afterwards, with what was done under ``"recovery"`` (``applied``,
    ``before``, ``after``, ``plan``). A state that cannot be fixed without a
    person returns ``False``. Raises :class:`ConfigurationError`,
    :class:`DatabaseError`, :class:`InvalidScripts` or :class:`LockTimeout`
    when it cannot run.
    """
    recovery = run_sync(_ENSURE, database_url, problems_ok=True, **options)
    return _ensured(recovery, state_info_sync(database_url, **options))


async def ensure_migration_state_healthy(
    database_url: str | None = None, **options: Any
) -> tuple[bool, EnsuredStateInfo]:
    """Make the migration tracking sound when the evidence proves how, then report.

    The same as :func:`ensure_migration_state_healthy_sync`, without
    blocking the event loop. Cancelling the task stops the run; a run
    still waiting for the migration lock has written nothing.
    """
    recovery = await run(_ENSURE, database_url, problems_ok=True, **options)
    return _ensured(recovery, await state_info(database_url, **options))


def _ensured(recovery: dict[str, Any], state: StateInfo) -> tuple[bool, EnsuredStateInfo]:
    """The answer of the ensure functions: the state with the recovery's report."""
    ensured = cast(EnsuredStateInfo, state)
    ensured["recovery"] = cast(RecoveryReport, recovery)
    return bool(state["diagnosis"].get("sound")), ensured


class _Session:
    def __init__(self, database_url: str | None = None, **options: Any) -> None:
        self.database_url = database_url
        self.options = options


class MigrationStateAnalyzer(_Session):
    """Reads a database's migration state; never writes.

    ``MigrationStateAnalyzer(database_url, **options)`` takes the arguments
    of :func:`diagnose_sync`.
    """

    def analyze_migration_state_sync(self) -> StateInfo:
        """Summarize the migration state (see :func:`state_info_sync`)."""
        return state_info_sync(self.database_url, **self.options)

    async def analyze_migration_state(self) -> StateInfo:
        """Summarize the migration state, without blocking the event loop."""
        return await state_info(self.database_url, **self.options)


class MigrationStateManager(_Session):
    """Makes a database's migration tracking sound when the evidence proves how.

    ``MigrationStateManager(database_url, **options)`` takes the arguments
    of :func:`ensure_migration_state_healthy_sync`.
    """

    def ensure_healthy_migration_state_sync(self) -> tuple[bool, EnsuredStateInfo]:
        """Fix what the evidence proves, then report.

        See :func:`ensure_migration_state_healthy_sync`.
        """
        return ensure_migration_state_healthy_sync(self.database_url, **self.options)

    async def ensure_healthy_migration_state(self) -> tuple[bool, EnsuredStateInfo]:
        """Fix what the evidence proves, then report, without blocking the event loop."""
        return await ensure_migration_state_healthy(self.database_url, **self.options)


class MigrationTracker(_Session):
    """Checks a database's migrations at start-up, fixing the tracking first when it can.

    ``MigrationTracker(database_url, **options)`` takes the arguments of
    :func:`ensure_migration_state_healthy_sync`.
    """

    def check_migrations_sync(self) -> EnsuredStateInfo:
        """Fix what the evidence proves, then return the state.

        The state of :func:`ensure_migration_state_healthy_sync`, without
        the flag: read ``state["diagnosis"]["sound"]`` for it.
        """
        return ensure_migration_state_healthy_sync(self.database_url, **self.options)[1]

    async def check_migrations(self) -> EnsuredStateInfo:
        """Fix what the evidence proves, then return the state, without blocking the event loop."""
        return (await ensure_migration_state_healthy(self.database_url, **self.options))[1]


class AlembicStateRecovery(_Session):
    """The four recoveries of the migration tracking, one by one.

    ``AlembicStateRecovery(database_url, **options)`` takes the arguments
    of :func:`ensure_migration_state_healthy_sync`. Each recovery runs only
    in the state it is for and only on proven evidence, under the migration
    lock, asking nobody; otherwise it writes nothing and raises
    :class:`RecoveryRefused` (whose ``output`` holds the diagnosis saying
    why). Each returns a :class:`RecoveryReport` (``applied``, ``before``,
    ``after``, ``plan``, ...).
    """

    def initialize_alembic_version_for_existing_schema_sync(self) -> RecoveryReport:
        """Create the missing version table and record the revision the schema proves."""
        return self._recover_sync(_INITIALIZE)

    def repair_corrupted_alembic_version_sync(self) -> RecoveryReport:
        """Rewrite damaged version rows to the revision the schema proves.

        Damaged: empty, NULL, padded, duplicated, or naming both a revision
        and its descendant. Rows naming revisions the scripts do not have
        need a person to decide, and are refused.
        """
        return self._recover_sync(_REPAIR)

    def complete_partial_migration_sync(self) -> RecoveryReport:
        """Finish a half-applied migration, or record the revision the schema really matches.

        Either runs the statements of a migration that stopped half-way
        that create what is missing, then records it; or records the
        revision the schema is really at, so that the next ``alembic
        upgrade`` runs what is missing. Only on proven evidence.
        """
        return self._recover_sync(_COMPLETE)

    def stamp_existing_schema_to_head_sync(self) -> RecoveryReport:
        """Record the latest revisions (the heads), after checking that the schema matches them.

        Unlike ``alembic stamp head``, this refuses when the schema is not
        the heads' schema.
        """
        return self._recover_sync(_STAMP_HEADS)

    async def initialize_alembic_version_for_existing_schema(self) -> RecoveryReport:
        """Create the missing version table and record the proven revision, without blocking."""
        return await self._recover(_INITIALIZE)

    async def repair_corrupted_alembic_version(self) -> RecoveryReport:
        """Rewrite damaged version rows to the proven revision, without blocking."""
        return await self._recover(_REPAIR)

    async def complete_partial_migration(self) -> RecoveryReport:
        """Finish a half-applied migration, or record the revision proven, without blocking."""
        return await self._recover(_COMPLETE)

    async def stamp_existing_schema_to_head(self) -> RecoveryReport:
        """Record the heads after checking that the schema matches them, without blocking."""
        return await self._recover(_STAMP_HEADS)

    def _recover_sync(self, command: Sequence[str]) -> RecoveryReport:
        report = run_sync(command, self.database_url, refusal=RecoveryRefused, **self.options)
        return cast(RecoveryReport, report)

    async def _recover(self, command: Sequence[str]) -> RecoveryReport:
        report = await run(command, self.database_url, refusal=RecoveryRefused, **self.options)
        return cast(RecoveryReport, report)
