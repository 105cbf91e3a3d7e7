"""Datasets get an owner run, by key."""
from alembic import op
import sqlalchemy as sa

from tracker.models.base import Identifier

revision = "b2"
down_revision = "b1"


def upgrade():
    with op.batch_alter_table("datasets") as batch_op:
        batch_op.add_column(sa.Column("run_uuid", Identifier(), nullable=True))
        batch_op.create_foreign_key(None, "runs", ["run_uuid"], ["run_uuid"])
        batch_op.create_unique_constraint(None, ["experiment_id", "name"])


def downgrade():
    pass
