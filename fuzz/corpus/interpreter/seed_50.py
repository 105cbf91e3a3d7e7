"""orders with an enum, composite keys, composite foreign key, indexes"""
from alembic import op
import sqlalchemy as sa

revision = "b2b2b2b2b2b2"
down_revision = "a1a1a1a1a1a1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("new", "paid", "shipped", name="order_status"), nullable=False),
        sa.Column("placed_at", sa.DateTime()),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_orders_customer"),
    )
    op.create_index("ix_orders_customer_placed", "orders", ["customer_id", "placed_at"])
    op.create_table(
        "order_items",
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", name="fk_items_order"), nullable=False),
        sa.Column("line_no", sa.SmallInteger(), nullable=False),
        sa.Column("sku", sa.String(32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("order_id", "line_no", name="pk_order_items"),
        sa.UniqueConstraint("order_id", "sku", name="uq_items_order_sku"),
    )
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.SmallInteger(), nullable=False),
        sa.Column("tracking", sa.String(64)),
        sa.ForeignKeyConstraint(
            ["order_id", "line_no"], ["order_items.order_id", "order_items.line_no"], name="fk_shipments_item"
        ),
    )
    op.create_index("ux_shipments_tracking", "shipments", ["tracking"], unique=True)


def downgrade():
    op.drop_table("shipments")
    op.drop_table("order_items")
    op.drop_table("orders")
