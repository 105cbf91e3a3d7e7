"""Merge-like tuple with one entry per line"""

revision = \
    "0005abcd"
down_revision = (
    # a comment inside the tuple
    "0004abcd",
)


def upgrade():
    revision = "inner-bindings-do-not-count"
