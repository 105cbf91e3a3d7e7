"""customers, categories (self-reference), mixed-case and unicode names"""
from alembic import op
import sqlalchemy as sa

revision = "a1a1a1a1a1a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("DisplayName", sa.String(100), nullable=True),
        sa.Column("born_on", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("balance", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("score", sa.Float()),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("notes", sa.Text()),
        sa.Column("avatar", sa.LargeBinary()),
        sa.UniqueConstraint("email", name="uq_customers_email"),
    )
    op.create_index("ix_customers_display", "customers", ["DisplayName"])
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("categories.id", name="fk_categories_parent")),
        sa.Column("name", sa.String(80), nullable=False),
    )
    op.create_table(
        "OrderLog",
        sa.Column("Id", sa.BigInteger(), primary_key=True),
        sa.Column("Message", sa.String(200)),
    )
    op.create_table(
        "café_ünïcode",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("naïve", sa.String(20)),
    )


def downgrade():
    op.drop_table("café_ünïcode")
    op.drop_table("OrderLog")
    op.drop_table("categories")
    op.drop_index("ix_customers_display", table_name="customers")
    op.drop_table("customers")
