"""backfill invoice totals (data only)

Revision ID: e2f3a4b5c6d7
Revises: 9d0e1f2a3b4c
Create Date: 2025-05-12 08:00:00

"""
from typing import Sequence, Union

from alembic import op

revision: str = "e2f3a4b5c6d7"
down_revision: Union[str, Sequence[str], None] = "9d0e1f2a3b4c"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.execute("UPDATE invoices SET total_cents = 0 WHERE total_cents < 0")


def downgrade() -> None:
    pass
