"""conditionals on the dialect"""
from alembic import context, op
import sqlalchemy as sa

revision = "r03r03r03r03"
down_revision = "r02r02r02r02"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_table("pg_only", sa.Column("id", sa.Integer(), primary_key=True))
    elif context.get_context().dialect.name in ("mysql", "mariadb"):
        op.create_table("mysql_only", sa.Column("id", sa.Integer(), primary_key=True))
    else:
        op.create_table("other_only", sa.Column("id", sa.Integer(), primary_key=True))
    is_sqlite = op.get_context().dialect.name == "sqlite"
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=not is_sqlite),
        sa.Column("state", sa.Enum("on", "off", "unknown", name="flag_state")),
    )


def downgrade():
    pass
