"""JSON everywhere; arrays, JSONB, UUID, a second schema and a view on PostgreSQL"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "c3c3c3c3c3c3"
down_revision = "b2b2b2b2b2b2"
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    columns = [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payload", sa.JSON()),
        sa.Column("happened_at", sa.Time()),
    ]
    if dialect == "postgresql":
        columns += [
            sa.Column("tags", postgresql.ARRAY(sa.Text())),
            sa.Column("scores", postgresql.ARRAY(sa.Integer())),
            sa.Column("doc", postgresql.JSONB()),
            sa.Column("token", sa.Uuid()),
            sa.Column("waited", sa.Interval()),
        ]
    op.create_table("events", *columns)
    op.execute("CREATE VIEW paid_orders AS SELECT id, customer_id FROM orders WHERE status = 'paid'")
    if dialect == "postgresql":
        op.execute("CREATE SCHEMA reporting")
        op.create_table(
            "daily_totals",
            sa.Column("day", sa.Date(), primary_key=True),
            sa.Column("customer_id", sa.Integer(), sa.ForeignKey("public.customers.id", name="fk_daily_customer")),
            sa.Column("total", sa.Numeric(14, 2)),
            schema="reporting",
        )


def downgrade():
    pass
