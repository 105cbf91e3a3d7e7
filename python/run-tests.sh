#!/usr/bin/env bash
# The Python package's tests: builds the wheel with maturin, installs it
# into a fresh virtualenv (with the reference alembic and the drivers), and
# runs pytest against SQLite, PostgreSQL and MariaDB. Arguments go to
# pytest. MIGRATION_DOCTOR_WHEEL_PROFILE=release builds the wheel as it ships
# (default: dev, which reuses the test build's compiled crates).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="target/python-tools"
stamp="$tools/.requirements-test.txt"
if ! cmp -s python/requirements-test.txt "$stamp" 2>/dev/null; then
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
  cp python/requirements-test.txt "$stamp"
fi

rm -rf target/wheels
"$tools/bin/maturin" build --quiet --locked --profile "${MIGRATION_DOCTOR_WHEEL_PROFILE:-dev}" --out target/wheels
wheel=$(ls target/wheels/migration_doctor-*.whl)

venv="target/python-package-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "$wheel" \
  $(grep -v -e '^#' -e '^maturin' python/requirements-test.txt)
# From outside the source tree, so that the installed package is tested.
cd "$venv"
exec bin/python -m pytest -q -p no:cacheprovider "$OLDPWD/python/tests" "$@"
