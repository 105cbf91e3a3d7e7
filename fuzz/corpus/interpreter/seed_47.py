"""what a batch rebuild and the databases do on their own"""
from alembic import op
import sqlalchemy as sa

from myapp.models import User

revision = "b2b2b2b2b2b2"
down_revision = "a1a1a1a1a1a1"
branch_labels = None
depends_on = None

CONVENTION = {
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(referred_table_name)s_%(column_0_name)s",
}


def upgrade():
    op.create_table(
        "catalogs",
        sa.Column("name", sa.String(50), nullable=False),
        # A model's column as the key's target.
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey(column=User.id)),
        sa.Column("code", sa.String(20)),
        sa.Column("score", sa.Integer()),
        sa.Column("created", sa.Integer()),
        sa.PrimaryKeyConstraint("name", name="pk_catalogs"),
        # Repeats the primary key: PostgreSQL makes only the key.
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_catalogs_score", "catalogs", ["score"])
    op.create_index("ix_catalogs_created", "catalogs", [sa.text("created DESC")])
    if op.get_bind().dialect.name == "sqlite":
        # The rebuild names the unnamed constraints by the convention, so
        # they can be dropped by those names.
        with op.batch_alter_table("catalogs", naming_convention=CONVENTION) as batch_op:
            batch_op.drop_constraint("uq_catalogs_code", type_="unique")
            batch_op.drop_constraint("fk_catalogs_users_owner_id", type_="foreignkey")
        # An indexed column dropped and added again in one rebuild keeps
        # its index.
        with op.batch_alter_table("catalogs") as batch_op:
            batch_op.drop_column("score")
            batch_op.add_column(sa.Column("score", sa.Integer()))


def downgrade():
    pass
