"""Typed exceptions, one per exit code of the command line."""

from __future__ import annotations

from typing import Any

from ._types import ErrorInfo


class MigrationDoctorError(Exception):
    """A run of migration-doctor that did not succeed; the base of all the package's errors.

    ``exit_code`` is the executable's exit code; ``code`` (a stable name
    such as ``"database"``) and ``message`` describe the error; ``output``
    is the report the executable printed when it printed one (the diagnosis
    of a refused recovery, say), else ``None``; ``stderr`` is what it wrote
    to its standard error.
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
        """Create the error; the package raises it, with what the executable said."""
        super().__init__(message)
        self.message = message
        self.code = code
        if exit_code is not None:
            self.exit_code = exit_code
        self.output = output
        self.stderr = stderr

    @property
    def error(self) -> ErrorInfo:
        """The error as the command line prints it under ``--format json``."""
        return {"code": self.code, "message": self.message, "exit_code": self.exit_code}


class ProblemsFound(MigrationDoctorError):
    """Exit code 1: the migration tracking has problems, or a recovery was refused."""

    exit_code = 1


class RecoveryRefused(ProblemsFound):
    """Exit code 1 from a recovery: the evidence does not allow it, and nothing was written.

    ``output`` holds the report, whose diagnosis says why.
    """


class ConfigurationError(MigrationDoctorError):
    """Exit code 2: a usage or configuration error.

    A malformed database URL, an unknown driver or revision, no alembic.ini,
    an unknown option.
    """

    exit_code = 2


class DatabaseError(MigrationDoctorError):
    """Exit code 3: the database cannot be reached, or refuses access."""

    exit_code = 3


class InvalidScripts(MigrationDoctorError):
    """Exit code 4: the migration scripts are invalid.

    A cycle, a missing ``down_revision``, a duplicate revision id, a file
    that does not parse.
    """

    exit_code = 4


class LockTimeout(MigrationDoctorError):
    """Exit code 5: another process held the migration lock for longer than the lock timeout.

    The ``lock_timeout`` option (seconds) sets how long to wait.
    """

    exit_code = 5


class CommandFailed(MigrationDoctorError):
    """A command run after the check failed (``migration-doctor ensure --then CMD``).

    ``exit_code`` is that command's own exit code.
    """


BY_EXIT_CODE: dict[int, type[MigrationDoctorError]] = {
    1: ProblemsFound,
    2: ConfigurationError,
    3: DatabaseError,
    4: InvalidScripts,
    5: LockTimeout,
}
