"""the audit table renamed"""
from alembic import op

revision = "e06e06e06e06"
down_revision = "e05e05e05e05"
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("audit", "audit_log")


def downgrade():
    op.rename_table("audit_log", "audit")
