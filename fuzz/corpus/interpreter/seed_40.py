"""batch_alter_table: add, rename, constrain, drop"""
from alembic import op
import sqlalchemy as sa

revision = "r05r05r05r05"
down_revision = "r04r04r04r04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("city", sa.String(60), nullable=True))
        batch_op.add_column(sa.Column("zip", sa.String(10), nullable=True))
        batch_op.drop_column("score")
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("city", new_column_name="town", existing_type=sa.String(60), nullable=False,
                              existing_nullable=True, server_default="")
        batch_op.create_index("ix_users_zip", ["zip"])
    # In one batch with the rename, SQLite's batch mode would lose it.
    with op.batch_alter_table("users") as batch_op:
        batch_op.create_unique_constraint("uq_users_town_zip", ["town", "zip"])


def downgrade():
    pass
