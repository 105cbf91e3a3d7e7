"""Benchmark: `migration-doctor schema --live` against SQLAlchemy's inspector
on a database of N tables (10 columns and 2 indexes each), on PostgreSQL,
MariaDB and SQLite.

usage: python bench/live_schema.py [--tables N] [--dialects postgresql,mysql,sqlite] [--runs K]
Run with the Python of the virtualenv that holds SQLAlchemy (./bench/run does).
The inspector is timed two ways, once each: per table (`get_columns`,
`get_pk_constraint`, `get_indexes`, `get_unique_constraints`,
`get_foreign_keys` for every table), and in bulk (SQLAlchemy 2's
`get_multi_columns`, `get_multi_pk_constraint`, `get_multi_indexes`,
`get_multi_unique_constraints`, `get_multi_foreign_keys`: a few queries
for the whole schema, which is what our reader does too); our command K
times (median). The ratio that counts is against the bulk inspector.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore")
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {
    "postgresql": os.environ.get("MIGRATION_DOCTOR_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("MIGRATION_DOCTOR_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}


def table_ddl(i):
    return [
        "CREATE TABLE t%05d (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(50) NOT NULL, b VARCHAR(200), "
        "c INTEGER, d BIGINT, e NUMERIC(10, 2), f DATE, g TIMESTAMP NULL, h BOOLEAN, i TEXT)" % i,
        "CREATE INDEX ix_t%05d_a ON t%05d (a)" % (i, i),
        "CREATE UNIQUE INDEX ux_t%05d_cd ON t%05d (c, d)" % (i, i),
    ]


def create(dialect, count, folder):
    if dialect == "sqlite":
        url = "sqlite:///" + os.path.join(folder, "bench.db")
    else:
        name = "md_bench_%d" % os.getpid()
        server = sa.create_engine(SERVERS[dialect], isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            q = '"' if dialect == "postgresql" else "`"
            connection.execute(sa.text("DROP DATABASE IF EXISTS %s%s%s" % (q, name, q)))
            connection.execute(sa.text("CREATE DATABASE %s%s%s" % (q, name, q)))
        base, _, _ = SERVERS[dialect].rpartition("/")
        url = base + "/" + name
    engine = sa.create_engine(url)
    # Batches keep PostgreSQL within max_locks_per_transaction.
    for start in range(0, count, 500):
        with engine.begin() as connection:
            for i in range(start, min(count, start + 500)):
                for statement in table_ddl(i):
                    connection.exec_driver_sql(statement)
    engine.dispose()
    return url


def drop(dialect, url):
    if dialect == "sqlite":
        return
    name = url.rpartition("/")[2]
    server = sa.create_engine(SERVERS[dialect], isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        q = '"' if dialect == "postgresql" else "`"
        connection.execute(sa.text("DROP DATABASE IF EXISTS %s%s%s" % (q, name, q)))


def time_ours(url, runs):
    binary = os.path.join(ROOT, "target", "release", "migration-doctor")
    # One untimed run first: right after 5,000 CREATE TABLEs the server is
    # still busy writing them out; the inspector, timed afterwards, meets a
    # settled server too.
    subprocess.run([binary, "schema", "--live", "--json", "--database-url", url],
                   check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary, "schema", "--live", "--json", "--database-url", url],
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# The catalog floor: one client process of the database's own (psql,
# mariadb, sqlite3) running the three bulk queries a schema reader needs —
# columns with types and nullability, indexes with their columns,
# constraints with their columns — with nothing decoded into a model.
FLOOR = {
    "postgresql": """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind = 'r';
SELECT t.relname, i.relname, ix.indisunique, ix.indkey::int2[]
FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public';
SELECT c.relname, con.conname, con.contype, con.conkey, con.confrelid, con.confkey
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';
""",
    "mysql": """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE();
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE();
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
  FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE();
""",
    "sqlite": """
SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk
  FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table';
SELECT m.name, l.name, l."unique", i.name
  FROM sqlite_master m, pragma_index_list(m.name) l, pragma_index_info(l.name) i WHERE m.type = 'table';
SELECT m.name, f.id, f."table", f."from", f."to"
  FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table';
""",
}


def floor_command(dialect, url):
    parsed = sa.engine.make_url(url)
    if dialect == "postgresql":
        return ["psql", "-X", "-q", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432),
                "-U", parsed.username or "postgres", "-d", parsed.database, "-c", FLOOR[dialect]]
    if dialect == "mysql":
        return ["mariadb", "-h", parsed.host or "127.0.0.1", "-P", str(parsed.port or 3306),
                "-u", parsed.username or "root", parsed.database, "-e", FLOOR[dialect]]
    return ["sqlite3", parsed.database, FLOOR[dialect]]


def time_floor(dialect, url, runs):
    """The floor's median, or NaN when the database's own client is missing."""
    command = floor_command(dialect, url)
    if shutil.which(command[0]) is None:
        return float("nan")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_inspector(url):
    start = time.perf_counter()
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    for table in inspector.get_table_names():
        inspector.get_columns(table)
        inspector.get_pk_constraint(table)
        inspector.get_indexes(table)
        inspector.get_unique_constraints(table)
        inspector.get_foreign_keys(table)
    engine.dispose()
    return time.perf_counter() - start


def time_bulk_inspector(url):
    start = time.perf_counter()
    engine = sa.create_engine(url)
    inspector = sa.inspect(engine)
    inspector.get_multi_columns()
    inspector.get_multi_pk_constraint()
    inspector.get_multi_indexes()
    inspector.get_multi_unique_constraints()
    inspector.get_multi_foreign_keys()
    engine.dispose()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=5000)
    parser.add_argument("--dialects", default="postgresql,mysql,sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("tables: %d (10 columns, 2 indexes each)" % args.tables)
    print("%-11s %14s %14s %8s %16s %8s %16s %8s" % (
        "dialect", "ours (median)", "catalog floor", "ours/fl", "bulk inspector", "ratio", "per-table insp.", "ratio"))
    with tempfile.TemporaryDirectory() as folder:
        for dialect in args.dialects.split(","):
            url = None
            try:
                url = create(dialect, args.tables, folder)
                ours = time_ours(url, args.runs)
                floor = time_floor(dialect, url, args.runs)
                bulk = time_bulk_inspector(url)
                theirs = time_inspector(url)
            finally:
                drop(dialect, url or "/md_bench_%d" % os.getpid())
            print("%-11s %12.3f s %12.3f s %7.2fx %14.3f s %7.1fx %14.3f s %7.1fx"
                  % (dialect, ours, floor, ours / floor, bulk, bulk / ours, theirs, theirs / ours))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
