"""second branch after merge

Revision ID: f0000006
Revises: d0000004
"""
revision = 'f0000006'
down_revision = 'd0000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
