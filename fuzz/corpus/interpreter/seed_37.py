"""loops over literal collections and helper functions"""
from alembic import op
import sqlalchemy as sa

revision = "r02r02r02r02"
down_revision = "r01r01r01r01"
branch_labels = None
depends_on = None

COLORS = ("red", "green")


def _audit_columns(prefix="audit"):
    return [
        sa.Column(f"{prefix}_created", sa.DateTime(), nullable=False),
        sa.Column(prefix + "_by", sa.Integer(), sa.ForeignKey("users.id", name="fk_%s_by" % prefix)),
    ]


def _make(name):
    op.create_table(
        "color_%s" % name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("label", sa.String(30), index=True),
        *_audit_columns(prefix=f"{name}_audit"),
    )


def upgrade():
    for color in COLORS:
        _make(color)


def downgrade():
    for color in COLORS:
        op.drop_table("color_%s" % color)
