"""Typed exceptions, one per exit code of the command line."""

from __future__ import annotations

from typing import Any


class MigrationDoctorError(Exception):
    """A run of migration-doctor that did not succeed.

    ``exit_code`` is the tool's exit code, ``code`` and ``message`` come from
    its JSON error object (``{"error": {"code", "message", "exit_code"}}``),
    ``output`` is the JSON document it printed when it printed a report
    instead (a refused recovery, say), and ``stderr`` what it wrote there.
    """

    exit_code: int = 1

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        exit_code: int | None = None,
        output: dict[str, Any] | None = None,
        stderr: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        if exit_code is not None:
            self.exit_code = exit_code
        self.output = output
        self.stderr = stderr

    @property
    def error(self) -> dict[str, Any]:
        """The JSON error object, as the command line prints it."""
        return {"code": self.code, "message": self.message, "exit_code": self.exit_code}


class ProblemsFound(MigrationDoctorError):
    """Exit code 1: problems were found, or a recovery was refused."""

    exit_code = 1


class RecoveryRefused(ProblemsFound):
    """Exit code 1 from a recovery: the evidence does not allow it (the
    diagnosis in ``output`` says why); nothing was written."""


class ConfigurationError(MigrationDoctorError):
    """Exit code 2: a usage or configuration error (a malformed URL, an
    unknown driver or revision, no alembic.ini)."""

    exit_code = 2


class DatabaseError(MigrationDoctorError):
    """Exit code 3: the database cannot be reached, or refuses access."""

    exit_code = 3


class InvalidScripts(MigrationDoctorError):
    """Exit code 4: the migration scripts are invalid (a cycle, a missing
    down-revision, a file that does not parse)."""

    exit_code = 4


class LockTimeout(MigrationDoctorError):
    """Exit code 5: another process held the migration lock for longer than
    the lock timeout."""

    exit_code = 5


class CommandFailed(MigrationDoctorError):
    """``ensure --then CMD``: the command failed; ``exit_code`` is its own."""


BY_EXIT_CODE: dict[int, type[MigrationDoctorError]] = {
    1: ProblemsFound,
    2: ConfigurationError,
    3: DatabaseError,
    4: InvalidScripts,
    5: LockTimeout,
}
