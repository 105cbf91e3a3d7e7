"""The entry points under the names in-house migration helpers use, as faces over the
command line: every answer is a plain dict shaped like the tool's JSON.

Unlike helpers that stamp "head" blindly, nothing here does: an unattended recovery
stamps only the revision the schema proves, under the migration lock, and
refuses otherwise (raising :class:`RecoveryRefused`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._errors import RecoveryRefused
from ._run import run_sync

def diagnose_sync(database_url: str | None = None, **options: Any) -> dict[str, Any]:
    """``migration-doctor diagnose``: the state, the strategy and the
    evidence; changes nothing. A diagnosis that finds problems is returned."""
    return run_sync(["diagnose"], database_url, problems_ok=True, **options)


async def diagnose(database_url: str | None = None, **options: Any) -> dict[str, Any]:
    return await asyncio.to_thread(diagnose_sync, database_url, **options)


def state_info_sync(database_url: str | None = None, **options: Any) -> dict[str, Any]:
    """A ``StateInfo`` as a dict: its fields, with the full
    diagnosis under ``"diagnosis"`` (``status`` and the live table names)."""
    status = run_sync(["status"], database_url, problems_ok=True, **options)
    live = run_sync(["schema", "--live"], database_url, problems_ok=True, **options)
    diagnosis = status.get("diagnosis", {})
    strategy = diagnosis.get("strategy", "")
    version_table = status.get("version_table", {})
    current = diagnosis.get("current_revisions") or []
    return {
        "has_existing_schema": bool(live.get("tables")),
        "has_alembic_version": version_table.get("status") not in (None, "absent"),
        # A recovery is needed when the diagnosis plans a write.
        "requires_recovery": diagnosis.get("plan") is not None,
        # ``StateInfo`` spells the strategy names in upper case.
        "recovery_strategy": strategy.upper() or "MANUAL_INTERVENTION",
        "current_revision": current[0] if current else None,
        "existing_tables": sorted(live.get("tables", {})),
        "missing_expected_tables": list(diagnosis.get("missing_tables", [])),
        "state": diagnosis.get("state"),
        "evidence": diagnosis.get("evidence"),
        "diagnosis": diagnosis,
    }


def ensure_migration_state_healthy_sync(
    database_url: str | None = None, **options: Any
) -> tuple[bool, dict[str, Any]]:
    """Makes the migration-tracking state sound when the evidence proves
    how (``migration-doctor ensure``), then reports.

    ``True`` when the tracking state ends sound (the diagnosis's
    ``"sound"``: healthy, or fresh or behind with ``alembic upgrade`` left to
    finish the job). The state dict carries what was done
    under ``"recovery"`` (``applied``, ``before``, ``after``, ``plan``).
    Configuration errors, an unreachable database, invalid scripts and a
    lock timeout raise their exception instead.
    """
    recovery = run_sync(["ensure"], database_url, problems_ok=True, **options)
    state = state_info_sync(database_url, **options)
    state["recovery"] = recovery
    return bool(state["diagnosis"].get("sound")), state


async def ensure_migration_state_healthy(
    database_url: str | None = None, **options: Any
) -> tuple[bool, dict[str, Any]]:
    return await asyncio.to_thread(ensure_migration_state_healthy_sync, database_url, **options)


class _Session:
    def __init__(self, database_url: str | None = None, **options: Any) -> None:
        self.database_url = database_url
        self.options = options


class MigrationStateAnalyzer(_Session):
    """Reads the state; never writes."""

    def analyze_migration_state_sync(self) -> dict[str, Any]:
        return state_info_sync(self.database_url, **self.options)

    async def analyze_migration_state(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.analyze_migration_state_sync)


class MigrationStateManager(_Session):
    """Coordinates analysis and recovery."""

    def ensure_healthy_migration_state_sync(self) -> tuple[bool, dict[str, Any]]:
        return ensure_migration_state_healthy_sync(self.database_url, **self.options)

    async def ensure_healthy_migration_state(self) -> tuple[bool, dict[str, Any]]:
        return await asyncio.to_thread(self.ensure_healthy_migration_state_sync)


class MigrationTracker(_Session):
    """``check_migrations()`` recovers first (when the evidence proves how),
    then reports the state."""

    def check_migrations_sync(self) -> dict[str, Any]:
        return ensure_migration_state_healthy_sync(self.database_url, **self.options)[1]

    async def check_migrations(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.check_migrations_sync)


class AlembicStateRecovery(_Session):
    """The four recovery operations. Each runs only in the state it
    is for, unattended (only on proven evidence), under the migration lock,
    and raises :class:`RecoveryRefused` otherwise. Each returns the
    recovery report (``applied``, ``before``, ``after``, ``plan``, ...)."""

    def _only(self, strategy: str, *extra: str) -> dict[str, Any]:
        return run_sync(
            ["recover", "--yes", "--unattended", "--expect-strategy", strategy, *extra],
            self.database_url,
            refusal=RecoveryRefused,
            **self.options,
        )

    def initialize_alembic_version_for_existing_schema_sync(self) -> dict[str, Any]:
        """Creates the version table for an existing schema and stamps the
        revision the schema proves."""
        return self._only("initialize_alembic_version")

    def repair_corrupted_alembic_version_sync(self) -> dict[str, Any]:
        return self._only("repair_corrupted_alembic")

    def complete_partial_migration_sync(self) -> dict[str, Any]:
        """Finishes a half-applied revision (the DDL of its missing
        creations, then the stamp), or re-stamps the state the schema really
        matches so that the next ``alembic upgrade`` runs what is missing;
        only on proven evidence."""
        return self._only("complete_partial_migration", "--complete")

    def stamp_existing_schema_to_head_sync(self) -> dict[str, Any]:
        """Stamps the heads after checking that the schema matches them (a
        blind stamp of head would not check; this refuses when the schema
        disagrees)."""
        return run_sync(
            ["recover", "--yes", "--unattended", "--to-revision", "heads"],
            self.database_url,
            refusal=RecoveryRefused,
            **self.options,
        )

    async def initialize_alembic_version_for_existing_schema(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.initialize_alembic_version_for_existing_schema_sync)

    async def repair_corrupted_alembic_version(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.repair_corrupted_alembic_version_sync)

    async def complete_partial_migration(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.complete_partial_migration_sync)

    async def stamp_existing_schema_to_head(self) -> dict[str, Any]:
        return await asyncio.to_thread(self.stamp_existing_schema_to_head_sync)
