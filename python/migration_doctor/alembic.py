"""The alembic hook: one call in ``env.py`` makes the migration tracking sound.

Called before ``run_migrations()``, it checks the database alembic is about
to migrate, and fixes its version table when the schema proves how::

    from alembic import context
    import migration_doctor.alembic

    migration_doctor.alembic.ensure(context.config)

It runs ``migration-doctor ensure`` for the same project and database as
alembic: the ini file and section alembic read, its ``sqlalchemy.url`` (or
the URL of the connection handed to ``context.configure``), and, when it is
called after ``context.configure(...)``, the version table and schema given
there. ``-x`` arguments: ``-x migration_doctor=skip`` skips the check, and
``-x migration_doctor.<option>=<value>`` sets an option (``ignore_tables``,
``lock_timeout``, ``version_table``, ...). A state that cannot be made
sound raises, so that alembic stops before migrating.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from ._api import ensure_migration_state_healthy_sync
from ._errors import RecoveryRefused
from ._run import summary
from ._types import EnsuredStateInfo

if TYPE_CHECKING:  # alembic is the caller's: imported only where it runs
    from alembic.config import Config

# A child of alembic's logger: what the hook did shows in alembic's own log.
log = logging.getLogger("alembic.migration_doctor")


def _x_arguments(config: Config) -> dict[str, str]:
    """The ``-x key=value`` arguments of the alembic command line."""
    cmd_opts = getattr(config, "cmd_opts", None)
    pairs: dict[str, str] = {}
    for item in getattr(cmd_opts, "x", None) or []:
        key, _, value = str(item).partition("=")
        pairs[key.strip()] = value.strip()
    return pairs


def _configured() -> dict[str, Any]:
    """What ``context.configure(...)`` was given, when it was called."""
    try:
        from alembic import context

        migration_context = context.get_context()
    except Exception:  # not configured yet, or not inside env.py
        return {}
    found: dict[str, Any] = {}
    opts = getattr(migration_context, "opts", {}) or {}
    if opts.get("version_table"):
        found["version_table"] = opts["version_table"]
    if opts.get("version_table_schema"):
        found["version_table_schema"] = opts["version_table_schema"]
    connection = getattr(migration_context, "connection", None)
    engine = getattr(connection, "engine", None)
    if engine is not None:
        found["database_url"] = engine.url.render_as_string(hide_password=False)
    return found


def ensure(
    config: Config, database_url: str | None = None, **options: Any
) -> EnsuredStateInfo | None:
    """Make the migration tracking sound for alembic's ``config`` before migrating.

    Call it in ``env.py`` with ``context.config``, before
    ``run_migrations()``. It checks the database alembic is about to
    migrate (``database_url`` overrides the one alembic uses) and records
    the applied revisions when they are missing or wrong and the schema
    proves them; ``options`` are the package's options. Returns the state
    (see :func:`~migration_doctor.ensure_migration_state_healthy_sync`), or
    ``None`` when skipped (offline ``--sql`` runs, ``-x
    migration_doctor=skip``).

    Raises :class:`~migration_doctor.RecoveryRefused` when the tracking
    cannot be made sound without a person (run ``migration-doctor
    diagnose`` to see why), so that alembic stops before migrating; and the
    package's other exceptions for configuration errors, an unreachable
    database, invalid scripts or a lock timeout.
    """
    x = _x_arguments(config)
    if x.get("migration_doctor", "").lower() in ("skip", "off", "false", "0", "no"):
        return None
    try:
        from alembic import context

        if context.is_offline_mode():
            return None
    except Exception:
        pass
    configured = _configured()
    settings: dict[str, Any] = {}
    config_file = getattr(config, "config_file_name", None)
    if config_file:
        settings["config"] = os.fspath(config_file)
        section = getattr(config, "config_ini_section", None)
        if section and section != "alembic":
            settings["name"] = section
    script_location = config.get_main_option("script_location") if config_file is None else None
    if script_location:
        settings["script_location"] = script_location
    for key in ("version_table", "version_table_schema"):
        if key in configured:
            settings[key] = configured[key]
    for key, value in x.items():
        if key.startswith("migration_doctor."):
            settings[key.removeprefix("migration_doctor.")] = value
    settings.update(options)
    url = (
        database_url
        or configured.get("database_url")
        or config.get_main_option("sqlalchemy.url")
        or None
    )
    healthy, state = ensure_migration_state_healthy_sync(url, **settings)
    _log_outcome(state)
    if not healthy:
        raise RecoveryRefused(
            "migration-doctor: the migration-tracking state is not sound and cannot be made "
            f"sound unattended: {summary(state['diagnosis'])}. Run `migration-doctor diagnose` "
            "for the evidence and `migration-doctor interactive` to decide.",
            code="refused",
            exit_code=1,
            output=dict(state),
        )
    return state


def _log_outcome(state: EnsuredStateInfo) -> None:
    """Write what was found and what was written to alembic's log."""
    recovery = state["recovery"]
    # A report without a diagnosis (none was needed): the state's.
    found = recovery if recovery.get("state") else state["diagnosis"]
    log.info("migration-doctor: found %s", summary(found))
    if recovery.get("applied"):
        log.info(
            "migration-doctor: wrote the version table (%s evidence): %s -> %s",
            recovery.get("evidence"),
            _rows(recovery.get("before")),
            _rows(recovery.get("after")),
        )
        for statement in recovery.get("plan") or []:
            log.info("migration-doctor: ran %s", statement)
    else:
        log.info("migration-doctor: nothing written")


def _rows(value: Any) -> str:
    """Version rows as a list of ids (``none`` for no table or no rows)."""
    if not isinstance(value, list) or not value:
        return "none"
    return ", ".join(str(row) for row in value)
