"""rename and drop tables, change a type, add a foreign key, drop constraints"""
from alembic import op
import sqlalchemy as sa

revision = "r07r07r07r07"
down_revision = "r06r06r06r06"
branch_labels = None
depends_on = None


def upgrade():
    op.rename_table("color_red", "colors_red")
    op.drop_table("color_green")
    op.drop_index("ix_users_zip", table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("nickname", type_=sa.String(80), existing_type=sa.String(40))
    # SQLite's batch mode cannot find a unique constraint it made itself.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("uq_users_town_zip", "users", type_="unique")
    with op.batch_alter_table("notes") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_notes_user", "users", ["user_id"], ["id"])


def downgrade():
    pass
