"""add customer phone

Revision ID: 1b2c3d4e5f60
Revises: c7d9e0f1a2b4
Create Date: 2025-04-02 10:15:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "1b2c3d4e5f60"
down_revision: Union[str, Sequence[str], None] = "c7d9e0f1a2b4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("phone")
