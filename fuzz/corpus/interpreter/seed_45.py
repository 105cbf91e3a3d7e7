"""identifiers at the length limits: 63 characters everywhere, and past
PostgreSQL's 63 bytes where the database cuts them (MySQL refuses more than
64, so that part runs on PostgreSQL and SQLite only)"""
from alembic import op
import sqlalchemy as sa

revision = "b2b2b2b2b2b2"
down_revision = "a1a1a1a1a1a1"
branch_labels = None
depends_on = None

AT_LIMIT = "t" * 63
PAST_LIMIT = "long_" * 14  # 70 characters


def upgrade():
    op.create_table(
        AT_LIMIT,
        sa.Column("c" * 63, sa.Integer(), primary_key=True),
    )
    op.create_index("i" * 63, AT_LIMIT, ["c" * 63])
    if op.get_bind().dialect.name != "mysql":
        op.create_table(
            PAST_LIMIT,
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("é" * 40, sa.Integer()),
        )


def downgrade():
    pass
