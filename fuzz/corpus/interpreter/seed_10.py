from alembic import op
import sqlalchemy as sa

revision = "ba2ba2ba2ba2"
down_revision = "ba1ba1ba1ba1"


def upgrade():
    op.add_column("accounts", sa.Column("region", sa.String(8), nullable=True))
