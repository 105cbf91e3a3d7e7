"""DDL inside a loop over query results: not knowable statically"""
from alembic import op
import sqlalchemy as sa

revision = "e04e04e04e04"
down_revision = "e03e03e03e03"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    for row in bind.execute(sa.text("SELECT name FROM users WHERE name = 'indexed'")):
        op.create_index("ix_users_name", "users", ["name"])


def downgrade():
    pass
