"""after merge

Revision ID: e0000005
Revises: d0000004
"""
revision = 'e0000005'
down_revision = 'd0000004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
