"""Where the migration-doctor executable is."""

from __future__ import annotations

import os
import sys
import sysconfig
from importlib import metadata

NAME = "migration-doctor" + (".exe" if sys.platform == "win32" else "")
ENVIRONMENT_VARIABLE = "MIGRATION_DOCTOR_BINARY"


def find_binary(binary: str | os.PathLike[str] | None = None) -> str:
    """Return the path of the ``migration-doctor`` executable to run.

    In this order: ``binary`` when given, else the path in the
    ``MIGRATION_DOCTOR_BINARY`` environment variable when set, else the
    executable this package's wheel installed (in the scripts directory of
    the Python it was installed into, also for ``pip install --user``).

    Another ``migration-doctor`` on ``PATH`` is never used: it may be
    another version, whose reports this package would misread.

    Raises :class:`FileNotFoundError`, naming the places looked at, when
    there is none.
    """
    if binary:
        return os.fspath(binary)
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        return override
    places = _installed_places()
    for path in places:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        f"the {NAME} executable that comes with this package was not found "
        f"(looked at {', '.join(places) or 'no place: the package is not installed'}). "
        "Reinstall the package (`pip install --force-reinstall migration-doctor`), "
        f"or set {ENVIRONMENT_VARIABLE} to the path of a {NAME} executable of the same version."
    )


def _installed_places() -> list[str]:
    """Where the wheel puts its executable, most precise first, no duplicates."""
    places = [*_recorded(), *(os.path.join(folder, NAME) for folder in _scripts_folders())]
    return list(dict.fromkeys(os.path.normpath(place) for place in places))


def _recorded() -> list[str]:
    """The executable's path in the installed wheel's file list (RECORD).

    Right for any install scheme, ``--prefix`` and ``--target`` included.
    """
    try:
        files = metadata.distribution("migration-doctor").files or []
    except metadata.PackageNotFoundError:  # running from a source tree
        return []
    return [str(file.locate()) for file in files if file.name == NAME]


def _scripts_folders() -> list[str]:
    """The scripts directories of this Python, for a wheel whose file list is missing.

    The environment's, the user's (``pip install --user``), and the
    interpreter's own.
    """
    folders = [sysconfig.get_path("scripts")]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        folders.append(sysconfig.get_path("scripts", scheme=user_scheme))
    folders.append(os.path.dirname(sys.executable))
    return folders
