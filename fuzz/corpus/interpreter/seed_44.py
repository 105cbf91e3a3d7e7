"""reserved words, unicode, quotes and mixed case as names"""
from alembic import op
import sqlalchemy as sa

revision = "a1a1a1a1a1a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order",
        sa.Column("select", sa.Integer(), primary_key=True),
        sa.Column("from", sa.String(20), nullable=False),
        sa.Column("group", sa.Integer()),
    )
    op.create_index("ix_order_from", "order", ["from"])
    op.create_table(
        "café",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("naïve", sa.String(10)),
        sa.Column("MixedCase", sa.Integer()),
        sa.Column("with space", sa.Integer()),
        sa.Column('quote"d', sa.Integer()),
        sa.ForeignKeyConstraint(["MixedCase"], ["order.select"], name="fk_café_order"),
        sa.UniqueConstraint("naïve", name="uq_café_naïve"),
    )


def downgrade():
    pass
