#!/usr/bin/env bash
# Runs every test of the workspace. Creates .venv with the reference alembic
# (from PyPI, pinned in requirements-test.txt) when it is missing, then runs
# `cargo test`. Under CI=true a missing alembic or database fails the run
# instead of skipping the tests that need it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

venv="${MIGRATION_DOCTOR_VENV:-$PWD/.venv}"
stamp="$venv/.requirements-test.txt"
if ! cmp -s requirements-test.txt "$stamp" 2>/dev/null; then
  echo "Installing the reference alembic into $venv ..." >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
  cp requirements-test.txt "$stamp"
fi
export MIGRATION_DOCTOR_PYTHON="$venv/bin/python"

# The fault-injection hook is compiled in for the tests only.
cargo test --workspace --locked --features migration-doctor-cli/fault-injection "$@"

# Then, for a whole run: the Python package's tests, and real projects' migrations (pinned PyPI releases),
# run by the real alembic revision by revision on each database, against
# the expected schema and the diagnosis; it fails on a diagnosis proven at a
# wrong revision, a crash, or a project or database left unmeasured. The
# full table over every project is `python3 bench/real_projects.py`.
if [ "$#" -eq 0 ]; then
  # The Python package: its wheel, installed into a fresh virtualenv,
  # against the three databases.
  python/run-tests.sh
  harness=(python3 bench/real_projects.py --check --binary target/debug/migration-doctor)
  "${harness[@]}" --projects optuna,mlflow-auth --databases sqlite,postgresql
  "${harness[@]}" --projects mlflow --databases mysql --max-revisions 12
fi
