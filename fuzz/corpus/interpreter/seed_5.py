"""merge phone and invoices

Revision ID: 9d0e1f2a3b4c
Revises: 1b2c3d4e5f60, 5e6f7a8b9c01
Create Date: 2025-04-05 09:00:00

"""
from typing import Sequence, Union

revision: str = "9d0e1f2a3b4c"
down_revision: Union[str, Sequence[str], None] = ("1b2c3d4e5f60", "5e6f7a8b9c01")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
