"""Only a server default changes: nothing the schema comparison sees."""
from alembic import op

revision = "ba1ba1ba1ba1"
down_revision = "b00b00b00b00"
branch_labels = ("expand",)


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.alter_column("plan", server_default=None)
