"""a later revision, so that the rebuilt state is compared in the middle"""
from alembic import op
import sqlalchemy as sa

revision = "c3c3c3c3c3c3"
down_revision = "b2b2b2b2b2b2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("catalogs", sa.Column("note", sa.String(200), nullable=True))


def downgrade():
    pass
