"""Benchmark: `migration-doctor graph` against `alembic heads` on a generated
script directory of 2,000 revisions with branches and merges, and the time
of `migration-doctor schema` (the expected schema after every revision,
derived from the migrations) on the same folder.

usage: python bench/graph_vs_alembic.py [--revisions N] [--runs K]
Run with the Python of the virtualenv that holds alembic (./bench/run does).
Prints the median wall time of each command and their ratio.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {down_text}
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "{rev}"
down_revision: Union[str, Sequence[str], None] = {down}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("t{table}", sa.Column("c{n}", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("t{table}", "c{n}")
'''


BASE = '''"""create the tables

Revision ID: {rev}
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = None
branch_labels = None
depends_on = None

TABLES = 40


def upgrade():
    for number in range(TABLES):
        op.create_table(
            "t%d" % number,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(50), nullable=False, index=True),
        )


def downgrade():
    pass
'''


def generate(folder, count):
    """A main line where every 50th revision forks a two-revision side branch
    that the next revision merges back."""
    versions = os.path.join(folder, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(folder, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s/migrations\npath_separator = os\n")
    with open(os.path.join(folder, "migrations", "env.py"), "w") as f:
        f.write("")
    head = "%012x" % 0xBA5E00000000
    with open(os.path.join(versions, "%s_base.py" % head), "w") as f:
        f.write(BASE.format(rev=head))
    n = 1
    while n < count:
        if head is not None and n % 50 == 0 and n + 3 <= count:
            side_a = "%012x" % (0xA00000000000 + n)
            side_b = "%012x" % (0xB00000000000 + n)
            write(versions, side_a, head, n, "side a")
            write(versions, side_b, side_a, n + 1, "side b")
            main = "%012x" % (0xC00000000000 + n)
            write(versions, main, head, n + 2, "main")
            merge = "%012x" % (0xD00000000000 + n)
            write(versions, merge, (main, side_b), n + 3, "merge")
            head = merge
            n += 4
        else:
            rev = "%012x" % (0xC00000000000 + n)
            write(versions, rev, head, n, "step")
            head = rev
            n += 1


def write(versions, rev, down, n, message):
    if down is None:
        down_code, down_text = "None", ""
    elif isinstance(down, tuple):
        down_code, down_text = repr(down), ", ".join(down)
    else:
        down_code, down_text = repr(down), down
    with open(os.path.join(versions, "%s_%s.py" % (rev, message.replace(" ", "_"))), "w") as f:
        f.write(TEMPLATE.format(rev=rev, down=down_code, down_text=down_text,
                                message="%s %d" % (message, n), table=n % 40, n=n))


def median_seconds(command, cwd, runs, expected_codes=(0,)):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL)
        if done.returncode not in expected_codes:
            raise SystemExit("%s exited with %d" % (" ".join(command), done.returncode))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--revisions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    binary = os.path.join(ROOT, "target", "release", "migration-doctor")
    alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
    with tempfile.TemporaryDirectory() as folder:
        generate(folder, args.revisions)
        ours = median_seconds([binary, "graph", "--format", "json"], folder, args.runs)
        theirs = median_seconds([alembic, "heads"], folder, args.runs)
        expected = median_seconds(
            [binary, "schema", "--dialect", "postgresql", "--format", "json"], folder, args.runs
        )
    print("revisions: %d (runs: %d)" % (args.revisions, args.runs))
    print("migration-doctor graph --format json  median %8.1f ms" % (ours * 1000))
    print("alembic heads                         median %8.1f ms" % (theirs * 1000))
    print("ratio (alembic / migration-doctor)           %8.1fx" % (theirs / ours))
    print("migration-doctor schema (every revision's    ")
    print("  expected schema, PostgreSQL)        median %8.1f ms" % (expected * 1000))


if __name__ == "__main__":
    main()
