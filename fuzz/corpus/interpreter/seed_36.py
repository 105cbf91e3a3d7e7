"""users: column options, named and unnamed constraints, op.f"""
from alembic import op
import sqlalchemy as sa

revision = "r01r01r01r01"
down_revision = None
branch_labels = None
depends_on = None

USERS = "users"
EMAIL_LENGTH = 200


def upgrade():
    op.create_table(
        USERS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=EMAIL_LENGTH), nullable=False),
        sa.Column("login", sa.String(50), nullable=False, unique=True),
        sa.Column("karma", sa.Integer, server_default="0", nullable=False),
        sa.Column("joined", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("score", sa.Numeric(8, 3)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sa.CheckConstraint("karma >= 0", name="ck_users_karma"),
    )
    op.create_index(op.f("ix_users_joined"), USERS, ["joined"], unique=False)


def downgrade():
    op.drop_table(USERS)
