"""right branch

Revision ID: c0000003
Revises: a0000001
"""
revision = 'c0000003'
down_revision = 'a0000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
