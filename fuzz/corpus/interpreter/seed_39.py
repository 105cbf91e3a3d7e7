"""defensive migrations ask the database about itself"""
from alembic import op
import sqlalchemy as sa

revision = "r04r04r04r04"
down_revision = "r03r03r03r03"
branch_labels = None
depends_on = None


def _has_table(name):
    inspector = sa.inspect(op.get_bind())
    return name in inspector.get_table_names()


def upgrade():
    inspector = sa.inspect(op.get_bind())
    if not _has_table("legacy"):
        op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))
    columns = [column["name"] for column in inspector.get_columns("users")]
    if "nickname" not in columns:
        op.add_column("users", sa.Column("nickname", sa.String(40)))
    if "email" not in columns:
        op.add_column("users", sa.Column("email_never_added", sa.String(40)))
    indexes = {index["name"] for index in inspector.get_indexes("users")}
    if "ix_users_joined" in indexes:
        op.create_index("ix_users_nickname", "users", ["nickname"])


def downgrade():
    pass
