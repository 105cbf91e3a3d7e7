from alembic import op
import sqlalchemy as sa

revision = "bb1bb1bb1bb1"
down_revision = "b00b00b00b00"
branch_labels = ("contract",)


def upgrade():
    op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True))
