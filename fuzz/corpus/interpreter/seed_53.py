"""base

Revision ID: a0000001
Revises: 
"""
revision = 'a0000001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
