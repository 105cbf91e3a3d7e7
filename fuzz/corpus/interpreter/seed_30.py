"""backfill the status: data only"""
from alembic import op

revision = "e03e03e03e03"
down_revision = "e02e02e02e02"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE users SET status = 'active' WHERE status IS NULL")


def downgrade():
    pass
