"""a column type from the application's own package"""
from alembic import op
import sqlalchemy as sa

from myapp.types import GUID

revision = "r08r08r08r08"
down_revision = "r07r07r07r07"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("public_id", GUID(), nullable=True))
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_tokens_user"),
        sa.Index("ix_tokens_value", "value", unique=True),
    )


def downgrade():
    pass
