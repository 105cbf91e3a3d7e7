"""merge left and right

Revision ID: d0000004
Revises: b0000002,c0000003
"""
revision = 'd0000004'
down_revision = ('b0000002', 'c0000003')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
