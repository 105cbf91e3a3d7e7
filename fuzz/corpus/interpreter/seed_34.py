"""Runs get a source and an index on their tags' keys; unnamed constraints
take their names from the convention."""
from alembic import op
import sqlalchemy as sa

from tracker.models.runs import Run, run_tags

revision = "b1"
down_revision = None


def upgrade():
    op.add_column(Run.__tablename__, sa.Column("source", sa.String(500), nullable=True))
    op.create_index(op.f("idx_run_tags_value"), run_tags.name, ["value"])
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("experiment_id", sa.Integer, sa.ForeignKey("experiments.id"), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(500), nullable=False, index=True),
    )


def downgrade():
    pass
