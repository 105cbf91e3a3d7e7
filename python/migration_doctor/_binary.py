"""Where the migration-doctor executable is."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig

NAME = "migration-doctor" + (".exe" if sys.platform == "win32" else "")


def find_binary() -> str:
    """The executable the wheel installed beside this package's interpreter
    (its scripts directory, also for ``pip install --user``), or
    ``MIGRATION_DOCTOR_BINARY``, or the first on ``PATH``."""
    override = os.environ.get("MIGRATION_DOCTOR_BINARY")
    if override:
        return override
    candidates = [sysconfig.get_path("scripts")]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        candidates.append(sysconfig.get_path("scripts", scheme=user_scheme))
    candidates.append(os.path.dirname(sys.executable))
    for directory in candidates:
        path = os.path.join(directory, NAME)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found = shutil.which(NAME)
    if found:
        return found
    raise FileNotFoundError(
        f"the {NAME} executable was not found beside this Python "
        f"({', '.join(candidates)}) nor on PATH; reinstall the package "
        "(`pip install --force-reinstall migration-doctor`) or set MIGRATION_DOCTOR_BINARY"
    )
