"""a status column and its index"""
from alembic import op
import sqlalchemy as sa

revision = "e02e02e02e02"
down_revision = "e01e01e01e01"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))
    op.create_index("ix_users_status", "users", ["status"])


def downgrade():
    op.drop_index("ix_users_status", table_name="users")
    op.drop_column("users", "status")
