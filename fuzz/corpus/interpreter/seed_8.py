from alembic import op
import sqlalchemy as sa

revision = "b00b00b00b00"
down_revision = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan", sa.String(20), nullable=False, server_default="free"),
    )
