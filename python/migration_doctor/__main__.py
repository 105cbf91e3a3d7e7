"""``python -m migration_doctor ...`` is the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from ._binary import find_binary


def main() -> int:
    """Run the ``migration-doctor`` executable with this command line's arguments."""
    binary = find_binary()
    if sys.platform == "win32":
        return subprocess.call([binary, *sys.argv[1:]])
    # Replaced by the executable: its exit code is the command's.
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
