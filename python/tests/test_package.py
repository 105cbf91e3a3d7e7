"""The installed package against real databases, with the real alembic as the reference.

After each recovery `alembic current` agrees and `alembic upgrade head`
succeeds.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

import migration_doctor
from migration_doctor import (
    AlembicStateRecovery,
    ConfigurationError,
    DatabaseError,
    InvalidScripts,
    MigrationStateAnalyzer,
    MigrationTracker,
    RecoveryRefused,
    ensure_migration_state_healthy,
    ensure_migration_state_healthy_sync,
)

HEAD = "e2f3a4b5c6d7"
MERGE = "9d0e1f2a3b4c"


def untracked(project) -> None:
    """Every migration ran, then the version table was lost."""
    project.alembic("upgrade", "head")
    project.execute("DROP TABLE alembic_version")


def untracked_before_backfill(project) -> None:
    """Everything but the data-only backfill ran, then the version table was lost.

    With an invoice the backfill would still change: the schema matches
    three states and the backfill's probe proves the merge.
    """
    project.alembic("upgrade", MERGE)
    project.execute(
        "INSERT INTO customers (id, email, name) VALUES (1, 'a@example.com', 'A')",
        "INSERT INTO orders (id, customer_id) VALUES (1, 1)",
        "INSERT INTO invoices (id, order_id, total_cents) VALUES (1, 1, -5)",
        "DROP TABLE alembic_version",
    )


def test_the_executable_and_python_m_run(project) -> None:
    version = subprocess.run(
        [migration_doctor.find_binary(), "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and "migration-doctor" in version.stdout
    untracked(project)
    done = subprocess.run(
        [sys.executable, "-m", "migration_doctor", "-c", str(project.ini), "diagnose"],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "untracked_schema" in done.stdout


def test_tracker_recovers_then_reports(project) -> None:
    untracked_before_backfill(project)
    database_url = project.url

    # The usage the package's documentation shows.
    async def start_up():
        tracker = MigrationTracker(database_url, config=project.ini)
        state = await tracker.check_migrations()  # Includes automatic recovery
        return state

    state = asyncio.run(start_up())
    assert state["has_alembic_version"] is True
    assert state["current_revision"] == MERGE
    assert state["recovery_strategy"] == "NORMAL_MIGRATION"
    assert state["recovery"]["applied"] is True
    assert state["recovery"]["after"] == [MERGE]
    assert "customers" in state["existing_tables"]
    assert MERGE in project.current()
    # alembic runs the backfill the schema alone could not show.
    project.alembic("upgrade", "head")
    assert HEAD in project.current()


def test_ensure_stamps_what_the_schema_proves(project) -> None:
    untracked_before_backfill(project)
    database_url = project.url

    async def start_up():
        success, state_info = await ensure_migration_state_healthy(database_url, config=project.ini)
        return success, state_info

    success, state_info = asyncio.run(start_up())
    assert success is True
    assert state_info["state"] == "behind"
    assert state_info["recovery"]["after"] == [MERGE]
    assert MERGE in project.current()
    project.alembic("upgrade", "head")
    assert HEAD in project.current()


def test_ensure_settles_a_data_tie_at_the_earliest_state(project) -> None:
    # No invoice to probe: the backfill finds nothing left to change, so the
    # merge and the head agree alike and the tie settles at the merge;
    # alembic reruns the backfill from there, which changes nothing now.
    untracked(project)
    success, state_info = ensure_migration_state_healthy_sync(project.url, config=project.ini)
    assert success is True
    assert state_info["evidence"] == "proven"
    assert state_info["recovery"]["after"] == [MERGE]
    project.alembic("upgrade", "head")
    assert HEAD in project.current()


def test_ensure_writes_nothing_on_a_tie(project) -> None:
    # After the head, a revision whose code cannot be followed: whether it
    # ran cannot be told, so the states agree alike and an unattended run
    # stamps nothing.
    untracked(project)
    (project.folder / "migrations" / "versions" / "f0f0f0f0f0f0_reindex.py").write_text(
        "from alembic import op\n\n"
        "revision = 'f0f0f0f0f0f0'\n"
        f"down_revision = '{HEAD}'\n\n\n"
        "def upgrade():\n"
        '    op.execute("SELECT refresh_invoice_totals()")\n\n\n'
        "def downgrade():\n"
        "    pass\n"
    )
    success, state_info = ensure_migration_state_healthy_sync(project.url, config=project.ini)
    assert success is False
    assert state_info["evidence"] == "needs_confirmation"
    assert state_info["has_alembic_version"] is False
    assert project.alembic("current").stdout.strip() == ""


def test_sync_twins_and_analysis_change_nothing(project) -> None:
    untracked_before_backfill(project)
    state = MigrationStateAnalyzer(project.url, config=project.ini).analyze_migration_state_sync()
    assert state["has_alembic_version"] is False
    assert state["has_existing_schema"] is True
    assert state["requires_recovery"] is True
    assert state["recovery_strategy"] == "INITIALIZE_ALEMBIC_VERSION"
    assert state["diagnosis"]["evidence"] == "proven"
    assert project.alembic("current").stdout.strip() == ""
    diagnosis = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert diagnosis["state"] == "untracked_schema"


def test_recovery_operations_run_only_in_their_state(project) -> None:
    untracked_before_backfill(project)
    recovery = AlembicStateRecovery(project.url, config=project.ini)
    with pytest.raises(RecoveryRefused) as refused:
        recovery.repair_corrupted_alembic_version_sync()
    assert refused.value.exit_code == 1
    assert refused.value.output is not None
    assert project.alembic("current").stdout.strip() == ""
    report = asyncio.run(recovery.initialize_alembic_version_for_existing_schema())
    assert report["applied"] is True and report["after"] == [MERGE]
    assert MERGE in project.current()
    project.alembic("upgrade", "head")


def test_stamp_to_head_refuses_a_schema_that_disagrees(project) -> None:
    project.alembic("upgrade", "8a4e6d21c5b3")
    project.execute("DROP TABLE alembic_version")
    with pytest.raises(RecoveryRefused):
        AlembicStateRecovery(project.url, config=project.ini).stamp_existing_schema_to_head_sync()
    assert project.alembic("current").stdout.strip() == ""


def test_errors_are_typed_and_carry_the_json_error(project) -> None:
    project.alembic("upgrade", "head")
    with pytest.raises(DatabaseError) as unreachable:
        migration_doctor.diagnose_sync(
            "postgresql://app:secret@127.0.0.1:1/app", config=project.ini
        )
    assert unreachable.value.exit_code == 3
    assert unreachable.value.code == "database"
    assert "secret" not in str(unreachable.value)
    with pytest.raises(ConfigurationError) as misconfigured:
        migration_doctor.diagnose_sync(project.url, config=project.folder / "missing.ini")
    assert misconfigured.value.exit_code == 2
    broken = project.folder / "migrations" / "versions" / "ffff_broken.py"
    broken.write_text('revision = "ffff"\ndown_revision = "not-a-revision"\n')
    with pytest.raises(InvalidScripts) as invalid:
        migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert invalid.value.exit_code == 4
    with pytest.raises(TypeError):
        migration_doctor.diagnose_sync(project.url, configuration=project.ini)


def test_alembic_hook_in_env_py(project) -> None:
    untracked_before_backfill(project)
    env = project.folder / "migrations" / "env.py"
    text = env.read_text()
    hooked = text.replace(
        "        context.configure(connection=connection, target_metadata=target_metadata)\n",
        "        context.configure(connection=connection, target_metadata=target_metadata)\n"
        "        import migration_doctor.alembic\n"
        "        migration_doctor.alembic.ensure(context.config)\n",
    )
    assert hooked != text
    env.write_text(hooked)
    # Without the hook alembic would re-create existing tables and fail.
    upgraded = project.alembic("upgrade", "head")
    assert HEAD in project.current()
    # What the hook found and wrote is in alembic's own log.
    assert "migration-doctor: found untracked_schema" in upgraded.stderr, upgraded.stderr
    assert "migration-doctor: wrote the version table (proven evidence)" in upgraded.stderr
    # `-x migration_doctor=skip` turns it off: alembic alone fails.
    project.execute("DROP TABLE alembic_version")
    skipped = project.alembic("-x", "migration_doctor=skip", "upgrade", "head", check=False)
    assert skipped.returncode != 0


def test_a_half_applied_revision_is_finished_only_when_asked(project) -> None:
    """`products` created and its unique index not: a half-applied revision.

    Where a revision stops when DDL is not transactional. The package
    finishes it when asked.
    """
    project.alembic("upgrade", "3f1c2a9b7d10")
    offline = project.alembic("upgrade", "3f1c2a9b7d10:8a4e6d21c5b3", "--sql").stdout
    create_table = next(part for part in offline.split(";") if "CREATE TABLE products" in part)
    project.execute(create_table)
    diagnosis = migration_doctor.diagnose_sync(project.url, config=project.ini)
    assert diagnosis["state"] == "partial_migration"
    assert diagnosis["strategy"] == "complete_partial_migration"
    assert diagnosis["evidence"] == "proven"
    assert "ix_products_sku" in diagnosis["completion"]["statements"][0]["sql"]
    success, _ = ensure_migration_state_healthy_sync(project.url, config=project.ini)
    assert success is False
    assert "3f1c2a9b7d10" in project.current()
    success, state_info = ensure_migration_state_healthy_sync(
        project.url, config=project.ini, complete_partial=True
    )
    assert success is True
    assert state_info["recovery"]["after"] == ["8a4e6d21c5b3"]
    assert "8a4e6d21c5b3" in project.current()
    project.alembic("upgrade", "head")
    assert HEAD in project.current()
