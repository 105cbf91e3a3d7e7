#!/usr/bin/env python3
"""Resource bounds: time and peak memory of migration-doctor on large and
hostile inputs, each at two sizes so that a quadratic step shows (the time
ratio of the larger to the smaller should stay near the size ratio).

  python3 bench/sizes.py [--binary target/release/migration-doctor]

- histories of 5,000 and 10,000 revisions (a branch and its merge every
  50), each revision adding a table or a column to one: `graph`, `schema`;
- revision files of 5 MB and 10 MB (one `upgrade()` of add_column calls);
- PostgreSQL databases of 25,000 and 50,000 tables: `schema --live` and
  `diagnose` against a project that manages none of them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("MIGRATION_DOCTOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def measure(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB (GNU time's %M), exit code of one run."""
    timed = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    started = time.perf_counter()
    done = subprocess.run(timed + argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    peak = 0.0
    if timed:
        last = done.stderr.strip().splitlines()[-1:] or ["0"]
        peak = float(last[0]) / 1024 if last[0].isdigit() else 0.0
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr[-2000:])
    return elapsed, peak, done.returncode


def project(folder: Path, revisions: int) -> Path:
    versions = folder / "versions"
    versions.mkdir(parents=True)
    (folder / "alembic.ini").write_text(f"[alembic]\nscript_location = {folder}\n")
    (folder / "env.py").write_text("")
    previous: list[str] = []
    for i in range(revisions):
        rev = f"r{i:06d}"
        # A table per hundred revisions, and a column on it in each of the
        # others (no database takes 10,000 columns in one table).
        table = f"t{i // 100}"
        if i % 100 == 0:
            body = f"op.create_table({table!r}, sa.Column('id', sa.Integer, primary_key=True))"
        else:
            body = f"op.add_column({table!r}, sa.Column('c{i}', sa.String(20)))"
        if i == 0:
            down = "None"
        elif i % 50 == 26:
            # Every fifty: two children of one revision, merged next.
            down = repr(previous[-2])
        elif i % 50 == 27:
            down = repr((previous[-1], previous[-2]))
            body = "pass"
        else:
            down = repr(previous[-1])
        (versions / f"{rev}_step.py").write_text(
            "from alembic import op\nimport sqlalchemy as sa\n"
            f"revision = {rev!r}\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n"
            f"def upgrade():\n    {body}\n"
        )
        previous.append(rev)
    return folder / "alembic.ini"


def big_file(folder: Path, megabytes: int) -> Path:
    versions = folder / "versions"
    versions.mkdir(parents=True)
    (folder / "alembic.ini").write_text(f"[alembic]\nscript_location = {folder}\n")
    (folder / "env.py").write_text("")
    lines = [
        "from alembic import op\nimport sqlalchemy as sa\nrevision = 'big'\ndown_revision = None\n",
        "def upgrade():\n    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n",
    ]
    size, i = 0, 0
    while size < megabytes * 1_000_000:
        line = f"    op.add_column('t', sa.Column('column_number_{i:08d}', sa.String(length=20), nullable=True))\n"
        lines.append(line)
        size += len(line)
        i += 1
    (versions / "big.py").write_text("".join(lines))
    return folder / "alembic.ini"


def pg_tables(database: str, count: int) -> str:
    base = PG.rsplit("/", 1)[0]
    subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    subprocess.run(["psql", PG, "-qc", f"CREATE DATABASE {database}"], check=True)
    url = f"{base}/{database}"
    statements = "".join(
        f"CREATE TABLE t{i} (id integer PRIMARY KEY, name varchar(40) NOT NULL, ref integer);\n"
        for i in range(count)
    )
    subprocess.run(["psql", url, "-q"], input=statements, text=True, check=True, capture_output=True)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / "target/release/migration-doctor"))
    parser.add_argument("--skip-database", action="store_true")
    args = parser.parse_args()
    binary = args.binary
    rows: list[tuple[str, str, float, float, int]] = []
    scratch = Path(tempfile.mkdtemp(prefix="md-sizes-"))
    try:
        for revisions in (5_000, 10_000):
            ini = project(scratch / f"h{revisions}", revisions)
            for command in (["graph", "--json"], ["schema", "--dialect", "postgresql", "--json"]):
                t, m, code = measure([binary, "-c", str(ini), *command])
                rows.append((f"{revisions} revisions", " ".join(command[:1]), t, m, code))
        for megabytes in (5, 10):
            ini = big_file(scratch / f"f{megabytes}", megabytes)
            t, m, code = measure([binary, "-c", str(ini), "schema", "--dialect", "postgresql", "--json"])
            rows.append((f"{megabytes} MB revision file", "schema", t, m, code))
        if not args.skip_database:
            ini = project(scratch / "small", 10)
            for count in (25_000, 50_000):
                database = f"md_sizes_{count}"
                url = pg_tables(database, count)
                env = dict(os.environ, DATABASE_URL=url)
                for command in (["schema", "--live", "--json"], ["diagnose", "--json"]):
                    t, m, code = measure([binary, "-c", str(ini), *command], env)
                    rows.append((f"{count} PostgreSQL tables", command[0], t, m, code))
                subprocess.run(["psql", PG, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{'input':<26} {'command':<9} {'seconds':>8} {'peak MiB':>9} {'exit':>5}")
    for name, command, seconds, mib, code in rows:
        print(f"{name:<26} {command:<9} {seconds:>8.2f} {mib:>9.0f} {code:>5}")
    return 0 if all(code in (0, 1) for *_, code in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
