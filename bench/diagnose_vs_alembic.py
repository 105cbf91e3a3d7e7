"""Benchmark: `migration-doctor diagnose` against `alembic current` on a
SQLite database at the head of a generated 2,000-revision project (the one
of graph_vs_alembic.py); then the same database with its version table
dropped, where the diagnosis matches the schema against every revision
state in every detail (alembic has no equivalent: `alembic current` is
timed again for reference).

usage: python bench/diagnose_vs_alembic.py [--revisions N] [--runs K]
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import graph_vs_alembic as graph_bench  # noqa: E402

ENV = '''from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                 poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--revisions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--heavy", action="store_true",
                        help="revisions as autogenerate writes them, on about 1,000 tables")
    args = parser.parse_args()
    binary = os.path.join(graph_bench.ROOT, "target", "release", "migration-doctor")
    alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
    with tempfile.TemporaryDirectory() as folder:
        graph_bench.generate(folder, args.revisions, args.heavy)
        with open(os.path.join(folder, "migrations", "env.py"), "w") as f:
            f.write(ENV)
        with open(os.path.join(folder, "alembic.ini"), "a") as f:
            f.write("sqlalchemy.url = sqlite:///%(here)s/bench.db\n")
        subprocess.run([alembic, "upgrade", "heads"], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        state = subprocess.run([binary, "diagnose", "--json"], cwd=folder, capture_output=True, text=True)
        # First every revision interpreted (no operations cache), then with
        # the cache an image build writes once (`migration-doctor cache`).
        uncached = graph_bench.median_seconds([binary, "--no-cache", "diagnose", "--json"], folder, args.runs)
        subprocess.run([binary, "cache", "--dialect", "sqlite"], cwd=folder, check=True,
                       stdout=subprocess.DEVNULL)
        ours, ours_peak = graph_bench.measure([binary, "diagnose", "--json"], folder, args.runs)
        theirs = graph_bench.median_seconds([alembic, "current"], folder, args.runs)
        import sqlite3
        connection = sqlite3.connect(os.path.join(folder, "bench.db"))
        connection.execute("DROP TABLE alembic_version")
        connection.commit()
        connection.close()
        untracked_state = subprocess.run([binary, "diagnose", "--json"], cwd=folder, capture_output=True, text=True)
        # Exit 1: the database is untracked, which is a problem found.
        untracked_uncached = graph_bench.median_seconds([binary, "--no-cache", "diagnose", "--json"], folder,
                                                        args.runs, (1,))
        untracked = graph_bench.median_seconds([binary, "diagnose", "--json"], folder, args.runs, (1,))
        theirs_untracked = graph_bench.median_seconds([alembic, "current"], folder, args.runs)

    def state_of(out):
        if '"state": ' not in out.stdout:
            return "?"
        state = out.stdout.split('"state": ')[1].split(",")[0]
        evidence = out.stdout.split('"evidence": ')[1].split(",")[0] if '"evidence": ' in out.stdout else "?"
        return "%s, %s" % (state, evidence)

    print("revisions: %d%s, SQLite database at head (runs: %d)" % (
        args.revisions, ", heavy" if args.heavy else "", args.runs))
    print("migration-doctor diagnose  median %8.1f ms  (%s; operations cache; peak %.1f MB)" % (
        ours * 1000, state_of(state), ours_peak))
    print("  without the cache        median %8.1f ms" % (uncached * 1000))
    print("alembic current            median %8.1f ms" % (theirs * 1000))
    print("ratio (alembic / migration-doctor) %8.1fx  (without the cache %.1fx)" % (
        theirs / ours, theirs / uncached))
    print("version table dropped: every revision state matched in every detail")
    print("migration-doctor diagnose  median %8.1f ms  (%s; operations cache)" % (
        untracked * 1000, state_of(untracked_state)))
    print("  without the cache        median %8.1f ms" % (untracked_uncached * 1000))
    print("alembic current            median %8.1f ms" % (theirs_untracked * 1000))
    print("ratio (alembic / migration-doctor) %8.1fx  (without the cache %.1fx)" % (
        theirs_untracked / untracked, theirs_untracked / untracked_uncached))


if __name__ == "__main__":
    main()
