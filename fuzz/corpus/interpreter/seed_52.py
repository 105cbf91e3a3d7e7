"""tip of second

Revision ID: 0a000007
Revises: f0000006
"""
revision = '0a000007'
down_revision = 'f0000006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
