#!/usr/bin/env python3
"""Benchmark: a fleet of tenant schemas on PostgreSQL (20 tables each, all
at head) diagnosed in one pass, against alembic's documented per-schema
pattern — `alembic current` for each tenant (`-x tenant=NAME`: its
search_path and its version table in its schema).

  python3 bench/fleet.py [--tenants 1000] [--jobs 8] [--sample 40]
                         [--binary target/release/migration-doctor]

Run with the Python of the virtualenv that holds alembic (./bench/run does).
alembic is timed two ways: `alembic current` as a command for `--sample`
tenants, scaled to the fleet (what a shell loop costs), and
`alembic.command.current` in one process for every tenant (what a runner
written in Python costs). The fleet is built once per size (database
`md_bench_fleet_<N>`, kept between runs; `--fresh` builds it again).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("MIGRATION_DOCTOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TABLES = 20
HEAD = "b1b1b1b1b1b1"

ENV_PY = '''
import os
from alembic import context
from sqlalchemy import create_engine, pool, text

url = os.environ["BENCH_URL"]
tenant = context.get_x_argument(as_dictionary=True).get("tenant") or context.config.attributes.get("tenant")
connectable = context.config.attributes.get("connection")


def run(connection):
    if tenant:
        connection.execute(text('SET search_path TO "%s"' % tenant))
    context.configure(connection=connection, target_metadata=None, version_table_schema=tenant)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, version_table_schema=tenant)
    with context.begin_transaction():
        context.run_migrations()
elif connectable is not None:
    run(connectable)
else:
    with create_engine(url, poolclass=pool.NullPool).connect() as connection:
        run(connection)
'''


def columns(i: int) -> list[str]:
    out = [
        "sa.Column('id', sa.Integer(), primary_key=True)",
        "sa.Column('name', sa.String(80), nullable=False)",
        "sa.Column('amount', sa.Numeric(12, 2))",
        "sa.Column('created', sa.DateTime(), nullable=False)",
        "sa.Column('note', sa.Text())",
    ]
    if i > 0:
        out.append(f"sa.Column('parent_id', sa.Integer(), sa.ForeignKey('t{i - 1:02d}.id'))")
    return out


def write_project(folder: Path) -> Path:
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n")
    (folder / "migrations" / "env.py").write_text(ENV_PY)
    body = []
    for i in range(TABLES):
        body.append(f"    op.create_table('t{i:02d}', {', '.join(columns(i))})")
        body.append(f"    op.create_index('ix_t{i:02d}_name', 't{i:02d}', ['name'])")
    (versions / "b1_tables.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {HEAD!r}\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n" + "\n".join(body) + "\n"
    )
    return folder / "alembic.ini"


def build_fleet(url: str, ini: Path, tenants: int) -> None:
    """One tenant migrated by the real alembic; the others get the same
    DDL (alembic's offline SQL, with the schema name replaced)."""
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text('CREATE SCHEMA "tenant_0000"'))
        config = Config(str(ini))
        config.attributes["connection"] = connection
        config.attributes["tenant"] = "tenant_0000"
        command.upgrade(config, "head")
    # The offline SQL of the same upgrade, as a template.
    config = Config(str(ini))
    config.attributes["tenant"] = "TENANT_NAME"
    buffer = tempfile.TemporaryFile(mode="w+")
    config.output_buffer = buffer
    os.environ["BENCH_URL"] = url
    command.upgrade(config, "head", sql=True)
    buffer.seek(0)
    template = buffer.read()
    with engine.connect() as connection:
        for at in range(1, tenants):
            name = f"tenant_{at:04d}"
            sql = template.replace("TENANT_NAME", name)
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
            connection.execute(sa.text(f'SET search_path TO "{name}"'))
            connection.exec_driver_sql(sql.replace("BEGIN;", "").replace("COMMIT;", ""))
            if at % 100 == 0:
                print(f"  {at} tenants built", file=sys.stderr)
    engine.dispose()


def database_url(name: str) -> str:
    return str(sa.engine.make_url(SERVER).set(database=name).render_as_string(hide_password=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--skip-in-process", action="store_true",
                        help="leave out alembic.command.current for every tenant (minutes at 10,000)")
    parser.add_argument("--binary", default=str(ROOT / "target/release/migration-doctor"))
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if not Path(args.binary).exists():
        sys.exit(f"no binary at {args.binary}: cargo build --release first")

    name = f"md_bench_fleet_{args.tenants}"
    url = database_url(name)
    server = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if exists and args.fresh:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            exists = None
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()

    folder = Path(tempfile.mkdtemp(prefix="md-bench-fleet-"))
    ini = write_project(folder)
    os.environ["BENCH_URL"] = url
    if not exists:
        print(f"building {args.tenants} tenant schemas x {TABLES} tables (once) ...", file=sys.stderr)
        started = time.perf_counter()
        build_fleet(url, ini, args.tenants)
        print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    # migration-doctor: the whole fleet in one pass.
    argv = [args.binary, "-c", str(ini), "diagnose", "--each-schema", "tenant_*", "--jobs", str(args.jobs),
            "--format", "jsonl", "--database-url", url]
    # The reports go to a file (read afterwards): the peak memory is the
    # tool's own, with its reports streamed out.
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        ours = time.perf_counter() - started
        peak_mb = usage.ru_maxrss / 1024
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines = [json.loads(line) for line in out if line.strip()]
        errors = err.read()
    summary = lines[-1].get("summary", {}) if lines else {}
    healthy = summary.get("states", {}).get("healthy", 0)
    if code != 0 or healthy != args.tenants:
        sys.stderr.write(errors[-3000:])
        sys.exit(f"migration-doctor did not find {args.tenants} healthy tenants: {summary}")

    # alembic current as a command, for a sample of tenants.
    sample = min(args.sample, args.tenants)
    alembic = [sys.executable, "-m", "alembic", "-c", str(ini)]
    started = time.perf_counter()
    for at in range(sample):
        out = subprocess.run(alembic + ["-x", f"tenant=tenant_{at:04d}", "current"], capture_output=True, text=True)
        if HEAD not in out.stdout:
            sys.exit(f"alembic current on tenant_{at:04d}: {out.stdout}{out.stderr}")
    per_command = (time.perf_counter() - started) / sample
    commands = per_command * args.tenants

    # alembic.command.current in one process, every tenant.
    from alembic import command
    from alembic.config import Config

    devnull = open(os.devnull, "w")
    started = time.perf_counter()
    for at in range(0 if args.skip_in_process else args.tenants):
        config = Config(str(ini), stdout=devnull)
        config.cmd_opts = argparse.Namespace(x=[f"tenant=tenant_{at:04d}"])
        command.current(config)
    in_process = time.perf_counter() - started

    print(f"fleet: {args.tenants} PostgreSQL tenant schemas x {TABLES} tables, all at head")
    print(f"  migration-doctor diagnose --each-schema --jobs {args.jobs}: {ours:7.2f} s  "
          f"(full diagnosis of every tenant; peak {peak_mb:.0f} MB)")
    print(f"  alembic current per tenant (command, {sample} timed, scaled): {commands:7.2f} s  ({per_command * 1000:.0f} ms each)  ratio {commands / ours:5.1f}x")
    if not args.skip_in_process:
        print(f"  alembic.command.current per tenant, one process:  {in_process:7.2f} s  "
              f"ratio {in_process / ours:5.1f}x")
    # 10,000 tenants in under 15 s; smaller fleets in proportion (at least 5 s).
    target = max(5, 15 * args.tenants / 10000)
    print(f"  target: the whole fleet under {target:.1f} s: {'met' if ours < target else 'NOT met'}")


if __name__ == "__main__":
    main()
