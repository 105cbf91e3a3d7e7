"""an audit table"""
from alembic import op
import sqlalchemy as sa

revision = "e05e05e05e05"
down_revision = "e04e04e04e04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note", sa.Text(), nullable=True),
    )


def downgrade():
    op.drop_table("audit")
